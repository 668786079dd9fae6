package listener

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"
)

// RSA admission. Anyone who reaches the tunnel can make the listener do
// private-key work: a param is decrypted before its sign can be checked,
// and the protocol leaves no cheaper way to tell a genuine callback from
// junk. Three bounds keep that work from crowding out the platform:
//
//   - MaxParamBlocks caps the blocks of one param (checked after the base64
//     decoding, before any RSA);
//   - at most GOMAXPROCS workers run at once; a grant gives a worker up to
//     rsaRun RSA blocks of one request in a row (so a genuine callback's
//     blocks cost one grant, not a hand-over each), or the decoding of 64
//     KB of a large param (decoding a 1 MB param is the CPU of several
//     blocks, and is scheduled like them), and a free worker goes to the
//     waiting request with the fewest blocks left (shortest remaining work
//     first; ties by arrival). A genuine callback (2 blocks for 2.4, about
//     10 for 2.1) therefore waits at most for the runs in progress (at most
//     rsaRun blocks a worker), however many large junk params are queued
//     and however fast new ones arrive; to be served before it, junk must
//     be smaller than it, and then costs less than it;
//   - at most MaxRSARequests requests are admitted at once, and a request
//     may wait for workers at most MaxRSAWait in all. When the queue is
//     full, a newcomer takes the place of the waiting request with the most
//     blocks left, if that is more than the newcomer has; that one, and one
//     that waited too long, is answered HTTP 503 (the platform repeats a
//     genuine one).
//
// The scheduling never depends on what a block decrypted to: every block of
// an admitted param is decrypted, valid padding or not, and all failures get
// one answer (no padding oracle).
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
	// decrypting) at once.
	MaxRSARequests = 64
	// MaxRSAWait is the default bound of the time one request may wait for
	// RSA workers, in all (time spent decrypting does not count): long
	// enough that genuine callbacks queued behind each other on a loaded
	// machine are not turned away, short enough that junk does not hold
	// its place for long.
	MaxRSAWait = 10 * time.Second
	// decodeUnit: a param is decoded on a worker, as one unit of work per
	// decodeUnit bytes, when it has at least that many.
	decodeUnit = 64 << 10
	// rsaRun is the most blocks one grant gives a request in a row: a
	// genuine callback (2 blocks for 2.4, about 10 for 2.1) is decrypted
	// in one grant; a large param yields its worker every rsaRun blocks
	// (about 25 ms of one core), so a genuine callback waits at most for
	// the runs in progress.
	rsaRun = 16
)

// Reasons a request is not given (more) RSA work.
var (
	errRSAQueueFull = errors.New("RSA queue full")
	errRSAEvicted   = errors.New("RSA queue full: a newer request took the place")
	errRSAWait      = errors.New("waited too long for RSA workers")
)

// rsaGate schedules RSA blocks among requests.
type rsaGate struct {
	maxWait time.Duration

	mu       sync.Mutex
	free     int // workers not granted
	max      int // requests admitted at once
	admitted []*rsaTicket
	seq      uint64
}

func newRSAGate(workers, maxRequests int, maxWait time.Duration) *rsaGate {
	return &rsaGate{free: workers, max: maxRequests, maxWait: maxWait}
}

// rsaTicket is one admitted request.
type rsaTicket struct {
	g       *rsaGate
	seq     uint64
	total   int           // blocks of the param
	done    int           // blocks granted so far
	holding bool          // holds a worker
	waiting bool          // waits for a worker
	evicted bool          // its place was taken
	wake    chan struct{} // a worker was granted, or evicted
	waited  time.Duration // time spent waiting, in all
	want    int           // blocks it asks for per grant (nextN's max)
	run     int           // blocks of its current grant
}

// left is the number of blocks t has still to decrypt.
func (t *rsaTicket) left() int { return t.total - t.done }

// less: t goes before u.
func (t *rsaTicket) less(u *rsaTicket) bool {
	return t.left() < u.left() || (t.left() == u.left() && t.seq < u.seq)
}

