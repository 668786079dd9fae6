// Package listener is the inbound side of baohan: the HTTP server that
// receives the platform's seven callbacks (manual 2.1, 2.4, 2.6, 2.7, 2.8,
// 2.10, 3.1), checks each one before touching anything (decrypt with rsa_sk,
// verify the sign, timestamp bounds, required fields, the manual's 假通知
// checks against the store), stores what it accepts in one transaction with
// its files and an event, and answers only after that transaction commits.
//
// One file per callback: apply_guarantee.go (2.1), order_status.go (2.4),
// verify.go (2.6), query.go (2.7), revoke.go (2.8), release_query.go (2.10),
// claim.go (3.1), healthz.go. What they share is in intake.go (reading the
// body, multipart spooling, decrypting), answer.go (answers and refusals) and
// files.go (file names, sniffing).
//
// # Answers
//
// Every answer is JSON, `{"status":200}` plus `data` where the manual
// defines one; a refusal is `{"status":N,"msg":"..."}`. The codes, decided
// here because the manual gives callbacks no table of their own except 5.5
// (2.6) and 5.6 (2.7):
//
//   - cannot decrypt (not base64, other key, garbage, not JSON): 1000 解密失败
//     (2.6: 2606), one identical answer for all of them (no padding oracle);
//   - sign wrong: 1001 验签失败 (2.6: 2607);
//   - missing field (absent; the identifying ones - numbers, states,
//     timestamp, request_method - also when empty): 404 "参数缺失：<field>"
//     (2.6: 2600 serial_num, 2601 guarantee_pdf; 2.7: 2700 guarantee_no,
//     2701 serial_num); 3.1 also needs the files guarantee_pdf and
//     attach_file0 (manual 必须=是);
//   - timestamp over 24 h old or over 10 min ahead: 404 "timestamp 超出允许范围";
//   - 假通知 (a revocation or claim naming a guarantee we did not issue, a
//     serial or party that does not match, a declaration file whose SHA-256
//     differs from revoke_guarantee_declare_file_hash): 404 with a Chinese
//     message naming what does not match (2.7 unknown guarantee: 2702);
//   - wrong content type, malformed body, body or file too large: 404 with a
//     message (2.6: 2604 接收失败, 2603 过大, 2602 不是 PDF);
//   - source not in [listener] allow_from: HTTP 403, status 1013;
//   - a method other than POST: HTTP 405, status 404;
//   - 2.6 for a serial we never issued: 2605 无法识别该文件; a PDF check that
//     ran out of time: 2608 请求超时;
//   - the store cannot take the write (disk full, read-only, locked too long),
//     or the spool folder cannot take an uploaded file: HTTP 500, status 404
//     "系统繁忙，请重试" (2.6: 2609, 2.7: 2706), so that the platform repeats;
//     nothing is half-written and a fault event is written if the store
//     still takes one;
//   - the listener is busy: the RSA queue is full or the request waited too
//     long for it (admit.go), the spool budget of requests not yet
//     authenticated is used up, or the disk is below the free-space reserve
//     (spool.go): HTTP 503, status 404 (2.6: 2609, 2.7: 2706) "系统繁忙，
//     请重试"; the platform repeats. Below the reserve a fault event tells
//     the clerk (at most one per 10 minutes);
//   - a param of more than MaxParamBlocks RSA blocks: 404 "param 超过 2048
//     个加密块的上限", before any RSA work;
//   - a multipart part whose Content-Disposition cannot be parsed, a file
//     field the manual does not name for the callback (attach_file01, a
//     file on 2.4), a duplicated form field (param=A&param=B) or file
//     field, an empty required file (2.6 guarantee_pdf, 3.1 guarantee_pdf
//     and attach_file0): 404 with a message naming it, never a silent
//     acknowledgement without the file;
//
// All other refusals are HTTP 200: the platform reads the JSON status.
// A refused callback leaves no trace in the store: no record, no file, no
// event; only a log line (method, remote address, reason, never the
// decrypted content). One exception: an authentic (decrypted, signed)
// callback refused because its timestamp is over 10 minutes ahead of our
// clock writes a fault event naming the clock difference, at most one per
// 10 minutes, because every callback will be refused until a clock is
// corrected and the clerk must learn why.
//
// # Idempotency
//
// 2.1, 2.4, 2.8 and 3.1 go through store.Callback under the keys of
// protocol.md (2.1 order_no; 2.4 order_no/order_status; 2.8 revoke_no; 3.1
// claim_no/status): the lookup and the write are one IMMEDIATE transaction,
// so a repeat, sequential or concurrent, finds the first answer and gets it
// verbatim. The timestamp and the store-backed 假通知 checks run inside that
// transaction, after the lookup, so a repeat of an accepted callback is
// answered as the first even if its timestamp has aged since (the checks of
// the message alone - fields, files, declaration hash - run before). 2.6, 2.7 and 2.10 are queries:
// no idempotency row, one event each.
//
// # Files
//
// Multipart bodies are read part by part (never ParseMultipartForm); each
// file is streamed, hashed on the way, to a spool folder beside the store
// (DIR/spool), never whole in memory, at most MaxFileBytes each and
// MaxBodyBytes in all. When param comes before the files, as the platform
// sends it, it is decrypted and its sign checked before any file is read,
// so that a forged request costs no disk; files before param count against
// a budget shared by all requests not yet authenticated, and no upload may
// take the disk below a free-space reserve (spool.go). Only once the
// callback passed every check are its files copied into the
// content-addressed file store (store.PutFile), inside the callback's
// transaction; the spool is emptied when the request ends. A refused
// callback therefore leaves no file behind, and no blob is ever deleted
// from the file store (another record may share it). Spool files and file
// store temps are held locked by their owner while in use; what a killed
// process left, nobody holds, and it is removed at the next start and
// every SweepEvery, whatever its age, with the bytes reclaimed in the log.
package listener

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"baohan/pdfsign"
	"baohan/platform"
	"baohan/store"
)

