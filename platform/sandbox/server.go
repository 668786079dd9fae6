// Package sandbox is the Fuzhou e-guarantee platform simulated: a real HTTP
// server speaking the platform's side of the protocol (the API of the
// manual's sections 1.1 to 4.1 at /api/guarantor/v1/), a sender of the
// platform's callbacks (2.1, 2.4, 2.6, 2.7, 2.8, 2.10, 3.1) with the manual's
// retry schedule, faults on demand, and a stream of realistic business for
// `baohan sandbox`. The test suite uses it over loopback.
//
// It uses the codec of package platform for sign and RSA, so it proves the
// client and listener against the protocol as the project reads it
// (shared/reference/protocol.md), not against a second implementation.
package sandbox

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"baohan/platform"
)

// APIPath is where the platform's API is served (one URL for every method).
const APIPath = "/api/guarantor/v1/"

// DefaultRetrySchedule is the manual's callback schedule (通知频率
// 15/15/30/180/1800/1800/1800/1800/3600 秒): the waits between attempts, so a
// callback is tried at most 10 times.
var DefaultRetrySchedule = []time.Duration{
	15 * time.Second, 15 * time.Second, 30 * time.Second, 180 * time.Second,
	1800 * time.Second, 1800 * time.Second, 1800 * time.Second, 1800 * time.Second, 3600 * time.Second,
}

// Defaults of Options.
const (
	DefaultTokenTTL        = 2 * time.Hour
	DefaultFileURLTTL      = 2 * time.Hour
	DefaultCallbackTimeout = 20 * time.Second
	DefaultGuarantorName   = "福州某某融资担保有限公司"
)

// Options configure a Server. Zero values get the defaults noted.
type Options struct {
	APIKey    string
	APISecret string
	BtcID     int64

	// PlatformKey is api_rsa_sk: it decrypts get_access_token (1.1). Its
	// public half is the guarantor's api_rsa_pk.
	PlatformKey *rsa.PrivateKey
	// GuarantorKey is the pair rsa_pk/rsa_sk issued to the guarantor: the
	// platform keeps rsa_sk to decrypt business calls and encrypts callbacks
	// with rsa_pk.
	GuarantorKey *rsa.PrivateKey

	// CallbackBase is the guarantor listener's base URL, e.g.
	// "http://127.0.0.1:8720"; callbacks go to CallbackBase + the paths of
	// interface.md. Empty: no callbacks are sent by the API's side effects
	// (Send reports ErrNoCallbackBase).
	CallbackBase string
	// BaseURL is the sandbox's own root URL as the guarantor reaches it, for
	// the file URLs of 2.1 and 4.1. Start sets it when empty; answers to API
	// calls use the request's Host.
	BaseURL string

	RetrySchedule   []time.Duration // default DefaultRetrySchedule
	CallbackTimeout time.Duration   // per callback attempt; default 20 s
	TokenTTL        time.Duration   // default 2 h, sliding: each use extends it
	FileURLTTL      time.Duration   // default 2 h
	Now             func() time.Time
	Logger          *slog.Logger // default: discard
	GuarantorName   string       // 保证人 used in generated claims before any push; default DefaultGuarantorName

	// Mean makes the platform behave as a real one may (issue 9): every
	// callback is repeated re-signed after it was acknowledged, a 2.4 is
	// followed by a late retry of the order's previous transition, names in
	// 2.8 and 3.1 come in other (full-width/half-width, spaced) forms, each
	// new order's 2.1 is repeated with changed content, revocations name a
	// guarantee the guarantor never issued, and 2.9 answers carry an empty
	// {} error (error_total counting it) or a string data. Every
	// MeanLoseEvery-th successful call of a method that changes the
	// platform's records (2.3, 2.5, 2.9, 2.11, 3.2) is carried out and its
	// answer lost (the connection closed unanswered), so that the caller's
	// reconcile is exercised.
	Mean bool
}

// MeanLoseEvery: in mean mode, the answer of every third successful
// state-changing call of each method is lost after the platform acted.
const MeanLoseEvery = 3

// Server is the simulated platform. Its methods are safe for concurrent use.
type Server struct {
	opt Options
	log *slog.Logger

	ctx    context.Context // cancelled by Close: stops deliveries and the stream
	cancel context.CancelFunc
	wg     sync.WaitGroup // deliveries and stream timers

	hc *http.Client // for callbacks

	mu          sync.Mutex
	baseURL     string
	httpSrv     *http.Server
	closed      bool
	tokens      map[string]time.Time // access_token -> expiry
	fileTokens  map[string]fileToken
	orders      map[string]*Order
	orderSeq    []string // order numbers in arrival order
	guarantees  map[string]*Guarantee
	guarSeq     []string
	revocations map[string]*Revocation
	revSeq      []string
	claims      map[string]*Claim
	claimSeq    []string
	files       map[string]*StoredFile
	calls       []Call
	faults      map[string][]*Fault
	deliveries  []*Delivery
	observers   []func(Event)
	serial      uint64                                // last serial_num issued
	removeCalls int                                   // 2.9 calls answered (mean mode alternates its answers)
	actedCalls  map[string]int                        // mean mode: state-changing calls that succeeded, by method
	lastNotice  map[string]platform.OrderStatusNotice // mean mode: each order's last 2.4, for late retries
	seq         uint64                                // for order, revocation, claim and file numbers
}

