package listener

import (
	"context"
	"errors"
	"sync"
	"time"
)

// RSA admission. Anyone who reaches the tunnel can make the listener do
// private-key work: a param is decrypted before its sign can be checked,
// and the protocol leaves no cheaper way to tell a genuine callback from
// junk. The gate keeps that work from crowding out the platform, small
// junk as well as large:
//
//   - MaxParamBlocks caps the blocks of one param (checked after the base64
//     decoding, before any RSA);
//   - at most GOMAXPROCS units of work run at once: an RSA block, or the
//     decoding of 64 KB of a large param (decoding a 1 MB param is the CPU
//     of several blocks, and is scheduled like them);
//   - a worker is granted for a turn of up to rsaQuantum units run in a
//     row (one grant, not one per block: the grant costs nothing beside the
//     RSA). A genuine callback (2 blocks for 2.4, about 10 for 2.1) needs
//     one turn;
//   - turns go round the client addresses (the callback's source, as
//     clientIP tells it: behind the tunnel, TrustedProxy must be set for
//     that to be the sender), one turn per address with work waiting per
//     round; within one address, a request that has had fewer turns goes
//     first, then the earlier one. So a flood of tiny junk from other
//     addresses delays a genuine callback by at most one turn per flooding
//     address, and junk from its own address by the requests that arrived
//     before it (at most MaxRSAPerAddr), whatever arrives after it; large
//     junk holds a worker for one turn at a time;
//   - at most MaxRSARequests requests (MaxRSAQueuedBlocks blocks) are
//     admitted at once, MaxRSAPerAddr (MaxRSAPerAddrBlocks) from one
//     address, and a request may wait for workers at most MaxRSAWait in
//     all. When a bound is reached, a newcomer takes the place of a
//     waiting request of the address with the most admitted, if that is
//     more than the newcomer's address has (plus one); within its own
//     address, only the place of a waiting request with more blocks left
//     than rsaQuantum and than the newcomer. A request of one turn is never
//     evicted by its own address's traffic. The request evicted, and one
//     that waited too long, is answered HTTP 503 (the platform repeats a
//     genuine one).
//
// The scheduling never depends on what a block decrypted to: every block of
// an admitted param is decrypted, valid padding or not, and all failures get
// one answer (no padding oracle, not even through the time of the answer).
const (
	// MaxParamBlocks bounds the RSA blocks of one param: 2,048 blocks of a
	// 2048-bit key carry 501,760 bytes of plaintext (a 683 KB param; the
	// 1 MB MaxParamBytes alone would let 3,072 through). The largest
	// legitimate message is a 2.8 revocation of a whole block (标段): three
	// lists of {guarantee_no, principal, serial_num} inside a JSON string,
	// one entry per guarantee and list. An entry is about 150 bytes, 390
	// with a 40-character principal that PHP's json_encode escapes as
	// \uXXXX (7 bytes a character once the outer JSON escapes the
	// backslash): 2,048 blocks take 1,200 such entries
	// (TestParamCapFitsLargeRevocation: 400 in each list, 1,839 blocks), or
	// 3,300 entries of plain UTF-8 names. A param at the cap costs about 3 s
	// of one core; the scheduling below keeps that from delaying others.
	MaxParamBlocks = 2048
	// MaxRSARequests bounds the requests admitted to RSA work (waiting or
	// decrypting) at once, and MaxRSAQueuedBlocks their blocks (as
	// estimated from the length of their params: about 44 MB of params).
	// A waiting request costs its param and a goroutine: 1,024 one-block
	// params are under 2 MB.
	MaxRSARequests     = 1024
	MaxRSAQueuedBlocks = 64 * MaxParamBlocks
	// MaxRSAPerAddr and MaxRSAPerAddrBlocks bound what one client address
	// may have admitted. Room enough for 256 senders behind one address
	// (a tunnel whose forwarding is not trusted) and a genuine callback.
	MaxRSAPerAddr       = 512
	MaxRSAPerAddrBlocks = MaxRSAQueuedBlocks / 4
	// MaxRSAWait is the default bound of the time one request may wait for
	// RSA workers, in all (time spent decrypting does not count): long
	// enough that genuine callbacks queued behind each other on a loaded
	// machine are not turned away, short enough that junk does not hold
	// its place for long.
	MaxRSAWait = 10 * time.Second
	// rsaQuantum is the units of work one grant runs in a row: more than a
	// 2.1 (about 10 blocks), so that a genuine callback needs one turn;
	// 16 blocks are about 25 ms of one core.
	rsaQuantum = 16
	// decodeUnit: a param is decoded on a worker, as one unit of work per
	// decodeUnit bytes, when it has at least that many.
	decodeUnit = 64 << 10
)

// Reasons a request is not given (more) RSA work.
var (
	errRSAQueueFull = errors.New("RSA queue full")
	errRSAEvicted   = errors.New("RSA queue full: a newer request took the place")
	errRSAWait      = errors.New("waited too long for RSA workers")
)