// Server timeouts.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second
	WriteTimeout      = 90 * time.Second
	IdleTimeout       = 15 * time.Second // an idle keep-alive holds a descriptor (conns.go)
)

// Limits.
const (
	// DefaultMaxFileBytes bounds each uploaded file (the listener's own
	// limit, as large as a pushed guarantee may be); the manual's 10 MB
	// applies to claim attachments only (MaxAttachmentBytes, 3.1).
	DefaultMaxFileBytes = 50 << 20
	// DefaultMaxBodyBytes bounds a whole multipart body: guarantee_pdf plus
	// several attachments.
	DefaultMaxBodyBytes = 64 << 20
	// MaxParamBytes bounds the param field and a url-encoded body.
	MaxParamBytes = 1 << 20
	// MaxParts bounds the number of parts of a multipart body.
	MaxParts = 200
	// FetchTimeout bounds the 2.2 refresh of an unknown order.
	FetchTimeout = 60 * time.Second
)

// OrderFetcher refreshes an order from the platform (2.2 get_guarantee_info)
// and stores it. The workflows layer implements it.
type OrderFetcher interface {
	RefreshOrder(ctx context.Context, orderNo string) error
}

// Config is what the listener needs.
type Config struct {
	// Addr is host:port to listen on; default platform.DefaultListenerAddr
	// (loopback).
	Addr string
	// APISecret checks the sign (5.1).
	APISecret string
	// PrivateKey is rsa_sk: it decrypts every callback.
	PrivateKey *rsa.PrivateKey
	// Apply is the synchronous answer to 2.1 ([apply] in the config).
	Apply platform.ApplyAnswer
	// AllowFrom, when not empty, lists the addresses or CIDR ranges the
	// callbacks may come from; TrustedProxy lists the proxies (the tunnel)
	// whose X-Forwarded-For is believed.
	AllowFrom, TrustedProxy []string
	// MaxFileBytes bounds each uploaded file (default DefaultMaxFileBytes);
	// MaxBodyBytes a whole body (default DefaultMaxBodyBytes).
	MaxFileBytes int64
	MaxBodyBytes int64
	// SpoolBudgetBytes bounds the spool space held by all requests not yet
	// authenticated together (default DefaultSpoolBudget); FreeReserveBytes
	// is the free disk space below which uploads are refused with HTTP 503
	// (default DefaultFreeReserve; negative: no reserve). See spool.go.
	SpoolBudgetBytes int64
	FreeReserveBytes int64
	// RSAWait bounds the time one request may wait for RSA workers in all
	// (default MaxRSAWait; admit.go).
	RSAWait time.Duration
	// PDF tunes the 2.6 check.
	PDF pdfsign.Options
	// Now is the clock for the timestamp check (default time.Now).
	Now func() time.Time
	// Logger receives one line per request (default: discard).
	Logger *slog.Logger
	// Fetcher, when set, is asked to fetch an order that a 2.4 status update
	// named but the store did not know.
	Fetcher OrderFetcher
}

