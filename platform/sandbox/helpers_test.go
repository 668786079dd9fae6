package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"baohan/platform"
)

var (
	keysOnce sync.Once
	keys     *Keys
	keysErr  error
)

// testKeys generates the RSA pairs once for the whole test binary.
func testKeys(t *testing.T) *Keys {
	t.Helper()
	keysOnce.Do(func() { keys, keysErr = NewKeys() })
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keys
}

// env is a started sandbox and a platform.Client pointed at it.
type env struct {
	t      *testing.T
	keys   *Keys
	s      *Server
	url    string
	client *platform.Client
}

func newEnv(t *testing.T, tweak ...func(*Options)) *env {
	t.Helper()
	k := testKeys(t)
	opt := k.Options()
	opt.RetrySchedule = []time.Duration{time.Millisecond, time.Millisecond}
	for _, f := range tweak {
		f(&opt)
	}
	s := New(opt)
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &env{t: t, keys: k, s: s, url: url}
	e.client = e.newClient(nil)
	return e
}

// newClient makes a client; tweak changes its config.
func (e *env) newClient(tweak func(*platform.ClientConfig)) *platform.Client {
	cfg := platform.ClientConfig{
		BaseURL: e.url, APIKey: e.keys.APIKey, APISecret: e.keys.APISecret, BtcID: e.keys.BtcID,
		PlatformPublicKey: &e.keys.PlatformKey.PublicKey, PublicKey: &e.keys.GuarantorKey.PublicKey,
		Timeout: 10 * time.Second,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	return platform.NewClient(cfg, nil, nil)
}

// order stores a generated order in the given state.
func (e *env) order(state string) Order {
	o := e.s.GenerateOrder(OrderSpec{Status: state})
	if state == platform.OrderWaitOutGuarantee {
		o.OrderAmount = guaranteeFee(string(o.GuaranteeAmount))
	}
	e.s.PutOrder(o)
	return o
}

// push pushes a guarantee for an order through the client.
func (e *env) push(o Order, guaranteeNo string) (platform.SerialNum, []byte, error) {
	pdf := MinimalPDF("Guarantee "+guaranteeNo, "Order "+string(o.OrderNo))
	req := pushRequest(o, guaranteeNo, pdf)
	serial, err := e.client.PushGuarantee(context.Background(), req, guaranteeNo+".pdf", pdf)
	return serial, pdf, err
}

func pushRequest(o Order, guaranteeNo string, pdf []byte) platform.PushGuaranteeRequest {
	sum := sha256.Sum256(pdf)
	return platform.PushGuaranteeRequest{
		OrderNo: string(o.OrderNo), GuaranteeNo: guaranteeNo,
		Principal: string(o.Principal), Creditor: string(o.Creditor), Guarantor: DefaultGuarantorName,
		OutGuaranteeTime: time.Now().In(platform.CST).Format(platform.DateTimeLayout),
		GuaranteePDFHash: hex.EncodeToString(sum[:]),
		GuaranteeState:   "1", GuaranteeItem: string(o.BlockName) + "投标保证", GuaranteeType: "1",
		BlockNumber: string(o.BlockNumber), BlockName: string(o.BlockName), Applicant: string(o.Principal),
		GuaranteeAmount: string(o.GuaranteeAmount), GuaranteeApplyTime: time.Now().In(platform.CST).Format(platform.DateTimeLayout),
		GuaranteeStartDate: "2026-12-08", GuaranteeEndDate: "2027-04-06",
	}
}

// wantStatus asserts err is a platform refusal with code.
func wantStatus(t *testing.T, err error, code int) {
	t.Helper()
	if !platform.IsStatus(err, code) {
		t.Fatalf("want status %d (%s), got %v", code, platform.StatusText(code), err)
	}
}

// received is one callback as the fake listener got it.
type received struct {
	Path   string
	Fields platform.Fields
	Files  map[string][]byte
	Names  map[string]string
	Multi  bool
}

func (r received) str(name string) string { return platform.FieldText(r.Fields[name]) }

// fakeListener is a minimal guarantor listener: it opens param with rsa_sk,
// checks the sign, records the callback and answers.
type fakeListener struct {
	t      *testing.T
	srv    *httptest.Server
	key    *Keys
	mu     sync.Mutex
	got    []received
	failN  int // answer HTTP 500 to the first failN requests
	hits   int
	hitCh  chan string // the path of every request, when not nil
	answer func(r received) (status int, data any)
}

func newFakeListener(t *testing.T, k *Keys) *fakeListener {
	l := &fakeListener{t: t, key: k}
	l.srv = httptest.NewServer(http.HandlerFunc(l.serve))
	t.Cleanup(l.srv.Close)
	return l
}

func (l *fakeListener) serve(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.hits++
	hit, failN, ch := l.hits, l.failN, l.hitCh
	l.mu.Unlock()
	if ch != nil {
		defer func() { ch <- r.URL.Path }()
	}
	if hit <= failN {
		http.Error(w, "<html>busy</html>", http.StatusInternalServerError)
		return
	}
	rec := received{Path: r.URL.Path, Files: map[string][]byte{}, Names: map[string]string{}}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if strings.HasPrefix(mt, "multipart/") {
		rec.Multi = true
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			writeJSON(w, map[string]any{"status": 404, "msg": err.Error()})
			return
		}
		for field, fhs := range r.MultipartForm.File {
			f, _ := fhs[0].Open()
			b, _ := io.ReadAll(f)
			f.Close()
			rec.Files[field], rec.Names[field] = b, fhs[0].Filename
		}
	} else if err := r.ParseForm(); err != nil {
		writeJSON(w, map[string]any{"status": 404, "msg": err.Error()})
		return
	}
	f, _, err := platform.Open(l.key.APISecret, l.key.GuarantorKey, r.PostFormValue("param"), nil)
	if err != nil {
		code := platform.StatusDecryptFailed
		if err == platform.ErrSign {
			code = platform.StatusSignFailed
		}
		writeJSON(w, map[string]any{"status": code, "msg": err.Error()})
		return
	}
	rec.Fields = f
	l.mu.Lock()
	l.got = append(l.got, rec)
	status, data := 200, any(nil)
	if l.answer != nil {
		status, data = l.answer(rec) // under l.mu: answers may keep state
	}
	l.mu.Unlock()
	out := map[string]any{"status": status}
	if data != nil {
		out["data"] = data
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (l *fakeListener) hitCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hits
}

// received returns the callbacks received on path.
func (l *fakeListener) received(path string) []received {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []received
	for _, r := range l.got {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// waitDone waits for a delivery; the bound only keeps a broken test from
// hanging.
func waitDone(t *testing.T, d *Delivery) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case <-d.Done():
	case <-ctx.Done():
		t.Fatalf("delivery to %s did not end", d.Path())
	}
}

// clock is a settable clock safe for the server's goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