// rsaGate schedules RSA work among requests.
type rsaGate struct {
	maxWait time.Duration
	// Bounds: requests and blocks admitted at once, in all and per address.
	max, maxBlocks, perAddr, perAddrBlocks int

	mu     sync.Mutex
	free   int // workers not granted
	n      int // requests admitted
	blocks int // blocks admitted (as reserved at admission)
	addrs  map[string]*rsaAddr
	ring   []*rsaAddr // addresses with requests waiting, in turn order
	seq    uint64
	// granted counts the units of work granted, for the figures of the
	// tests (how much went to others while a request waited).
	granted int64
	// onLeave, when set (by tests, under mu), is told of every request
	// that leaves: its address, units, units granted to others while it
	// waited, and time waited.
	onLeave func(addr string, units int, passed int64, waited time.Duration)
}

func newRSAGate(workers, maxRequests int, maxWait time.Duration) *rsaGate {
	perAddr := min(MaxRSAPerAddr, maxRequests)
	return &rsaGate{
		free: workers, max: maxRequests, maxWait: maxWait,
		maxBlocks: MaxRSAQueuedBlocks, perAddr: perAddr, perAddrBlocks: MaxRSAPerAddrBlocks,
		addrs: map[string]*rsaAddr{},
	}
}

// rsaAddr is what one client address has admitted.
type rsaAddr struct {
	key     string
	n       int // requests admitted
	blocks  int // blocks admitted
	waiting []*rsaTicket
	inRing  bool
}

// first is the waiting request of a that goes first: fewest turns, then
// earliest.
func (a *rsaAddr) first() int {
	b := 0
	for i, t := range a.waiting[1:] {
		if t.turns < a.waiting[b].turns || (t.turns == a.waiting[b].turns && t.seq < a.waiting[b].seq) {
			b = i + 1
		}
	}
	return b
}

func (a *rsaAddr) unwait(t *rsaTicket) {
	for i, u := range a.waiting {
		if u == t {
			a.waiting = append(a.waiting[:i], a.waiting[i+1:]...)
			return
		}
	}
}

// rsaTicket is one admitted request.
type rsaTicket struct {
	g        *rsaGate
	a        *rsaAddr
	seq      uint64
	reserved int           // blocks counted against the bounds
	total    int           // units of work of the request
	done     int           // units granted so far
	quota    int           // units left of the current turn
	turns    int           // turns granted
	holding  bool          // holds a worker
	waiting  bool          // waits for a worker
	evicted  bool          // its place was taken
	wake     chan struct{} // a worker was granted, or evicted
	waited   time.Duration // time spent waiting, in all
	// passed is the units granted to other requests while t waited, in all.
	passed int64
	since  int64 // g.granted when t began to wait
}

// left is the number of units t has still to do.
func (t *rsaTicket) left() int { return t.total - t.done }

// admit takes a place for a request from addr of total units, making room
// as the doc comment says when a bound is reached.
func (g *rsaGate) admit(addr string, total int) (*rsaTicket, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.addrs[addr]
	if a == nil {
		a = &rsaAddr{key: addr}
	}
	need := func() bool {
		return g.n+1 > g.max || g.blocks+total > g.maxBlocks || a.n+1 > g.perAddr || a.blocks+total > g.perAddrBlocks
	}
	for need() {
		v := g.victim(a, total)
		if v == nil {
			if a.n == 0 {
				delete(g.addrs, addr)
			}
			return nil, errRSAQueueFull
		}
		g.evict(v)
	}
	g.addrs[addr] = a
	g.seq++
	t := &rsaTicket{g: g, a: a, seq: g.seq, reserved: total, total: total, wake: make(chan struct{}, 1)}
	g.n++
	g.blocks += total
	a.n++
	a.blocks += total
	return t, nil
}

// victim is the waiting request whose place a newcomer of total units from
// a may take, nil when none.
func (g *rsaGate) victim(a *rsaAddr, total int) *rsaTicket {
	own := a.n+1 > g.perAddr || a.blocks+total > g.perAddrBlocks
	if !own {
		// The address with the most admitted gives way, if it has more
		// than a would have.
		var big *rsaAddr
		for _, b := range g.addrs {
			if b != a && len(b.waiting) > 0 && (big == nil || b.n > big.n || (b.n == big.n && b.blocks > big.blocks)) {
				big = b
			}
		}
		if big != nil && big.n > a.n+1 {
			return largest(big, 0)
		}
	}
	// Within a's own requests: only one with more left than a turn and
	// than the newcomer.
	return largest(a, max(total, rsaQuantum))
}