// Server is the callback listener. It is safe for concurrent use.
type Server struct {
	cfg   Config
	st    *store.Store
	log   *slog.Logger
	allow []*net.IPNet
	proxy []*net.IPNet
	spool string
	h     http.Handler
	// rsa schedules the RSA work of decrypting params (admit.go).
	rsa *rsaGate
	// checks bounds the 2.6 checks at once (checkgate.go).
	checks *checkGate
	// budget is the spool space of requests not yet authenticated.
	budget *spoolBudget
	// repeats is the spool space of authenticated repeats whose files
	// differ from the first delivery's (repeat.go).
	repeats repeatBudget
	// spooled counts the bytes ever written to the spool; rsaBlocks the RSA
	// blocks ever decrypted.
	spooled   atomic.Int64
	rsaBlocks atomic.Int64

	stopSweep chan struct{}
	sweepDone chan struct{}
	stopOnce  sync.Once

	baseCtx context.Context
	cancel  context.CancelFunc
	bg      sync.WaitGroup // background fetches
	// loops is the settle loop (SettleOrders every SettleEvery); stopLoops
	// ends it at Shutdown.
	loops     sync.WaitGroup
	stopLoops chan struct{}

	mu       sync.Mutex
	srv      *http.Server
	conns    *connLimiter // the connection cap of srv (conns.go)
	addr     string
	shutdown bool // Shutdown was called: Serve refuses to start
	closing  bool // HTTP drained: no new background fetch starts

	// testHookRequest, when set, runs as a callback request starts.
	testHookRequest func(path string)

	health healthCache

	skewMu sync.Mutex
	skewAt time.Time // last clock-skew fault event

	diskMu sync.Mutex
	diskAt time.Time // last low-disk fault event
}

// New makes a Server for the store. Malformed AllowFrom or TrustedProxy
// entries are logged and ignored (the config loader has checked them).
func New(cfg Config, st *store.Store) *Server {
	if cfg.Addr == "" {
		cfg.Addr = platform.DefaultListenerAddr
	}
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.SpoolBudgetBytes <= 0 {
		cfg.SpoolBudgetBytes = DefaultSpoolBudget
	}
	if cfg.FreeReserveBytes == 0 {
		cfg.FreeReserveBytes = DefaultFreeReserve
	}
	if cfg.RSAWait <= 0 {
		cfg.RSAWait = MaxRSAWait
	}
	if cfg.Apply.OrderStatus == "" {
		cfg.Apply.OrderStatus = "WAIT_FIRST_TRAIL"
	}
	if cfg.Apply.PayMethod == "" {
		cfg.Apply.PayMethod = "REDIRECT"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, st: st, log: cfg.Logger,
		rsa:       newRSAGate(runtime.GOMAXPROCS(0), MaxRSARequests, cfg.RSAWait),
		checks:    newCheckGate(MaxConcurrentChecks),
		budget:    &spoolBudget{limit: cfg.SpoolBudgetBytes},
		stopSweep: make(chan struct{}), sweepDone: make(chan struct{})}
	s.allow = parseNets(cfg.AllowFrom, "allow_from", s.log)
	s.proxy = parseNets(cfg.TrustedProxy, "trusted_proxy", s.log)
	s.spool = filepath.Join(st.Dir(), "spool")
	if err := os.MkdirAll(s.spool, 0o700); err != nil {
		s.log.Error("create spool folder", "dir", s.spool, "err", err)
	}
	s.sweep("start")
	go s.sweeper(s.stopSweep)
	s.baseCtx, s.cancel = context.WithCancel(context.Background())
	s.h = s.routes()
	return s
}