// admit takes a place in the queue for a param of total blocks, evicting
// the waiting request with the most blocks left when the queue is full and
// that one has more left than total.
func (g *rsaGate) admit(total int) (*rsaTicket, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.admitted) >= g.max {
		var worst *rsaTicket
		for _, t := range g.admitted {
			if t.waiting && t.left() > total && (worst == nil || worst.less(t)) {
				worst = t
			}
		}
		if worst == nil {
			return nil, errRSAQueueFull
		}
		worst.evicted = true
		worst.waiting = false
		g.remove(worst)
		worst.wake <- struct{}{}
	}
	g.seq++
	t := &rsaTicket{g: g, seq: g.seq, total: total, wake: make(chan struct{}, 1)}
	g.admitted = append(g.admitted, t)
	return t, nil
}

func (g *rsaGate) remove(t *rsaTicket) {
	for i, u := range g.admitted {
		if u == t {
			g.admitted = append(g.admitted[:i], g.admitted[i+1:]...)
			return
		}
	}
}

// best is the waiting ticket that goes first, nil when none waits.
func (g *rsaGate) best() *rsaTicket {
	var b *rsaTicket
	for _, t := range g.admitted {
		if t.waiting && (b == nil || t.less(b)) {
			b = t
		}
	}
	return b
}

// take counts the blocks of one grant to t (g.mu held): up to t.want in
// a row, so that a request's blocks run without a hand-over each.
func (t *rsaTicket) take() {
	k := min(max(t.want, 1), t.left())
	if k < 1 {
		k = 1
	}
	t.done += k
	t.run = k
}

// grant gives a worker to t (g.mu held).
func (g *rsaGate) grant(t *rsaTicket) {
	t.waiting = false
	t.holding = true
	t.take()
	t.wake <- struct{}{}
}

// next waits until t may decrypt one more block: at once when a worker is
// free and nobody waiting goes first, else when one is handed to it. A
// ticket that holds a worker from its previous block keeps it unless a
// waiting request goes first.
func (t *rsaTicket) next(ctx context.Context) error {
	_, err := t.nextN(ctx, 1)
	return err
}

// nextN is next for up to max blocks in a row: one grant sized by the
// blocks the request has left, at most max (rsaRun), so that a genuine
// callback's few blocks cost one grant, and a large param still yields
// its worker every max blocks to a request that goes first. It returns
// the blocks granted (at least 1).
func (t *rsaTicket) nextN(ctx context.Context, max int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err // the sender is gone: no more work for it
	}
	g := t.g
	g.mu.Lock()
	t.want = max
	if t.evicted {
		g.mu.Unlock()
		return 0, errRSAEvicted
	}
	b := g.best()
	if t.holding {
		if b == nil || !b.less(t) {
			t.take()
			n := t.run
			g.mu.Unlock()
			return n, nil
		}
		// Hand the worker over to the one that goes first, and wait.
		t.holding = false
		g.grant(b)
	} else if g.free > 0 && (b == nil || t.less(b)) {
		g.free--
		t.holding = true
		t.take()
		n := t.run
		g.mu.Unlock()
		return n, nil
	}
	t.waiting = true
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
		return 0, errRSAEvicted
	}
	if cause == nil {
		return t.run, nil
	}
	if t.waiting {
		t.waiting = false
		return 0, cause
	}
	// Granted at the same moment: drain the signal and keep the worker;
	// leave gives it back.
	<-t.wake
	return 0, cause
}

// leave leaves the queue and gives back the worker t holds.
func (t *rsaTicket) leave() {
	g := t.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if !t.evicted {
		g.remove(t)
	}
	t.waiting = false
	if t.holding {
		t.holding = false
		if b := g.best(); b != nil {
			g.grant(b)
		} else {
			g.free++
		}
	}
}

// account corrects t's work once the param is decoded: extra more units
// done (the decoding took several), and blocks of RSA left.
func (t *rsaTicket) account(extra, blocks int) {
	g := t.g
	g.mu.Lock()
	defer g.mu.Unlock()
	t.done += extra
	t.total = t.done + blocks
}

// inQueue is the number of requests admitted.
func (g *rsaGate) inQueue() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.admitted)
}

// rsaWorkers is the number of RSA workers: one per core.
func rsaWorkers() int { return runtime.GOMAXPROCS(0) }
