package listener

import (
	"context"
	"sync"
	"time"

	"baohan/pdfsign"
)

// 2.6 checks at once (issue 24, item 6). A captured 2.6 param can be
// replayed for 24 h with any file (the sign does not cover the PDF), and
// each check is a child process of up to pdfsign.ChildMemoryLimit: 12 at
// once with a bomb took 2.66 GB. At most MaxConcurrentChecks run at once;
// the others wait their turn, in arrival order, for at most the check's
// own time bound (Options.Timeout), so that the answer comes within the
// time a check may take anyway; one that waited that long is answered
// 2608 (请求超时) like a check that ran out of time, without a child.
const MaxConcurrentChecks = 2

// checkGate is the semaphore of the 2.6 checks.
type checkGate struct {
	slots chan struct{}

	mu           sync.Mutex
	running, top int // checks running now, and the most at once
}

func newCheckGate(n int) *checkGate { return &checkGate{slots: make(chan struct{}, n)} }

// checkPDF runs the 2.6 check of the PDF at path in its turn.
func (s *Server) checkPDF(ctx context.Context, path string) (*pdfsign.Report, error) {
	g := s.checks
	wait := s.cfg.PDF.Timeout
	if wait <= 0 {
		wait = pdfsign.DefaultTimeout
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-timer.C:
		return &pdfsign.Report{}, nil // not Complete: answered 2608
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	g.mu.Lock()
	g.running++
	g.top = max(g.top, g.running)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.running--
		g.mu.Unlock()
		<-g.slots
	}()
	return pdfsign.CheckFileIsolated(ctx, path, s.cfg.PDF)
}
