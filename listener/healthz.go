package listener

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"baohan/platform"
)

// healthTTL: /healthz probes the store at most once a second, so that a
// flood of health checks through the tunnel cannot become a flood of writes.
const healthTTL = time.Second

type healthCache struct {
	mu  sync.Mutex
	at  time.Time
	err error
}

// healthz answers GET /healthz: {"status":200} while the store takes a
// write (database and file store) and the spool folder takes a file; HTTP
// 503 with status 404 and the reason otherwise.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, answerBytes(platform.StatusFailed, "只接受 GET 请求", nil))
		return
	}
	if err := s.health.check(r.Context(), s.probe); err != nil {
		s.log.Warn("health check failed", "err", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, answerBytes(platform.StatusFailed, "存储不可写："+err.Error(), nil))
		return
	}
	writeJSON(w, http.StatusOK, okAnswer(nil))
}

func (h *healthCache) check(ctx context.Context, probe func(context.Context) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.at.IsZero() && time.Since(h.at) < healthTTL {
		return h.err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	h.err = probe(ctx)
	h.at = time.Now()
	return h.err
}

func (s *Server) probe(ctx context.Context) error {
	if err := s.st.Writable(ctx); err != nil {
		return err
	}
	// Locked like every spool file, so that a sweep leaves it alone.
	f, err := createOwned(s.spool, "probe-*")
	if err != nil {
		return fmt.Errorf("spool folder: %w", err)
	}
	u := &upload{path: f.Name(), f: f}
	u.remove()
	if _, err := os.Stat(u.path); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool folder: probe file not removed: %v", err)
	}
	return nil
}
