package listener

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"baohan/platform"

	"baohan/store"
)

// ProbeAnswer is what GET /healthz?probe=NONCE carries in data.probe: the
// HMAC-SHA256 under api_secret of a domain label, the nonce and the
// listener's process id. `baohan doctor` sends a fresh nonce through the
// public URL and compares the answer with its own computation for the pid
// in the data folder's lock: only this very listener (holding api_secret,
// running as that process) can give it. The label keeps it apart from the
// platform's sign, so the probe is no signing oracle.
func ProbeAnswer(apiSecret, nonce string, pid int) string {
	m := hmac.New(sha256.New, []byte(apiSecret))
	m.Write([]byte("baohan doctor probe\x00" + nonce + "\x00" + strconv.Itoa(pid)))
	return hex.EncodeToString(m.Sum(nil))
}

// validNonce: 16 to 64 characters of [0-9A-Za-z], so that the work an
// unauthenticated probe costs stays bounded.
func validNonce(s string) bool {
	if len(s) < 16 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

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
	if nonce := r.URL.Query().Get("probe"); nonce != "" {
		if !validNonce(nonce) || s.cfg.APISecret == "" {
			writeJSON(w, http.StatusBadRequest, answerBytes(platform.StatusFailed, "probe 参数无效", nil))
			return
		}
		writeJSON(w, http.StatusOK, okAnswer(map[string]string{"probe": ProbeAnswer(s.cfg.APISecret, nonce, os.Getpid())}))
		return
	}
	writeJSON(w, http.StatusOK, okAnswer(nil))
}

// Healthy asks the listener at base (host:port or a URL) for GET /healthz
// and tells whether it answered HTTP 200 within timeout: the same check the
// handler above answers, from the outside (the desk's status bar asks its
// own listener, a running `baohan serve` and the public URL with it).
func Healthy(ctx context.Context, base string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
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
	f, err := store.CreateOwned(s.spool, "probe-*")
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

// CallbackPaths are the seven callback paths the listener serves, in the
// manual's order (interface.md, Callback URLs).
func CallbackPaths() []string {
	out := make([]string, 0, len(endpoints))
	for _, ep := range endpoints {
		out = append(out, ep.path)
	}
	return out
}
