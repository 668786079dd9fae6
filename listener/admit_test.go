package listener

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"baohan/platform/sandbox"
)

// waiter starts t.next in a goroutine once, after waitUntil saw it queue.
func startWaiting(tb testing.TB, g *rsaGate, t *rsaTicket, run func(error)) {
	tb.Helper()
	go func() { run(t.next(context.Background())) }()
	waitUntil(tb, "the request waits", func() bool { g.mu.Lock(); defer g.mu.Unlock(); return t.waiting })
}

// TestRSAGateTurns: turns go round the addresses, one per address and
// round; a request of one turn runs its blocks in a row; a flood of
// one-block junk from other addresses delays it by one turn per address,
// and later junk from its own address does not go before it.
func TestRSAGateTurns(t *testing.T) {
	g := newRSAGate(1, 64, time.Minute)
	ctx := context.Background()
	holder, _ := g.admit("h", 100)
	if err := holder.next(ctx); err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		order []string
		done  = make(chan struct{}, 64)
	)
	record := func(name string) { mu.Lock(); order = append(order, name); mu.Unlock() }
	junk := func(addr, name string) {
		tk, err := g.admit(addr, 1)
		if err != nil {
			t.Fatal(err)
		}
		startWaiting(t, g, tk, func(err error) {
			if err != nil {
				t.Error(err)
			}
			record(name)
			tk.leave()
			done <- struct{}{}
		})
	}
	// Two junk from address j, one from k, the genuine callback (10
	// blocks) from p, then more junk from j, k and p.
	junk("j", "j1")
	junk("j", "j2")
	junk("k", "k1")
	gen, _ := g.admit("p", 10)
	startWaiting(t, g, gen, func(err error) {
		if err != nil {
			t.Error(err)
		}
		record("p-genuine")
		for range 9 {
			// The rest of its turn: never waits, whoever queues.
			if err := gen.next(ctx); err != nil {
				t.Error(err)
			}
		}
		record("p-genuine-done")
		gen.leave()
		done <- struct{}{}
	})
	junk("p", "p2")
	junk("j", "j3")
	junk("k", "k2")
	// The holder's turn ends (16 units), and it queues again behind them.
	go func() {
		for range 100 - 1 {
			if err := holder.next(ctx); err != nil {
				t.Error(err)
				return
			}
		}
		record("h-done")
		holder.leave()
		done <- struct{}{}
	}()
	for range 8 { // six junk, the genuine callback and the holder
		<-done
	}
	want := []string{"j1", "k1", "p-genuine", "p-genuine-done", "j2", "k2", "p2", "j3", "h-done"}
	// The holder runs whenever it has a turn; the others are in turn order.
	var others []string
	for _, o := range order {
		if o != "h-done" {
			others = append(others, o)
		}
	}
	if !slices.Equal(others, slices.DeleteFunc(want, func(s string) bool { return s == "h-done" })) {
		t.Errorf("turns %v", order)
	}
	if g.free != 1 || g.n != 0 || g.blocks != 0 || len(g.addrs) != 0 {
		t.Errorf("after all left: free %d admitted %d blocks %d addresses %d", g.free, g.n, g.blocks, len(g.addrs))
	}
}