func parseNets(list []string, key string, log *slog.Logger) []*net.IPNet {
	var out []*net.IPNet
	for _, a := range list {
		n, err := platform.ParseAddrOrCIDR(a)
		if err != nil {
			log.Warn("ignoring malformed listener address", "key", key, "value", a)
			continue
		}
		out = append(out, n)
	}
	return out
}

// Handler is the listener's HTTP handler: the callback paths of
// shared/interface.md and GET /healthz.
func (s *Server) Handler() http.Handler { return s.h }

func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return s.baseCtx },
	}
}

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown.
var ErrServerClosed = http.ErrServerClosed

// Serve accepts callbacks on ln until Shutdown; it then returns
// ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	if s.srv != nil {
		s.mu.Unlock()
		return errors.New("listener: already serving")
	}
	srv := s.httpServer()
	ln = s.limitConns(ln, srv) // conns.go
	s.srv = srv
	s.addr = ln.Addr().String()
	s.mu.Unlock()
	s.log.Info("listener serving", "addr", s.addr)
	if s.cfg.Fetcher != nil {
		s.mu.Lock()
		if !s.closing && s.stopLoops == nil {
			s.stopLoops = make(chan struct{})
			s.loops.Add(1)
			go s.settleLoop(s.stopLoops)
		}
		s.mu.Unlock()
	}
	return srv.Serve(ln)
}

// ListenAndServe listens on Config.Addr and serves until Shutdown.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ln)
}

// DrainTimeout is how long Run lets in-flight callbacks finish after its
// context ends: longer than WriteTimeout, so a request that is still within
// its own limits is never cut off.
const DrainTimeout = WriteTimeout + 10*time.Second

// Run listens on Config.Addr and serves until ctx ends (give it
// signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM) for `baohan
// serve`), then shuts down gracefully: in-flight callbacks are finished and
// answered, for at most drain (DrainTimeout when zero). It returns nil after
// a clean shutdown, or the listen, serve or shutdown error.
func (s *Server) Run(ctx context.Context, drain time.Duration) error {
	if drain <= 0 {
		drain = DrainTimeout
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-served; err != nil && !errors.Is(err, ErrServerClosed) {
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	}
	return nil
}

// Addr is the address being served (the listener's real port when
// Config.Addr asked for port 0), or Config.Addr before Serve.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.addr != "" {
		return s.addr
	}
	return s.cfg.Addr
}

// Shutdown stops accepting callbacks, lets the requests in flight finish
// (each is answered after its commit), waits for background order fetches,
// and returns. If ctx ends first, the remaining work is cancelled and
// ctx's error returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.shutdown = true
	s.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.Shutdown(ctx)
	}
	// From here no new background fetch starts (a handler still running
	// after a timed-out Shutdown skips it), so Wait cannot race an Add.
	s.mu.Lock()
	s.closing = true
	if s.stopLoops != nil {
		close(s.stopLoops)
		s.stopLoops = nil
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.bg.Wait(); s.loops.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		if err == nil {
			err = ctx.Err()
		}
	}
	s.cancel()
	s.stopOnce.Do(func() { close(s.stopSweep) })
	<-s.sweepDone
	if err != nil {
		return fmt.Errorf("shut down listener: %w", err)
	}
	s.log.Info("listener stopped")
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, ep := range endpoints {
		mux.Handle(ep.path, s.callback(ep))
	}
	mux.HandleFunc("/healthz", s.healthz)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, answerBytes(platform.StatusFailed, "接口不存在："+r.URL.Path, nil))
	})
	return s.recoverer(mux)
}

// recoverer turns a panic into a logged HTTP 500.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic in handler", "path", r.URL.Path, "remote", r.RemoteAddr, "panic", fmt.Sprint(v), "stack", stack())
			writeJSON(w, http.StatusInternalServerError, answerBytes(platform.StatusFailed, "系统错误", nil))
		}()
		next.ServeHTTP(w, r)
	})
}
