package listener

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"baohan/store"
)

// The spool under hostile traffic. Uploaded files are streamed to DIR/spool
// before the callback is stored; three rules bound what that can cost:
//
//   - when param comes before the files (as the platform sends it), it is
//     decrypted and its sign checked before any file is read: a request
//     that fails is refused without writing a byte;
//   - files that come before param belong to a request not yet
//     authenticated: all such requests together may hold at most
//     Config.SpoolBudgetBytes of spool (DefaultSpoolBudget); beyond it the
//     request is answered HTTP 503;
//   - no upload, authenticated or not, may bring the free space of the
//     data folder's disk below Config.FreeReserveBytes (DefaultFreeReserve):
//     the store keeps room for its own writes, and uploads are answered
//     HTTP 503 until there is space again (the platform repeats).
//
// Every spool file is held locked (flock) by the request that owns it for as
// long as the request runs, and so is every temp file of the file store.
// Sweeping removes each file of DIR/spool and DIR/files/tmp that nobody holds
// locked, whatever its age: at New and every SweepEvery. A killed process
// leaves no owner, so its leftovers go at the next sweep of whoever runs.
const (
	DefaultSpoolBudget = 128 << 20
	DefaultFreeReserve = 256 << 20
	SweepEvery         = 5 * time.Minute
	// freeCheckEvery: the free space is checked again after this many bytes
	// of one file.
	freeCheckEvery = 4 << 20
)

// Errors of the spool's bounds; answered HTTP 503.
var (
	errSpoolBudget = errors.New("spool budget for unauthenticated uploads used up")
	errDiskLow     = errors.New("free disk space below the reserve")
)

// spoolBudget is the spool space of requests not yet authenticated.
type spoolBudget struct {
	limit int64
	mu    sync.Mutex
	used  int64
	peak  int64 // the most used at once (for tests and figures)
}

func (b *spoolBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.limit {
		return false
	}
	b.used += n
	b.peak = max(b.peak, b.used)
	return true
}

func (b *spoolBudget) maxUsed() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.peak
}

func (b *spoolBudget) give(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

func (b *spoolBudget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// spoolWriter writes a spool file within the bounds: the budget while the
// request is not authenticated, the free-space reserve always. Failures of
// the file itself are spoolErrors (500); the bounds are errSpoolBudget and
// errDiskLow (503).
type spoolWriter struct {
	f       *os.File
	s       *Server
	c       *call
	written int64
	checked int64 // written at the last free-space check
}

func (w *spoolWriter) Write(p []byte) (int, error) {
	n := int64(len(p))
	if w.c.fields == nil {
		if !w.s.budget.take(n) {
			return 0, errSpoolBudget
		}
		w.c.budget += n
	} else if w.c.first != nil {
		// A repeat whose file differs from the first delivery's (repeat.go).
		if !w.s.repeats.take(w.c.repeatKey, n) {
			return 0, errRepeatBudget
		}
		w.c.repeatBytes += n
	}
	if w.written-w.checked+n > freeCheckEvery || w.written == 0 {
		if err := w.s.checkFree(n); err != nil {
			return 0, err
		}
		w.checked = w.written
	}
	m, err := w.f.Write(p)
	w.written += int64(m)
	w.s.spooled.Add(int64(m))
	if err != nil {
		err = &spoolError{err}
	}
	return m, err
}

// checkFree fails with errDiskLow when writing n more bytes would leave less
// than the reserve free on the spool's disk.
func (s *Server) checkFree(n int64) error {
	if s.cfg.FreeReserveBytes < 0 {
		return nil
	}
	free, err := freeBytes(s.spool)
	if err != nil {
		return nil // cannot tell: the write itself will fail if the disk is full
	}
	if free-n < s.cfg.FreeReserveBytes {
		return fmt.Errorf("%w: %d MB free, reserve %d MB", errDiskLow, free>>20, s.cfg.FreeReserveBytes>>20)
	}
	return nil
}

// sweep removes the spool files and file store temps that no request owns,
// and logs what it reclaimed.
func (s *Server) sweep(when string) (files int, bytes int64) {
	files, bytes = store.SweepUnowned(s.spool)
	tf, tb := s.st.SweepTemp()
	if when == "start" {
		// The store swept its temps as it opened: report those too.
		of, ob := s.st.SweptAtOpen()
		tf, tb = tf+of, tb+ob
	}
	files, bytes = files+tf, bytes+tb
	if files > 0 || when == "start" {
		s.log.Info("swept leftover upload files", "when", when, "files", files, "bytes", bytes,
			"spool_files", files-tf, "store_temp_files", tf)
	}
	return files, bytes
}

// sweeper sweeps every SweepEvery until stop is closed.
func (s *Server) sweeper(stop <-chan struct{}) {
	defer close(s.sweepDone)
	t := time.NewTicker(SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.sweep("periodic")
		}
	}
}

// diskFault records, at most once per clockFaultEvery, that an upload was
// refused because the disk is below the free-space reserve: the clerk must
// free space, and until then every callback with files is refused (the
// platform repeats them).
func (s *Server) diskFault(c *call, cause error) {
	s.diskMu.Lock()
	if !s.diskAt.IsZero() && time.Since(s.diskAt) < clockFaultEvery {
		s.diskMu.Unlock()
		return
	}
	s.diskAt = time.Now()
	s.diskMu.Unlock()
	free, _ := freeBytes(s.spool)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 5*time.Second)
	defer cancel()
	_, err := s.st.AddEvent(ctx, store.Event{
		Kind: store.KindFault, Direction: store.DirIn, Method: c.ep.method,
		Status: c.ep.codes.system, LatencyMS: c.elapsed(),
		Summary: fmt.Sprintf("磁盘空间不足：数据目录所在磁盘仅剩 %d MB（保留 %d MB），回调 %s（%s）的文件已拒收，平台会重发；请清理磁盘",
			free>>20, s.cfg.FreeReserveBytes>>20, c.ep.method, c.ep.section),
	})
	if err != nil {
		s.log.Error("cannot record low-disk fault event", "callback", c.ep.method, "err", err.Error(), "cause", cause.Error())
	}
}