// TestRSAGateEviction: at the bound, the address with the most admitted
// gives way to a newcomer from another; within one address, only a
// waiting request of more than a turn and more than the newcomer's blocks
// gives way, so one-block junk never evicts a genuine callback of its own
// address, while a large junk request is evicted by a smaller one.
func TestRSAGateEviction(t *testing.T) {
	g := newRSAGate(1, 3, time.Minute)
	ctx := context.Background()
	h, _ := g.admit("h", 1)
	if err := h.next(ctx); err != nil {
		t.Fatal(err)
	}
	res := map[string]chan error{}
	wait := func(addr, name string, units int) *rsaTicket {
		tk, err := g.admit(addr, units)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ch := make(chan error, 1)
		res[name] = ch
		startWaiting(t, g, tk, func(err error) { ch <- err })
		return tk
	}
	j1 := wait("j", "j1", 1)
	wait("j", "j2", 1)
	// Full (3): p has none, j has 2: j's latest gives way.
	gen := wait("p", "genuine", 10)
	if err := <-res["j2"]; !errors.Is(err, errRSAEvicted) {
		t.Fatalf("j2: %v, want evicted", err)
	}
	// Full again: j (1) may not evict p (1); within j, nothing of more
	// than a turn waits: refused.
	if _, err := g.admit("j", 1); !errors.Is(err, errRSAQueueFull) {
		t.Fatalf("j newcomer: %v, want queue full", err)
	}
	// Junk of its own address does not evict the genuine callback either.
	if _, err := g.admit("p", 1); !errors.Is(err, errRSAQueueFull) {
		t.Fatalf("p newcomer: %v, want queue full", err)
	}
	h.leave() // j1 then genuine run
	if err := <-res["j1"]; err != nil {
		t.Fatal(err)
	}
	j1.leave()
	if err := <-res["genuine"]; err != nil {
		t.Fatal(err)
	}
	gen.leave()
	if g.free != 1 || g.n != 0 || len(g.addrs) != 0 {
		t.Errorf("after all left: free %d admitted %d addresses %d", g.free, g.n, len(g.addrs))
	}

	// Per address: a large waiting request gives way to a smaller one of
	// its own address.
	g2 := newRSAGate(1, 2, time.Minute)
	h2, _ := g2.admit("x", 1)
	_ = h2.next(ctx)
	big, _ := g2.admit("x", 100)
	ch := make(chan error, 1)
	startWaiting(t, g2, big, func(err error) { ch <- err })
	small, err := g2.admit("x", 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-ch; !errors.Is(err, errRSAEvicted) {
		t.Fatalf("big: %v, want evicted", err)
	}
	big.leave()
	h2.leave()
	if err := small.next(ctx); err != nil {
		t.Fatal(err)
	}
	small.leave()
	if g2.free != 1 || g2.n != 0 || len(g2.addrs) != 0 {
		t.Errorf("after all left: free %d admitted %d addresses %d", g2.free, g2.n, len(g2.addrs))
	}
}

// TestTinyJunkFloodGenuineAnswered (issue 24, item 1): 256 senders post
// one-block random params as fast as they are answered, over loopback,
// from 256 other addresses (127.0.1.x: the tunnel's forwarding trusted)
// and then all from the platform's own address (127.0.0.1: a tunnel that
// hides the sender). Every genuine callback (a 2.1 of 8 blocks, sealed by
// the sandbox; 7 in each case) is answered 200, never 503; the units of RSA work granted to
// others while it waited are bounded by the senders (one turn each, no
// clock), and its latency is reported. Before the fix, 7 to 10 of 14
// were answered 503 (the queue held 64 and a newcomer displaced only a
// request with more blocks left).
func TestTinyJunkFloodGenuineAnswered(t *testing.T) {
	if testing.Short() {
		t.Skip("flood")
	}
	for _, mode := range []string{"other addresses", "same address"} {
		t.Run(strings.ReplaceAll(mode, " ", "-"), func(t *testing.T) { tinyJunkFlood(t, mode == "same address") })
	}
}

func tinyJunkFlood(t *testing.T, same bool) {
	const senders, genuine = 256, 7
	if !same {
		// Linux routes all of 127/8 to loopback; elsewhere it may not be.
		ln, err := net.Listen("tcp", "127.0.1.1:0")
		if err != nil {
			t.Skipf("no loopback address 127.0.1.1 here: %v", err)
		}
		ln.Close()
	}
	e := newEnv(t)
	type left struct {
		units  int
		passed int64
		waited time.Duration
	}
	var (
		hmu      sync.Mutex
		genuines []left
	)
	e.srv.rsa.mu.Lock()
	e.srv.rsa.onLeave = func(addr string, units int, passed int64, waited time.Duration) {
		if addr == "127.0.0.1" && units > 1 {
			hmu.Lock()
			genuines = append(genuines, left{units, passed, waited})
			hmu.Unlock()
		}
	}
	e.srv.rsa.mu.Unlock()

	ctx, stop := context.WithTimeout(context.Background(), 2*time.Minute)
	defer stop()
	var (
		junk junkTally
		wg   sync.WaitGroup
	)
	for i := range senders {
		ip := net.IPv4(127, 0, 1+byte(i/250), 1+byte(i%250))
		if same {
			ip = net.IPv4(127, 0, 0, 1)
		}
		tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}).DialContext, MaxIdleConnsPerHost: 1}
		client := &http.Client{Transport: tr}
		defer tr.CloseIdleConnections()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				ct, body := multipartBody(t, randomParam(t, 1))
				junk.post(ctx, client, e.ts.URL+"/callbacks/order_status", ct, body)
			}
		}()
	}
	waitUntil(t, "the junk fills the RSA queue", func() bool { return e.srv.rsa.inQueue() >= senders/2 })
	before := e.snapshot()

	var lat []time.Duration
	for i := range genuine {
		cb := e.applyCallback(fmt.Sprintf("18130024%02d", 10+i))
		p, err := e.sb.SealParam(cb.Msg)
		if err != nil {
			t.Fatal(err)
		}
		ct, body, err := sandbox.EncodeBody(p, false)
		if err != nil {
			t.Fatal(err)
		}
		q := e.srv.rsa.inQueue()
		start := time.Now()
		r := e.post(cb.Path, ct, body)
		lat = append(lat, time.Since(start))
		r.want(t, http.StatusOK, 200)
		t.Logf("genuine %d (%s): %s with %d requests in the RSA queue on arrival", i, cb.Path, lat[i].Round(time.Millisecond), q)
	}
	junk0 := junk.count.Load()
	waitUntil(t, "junk answered during the genuine ones", func() bool { return junk.count.Load() > junk0 })
	stop()
	wg.Wait()

	slices.Sort(lat)
	t.Logf("%d genuine callbacks under %d one-block junk senders: all 200, latency median %s, max %s",
		genuine, senders, lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	hmu.Lock()
	if len(genuines) != genuine {
		t.Errorf("%d genuine requests left the gate, want %d", len(genuines), genuine)
	}
	// Waiting for one turn of every other sender, and for the turns in
	// progress on both workers: bounded by the senders, however long the
	// flood and however fast the junk is answered.
	bound := int64(senders + 2*rsaQuantum)
	for _, l := range genuines {
		t.Logf("genuine of %d blocks: %d units granted to others while it waited %s", l.units, l.passed, l.waited.Round(time.Millisecond))
		if l.passed > bound {
			t.Errorf("a genuine callback waited while %d units went to junk (bound %d)", l.passed, bound)
		}
	}
	hmu.Unlock()
	junk.mu.Lock()
	t.Logf("junk answers: %d in all: %v", junk.count.Load(), junk.answers)
	for a := range junk.answers {
		if strings.HasPrefix(a, "HTTP 200 status 200") {
			t.Errorf("junk answered %q", a)
		}
	}
	junk.mu.Unlock()
	after := e.snapshot()
	if after.count("orders") != before.count("orders")+genuine {
		t.Errorf("orders %d, want %d", after.count("orders"), before.count("orders")+genuine)
	}
}

// junkTally sends junk and counts its answers by kind.
type junkTally struct {
	mu      sync.Mutex
	answers map[string]int // "HTTP 503 status 404 msg" -> count
	count   atomic.Int64
}

// post sends one junk body and tallies the answer; a request that fails
// (cancelled at the end) is not counted.
func (j *junkTally) post(ctx context.Context, client *http.Client, url, ct string, body []byte) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	resp, err := client.Do(req)
	if err != nil {
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var a reply
	_ = jsonUnmarshal(b, &a)
	j.mu.Lock()
	if j.answers == nil {
		j.answers = map[string]int{}
	}
	j.answers[fmt.Sprintf("HTTP %d status %d %s", resp.StatusCode, a.Status, a.Msg)]++
	j.mu.Unlock()
	j.count.Add(1)
}