// New makes a Server; it serves nothing until Handler is mounted or Start
// is called.
func New(opt Options) *Server {
	if opt.RetrySchedule == nil {
		opt.RetrySchedule = DefaultRetrySchedule
	}
	if opt.CallbackTimeout <= 0 {
		opt.CallbackTimeout = DefaultCallbackTimeout
	}
	if opt.TokenTTL <= 0 {
		opt.TokenTTL = DefaultTokenTTL
	}
	if opt.FileURLTTL <= 0 {
		opt.FileURLTTL = DefaultFileURLTTL
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.GuarantorName == "" {
		opt.GuarantorName = DefaultGuarantorName
	}
	opt.CallbackBase = strings.TrimRight(opt.CallbackBase, "/")
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		opt: opt, log: log, ctx: ctx, cancel: cancel,
		hc:          &http.Client{},
		baseURL:     strings.TrimRight(opt.BaseURL, "/"),
		tokens:      map[string]time.Time{},
		fileTokens:  map[string]fileToken{},
		orders:      map[string]*Order{},
		lastNotice:  map[string]platform.OrderStatusNotice{},
		guarantees:  map[string]*Guarantee{},
		revocations: map[string]*Revocation{},
		claims:      map[string]*Claim{},
		files:       map[string]*StoredFile{},
		faults:      map[string][]*Fault{},
		serial:      806097210890174000 + uint64(randIntN(500)),
		seq:         uint64(1813000000 + randIntN(900000)),
	}
}

func (s *Server) now() time.Time { return s.opt.Now() }

// Handler serves the API (POST /api/guarantor/v1, with or without the
// trailing slash), the file downloads of 4.1 (GET /files/{id}?token=...)
// and a test time-stamp authority (TSAPath).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/guarantor/v1", s.serveAPI)
	mux.HandleFunc("POST "+APIPath, s.serveAPI)
	mux.HandleFunc("GET /files/{id}", s.serveFile)
	tsa := newTSA(s.now) // a test TSA beside the API (tsa.go)
	mux.Handle("POST "+TSAPath, tsa)
	mux.HandleFunc("GET "+TSAPath+".pem", tsa.serveCert)
	return mux
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves Handler. It returns
// the API URL the guarantor's config takes as platform.base_url, e.g.
// "http://127.0.0.1:41234/api/guarantor/v1/".
func (s *Server) Start(addr string) (baseURL string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sandbox listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	root := "http://" + ln.Addr().String()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return "", errors.New("sandbox is closed")
	}
	if s.httpSrv != nil {
		s.mu.Unlock()
		ln.Close()
		return "", errors.New("sandbox already started")
	}
	s.httpSrv = srv
	if s.baseURL == "" {
		s.baseURL = root
	}
	s.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("sandbox server stopped", "err", err)
		}
	}()
	s.log.Info("模拟平台已启动", "url", root+APIPath)
	return root + APIPath, nil
}

// URL is the sandbox's root URL ("" before Start unless Options.BaseURL).
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// SetCallbackBase points callbacks at the guarantor's listener once it is
// known (the listener may start after the sandbox).
func (s *Server) SetCallbackBase(base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.CallbackBase = strings.TrimRight(base, "/")
}

func (s *Server) callbackBase() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opt.CallbackBase
}

// Close stops the server, the stream and every pending callback delivery,
// and waits for them. Requests held by a delay fault end too.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv := s.httpSrv
	s.mu.Unlock()
	s.cancel()
	var err error
	if srv != nil {
		err = srv.Close()
	}
	s.wg.Wait()
	return err
}

// Call is one API call as the sandbox answered it.
type Call struct {
	Time    time.Time
	Method  string // the manual's method ("" when param could not be read)
	Status  int    // JSON status answered (0 when the answer was not JSON)
	HTTP    int    // HTTP status code (0 when the connection was dropped)
	Fault   string // the fault applied, if any
	Dropped bool   // processed, then the connection closed without an answer
}

// Calls is the log of API calls, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CountCalls counts the calls of a method (every method when "").
func (s *Server) CountCalls(method string) int {
	n := 0
	for _, c := range s.Calls() {
		if method == "" || c.Method == method {
			n++
		}
	}
	return n
}

func (s *Server) logCall(c Call) {
	c.Time = s.now()
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	s.log.Info("平台收到调用", "method", c.Method, "status", c.Status, "fault", c.Fault)
}

// Event is something that happened on the platform, for the stream.
type Event struct {
	Kind        string // one of the Event* constants
	OrderNo     string
	OrderStatus string
	GuaranteeNo string
	ClaimNo     string
	RevokeNo    string
}

// Event kinds.
const (
	EventOrderApplied   = "order_applied"   // 2.1 acknowledged; OrderStatus is the answer's
	EventOrderStatus    = "order_status"    // 2.3 from the guarantor
	EventOrderCancelled = "order_cancelled" // 2.11
	EventPushed         = "pushed"          // 2.5
	EventReleased       = "released"        // 2.9 (one event per released guarantee)
	EventClaimResult    = "claim_result"    // 3.2
)

// Observe registers fn to be told of every event. fn runs on the goroutine
// that caused the event and must not block.
func (s *Server) Observe(fn func(Event)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observers = append(s.observers, fn)
}

func (s *Server) emit(e Event) {
	s.mu.Lock()
	obs := slices.Clone(s.observers)
	s.mu.Unlock()
	for _, fn := range obs {
		fn(e)
	}
}

// nextSeq returns a fresh number for identifiers.
func (s *Server) nextSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq += 1 + uint64(randIntN(7))
	return s.seq
}