// largest is a's waiting request with the most units left, more than
// floor (ties: the latest), nil when none.
func largest(a *rsaAddr, floor int) *rsaTicket {
	var v *rsaTicket
	for _, t := range a.waiting {
		if t.left() > floor && (v == nil || t.left() > v.left() || (t.left() == v.left() && t.seq > v.seq)) {
			v = t
		}
	}
	return v
}

// evict takes v's place (g.mu held; v is waiting).
func (g *rsaGate) evict(v *rsaTicket) {
	v.evicted = true
	v.waiting = false
	v.a.unwait(v)
	g.release(v)
	v.wake <- struct{}{}
}

// release gives back t's place (g.mu held).
func (g *rsaGate) release(t *rsaTicket) {
	g.n--
	g.blocks -= t.reserved
	t.a.n--
	t.a.blocks -= t.reserved
	if t.a.n == 0 && len(t.a.waiting) == 0 {
		delete(g.addrs, t.a.key)
	}
}

// enqueue makes t wait for a turn (g.mu held).
func (g *rsaGate) enqueue(t *rsaTicket) {
	t.waiting = true
	t.since = g.granted
	t.a.waiting = append(t.a.waiting, t)
	if !t.a.inRing {
		t.a.inRing = true
		g.ring = append(g.ring, t.a)
	}
}

// handOver gives the worker being let go to the next turn, or frees it
// (g.mu held).
func (g *rsaGate) handOver() {
	for len(g.ring) > 0 {
		a := g.ring[0]
		g.ring = g.ring[1:]
		a.inRing = false
		if len(a.waiting) == 0 {
			continue // its waiting requests were evicted or gave up
		}
		i := a.first()
		t := a.waiting[i]
		a.waiting = append(a.waiting[:i], a.waiting[i+1:]...)
		if len(a.waiting) > 0 {
			a.inRing = true
			g.ring = append(g.ring, a)
		}
		t.waiting = false
		t.passed += g.granted - t.since
		g.turn(t)
		t.wake <- struct{}{}
		return
	}
	g.free++
}

// turn starts a turn of t and grants its first unit (g.mu held).
func (g *rsaGate) turn(t *rsaTicket) {
	t.holding = true
	t.turns++
	t.quota = rsaQuantum - 1
	t.done++
	g.granted++
}

// waitingElsewhere tells whether any request waits for a worker (g.mu held).
func (g *rsaGate) waitingElsewhere() bool {
	for _, a := range g.ring {
		if len(a.waiting) > 0 {
			return true
		}
	}
	return false
}

// next waits until t may do one more unit of work: at once within its
// turn, or when a worker is free and nobody waits; else when a turn is
// handed to it.
func (t *rsaTicket) next(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err // the sender is gone: no more work for it
	}
	g := t.g
	g.mu.Lock()
	if t.evicted {
		g.mu.Unlock()
		return errRSAEvicted
	}
	switch {
	case t.holding && t.quota > 0:
		t.quota--
		t.done++
		g.granted++
		g.mu.Unlock()
		return nil
	case t.holding && !g.waitingElsewhere():
		g.turn(t) // nobody waits: another turn
		g.mu.Unlock()
		return nil
	case t.holding:
		t.holding = false
		g.enqueue(t)
		g.handOver()
	case g.free > 0 && !g.waitingElsewhere():
		g.free--
		g.turn(t)
		g.mu.Unlock()
		return nil
	default:
		g.enqueue(t)
	}
	g.mu.Unlock()

	left := g.maxWait - t.waited
	if left <= 0 {
		left = time.Nanosecond
	}
	start := time.Now()
	timer := time.NewTimer(left)
	defer timer.Stop()
	var cause error
	select {
	case <-t.wake:
	case <-timer.C:
		cause = errRSAWait
	case <-ctx.Done():
		cause = ctx.Err()
	}
	t.waited += time.Since(start)
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.evicted {
		return errRSAEvicted
	}
	if cause == nil {
		return nil
	}
	if t.waiting {
		t.waiting = false
		t.a.unwait(t)
		return cause
	}
	// Granted at the same moment: drain the signal and keep the worker;
	// leave gives it back.
	<-t.wake
	return cause
}

// leave leaves the gate and gives back the worker t holds.
func (t *rsaTicket) leave() {
	g := t.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.evicted {
		return
	}
	if t.waiting {
		t.waiting = false
		t.a.unwait(t)
	}
	if g.onLeave != nil {
		g.onLeave(t.a.key, t.total, t.passed, t.waited)
	}
	g.release(t)
	if t.holding {
		t.holding = false
		g.handOver()
	}
}

// account corrects t's work once the param is decoded: extra more units
// done (the decoding took several), and blocks of RSA left.
func (t *rsaTicket) account(extra, blocks int) {
	g := t.g
	g.mu.Lock()
	defer g.mu.Unlock()
	t.done += extra
	t.quota = max(t.quota-extra, 0)
	t.total = t.done + blocks
}

// inQueue is the number of requests admitted.
func (g *rsaGate) inQueue() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}
