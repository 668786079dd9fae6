package listener

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"

	_ "modernc.org/sqlite"
)

const testSecret = "761f56b84529ec6c38192608d304cb05006da3aaf7c6793b74fea4f1f52b3e8a"

var (
	keysOnce  sync.Once
	testKey   *rsa.PrivateKey // rsa_sk of the guarantor
	otherKey  *rsa.PrivateKey // a key that is not ours
	keysError error
)

func keys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		testKey, keysError = rsa.GenerateKey(rand.Reader, 2048)
		if keysError == nil {
			otherKey, keysError = rsa.GenerateKey(rand.Reader, 2048)
		}
	})
	if keysError != nil {
		t.Fatal(keysError)
	}
	return testKey, otherKey
}

// env is a listener on a fresh store, served over loopback, with the
// sandbox as the platform sending callbacks.
type env struct {
	t       testing.TB
	dir     string
	st      *store.Store
	srv     *Server
	ts      *httptest.Server
	sb      *sandbox.Server
	key     *rsa.PrivateKey
	fetcher *fakeFetcher
	now     time.Time
	logs    *lockedBuffer
}

type envOption func(*Config)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	key, _ := keys(t)
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir, st: st, key: key, fetcher: &fakeFetcher{}, logs: &lockedBuffer{}}
	e.now = time.Now()
	cfg := Config{
		Addr:       "127.0.0.1:0",
		APISecret:  testSecret,
		PrivateKey: key,
		Apply:      platform.ApplyAnswer{OrderStatus: "WAIT_FIRST_TRAIL", PayMethod: "REDIRECT", RedirectURL: "https://pay.example.cn/p", Statement: "请按提示支付保费"},
		Logger:     slog.New(slog.NewTextHandler(e.logs, nil)),
		Fetcher:    e.fetcher,
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.srv = New(cfg, st)
	e.ts = httptest.NewServer(e.srv.Handler())
	e.sb = sandbox.New(sandbox.Options{APIKey: "k", APISecret: testSecret, BtcID: 123, GuarantorKey: key,
		CallbackBase: e.ts.URL, CallbackTimeout: time.Minute})
	t.Cleanup(func() {
		e.sb.Close()
		e.ts.Close()
		_ = e.srv.Shutdown(context.Background())
		st.Close()
	})
	return e
}

// lockedBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

// ReadFrom writes through the lock (the embedded Buffer's ReadFrom, which
// os/exec's copying would find, does not lock).
func (b *lockedBuffer) ReadFrom(r io.Reader) (int64, error) {
	var n int64
	buf := make([]byte, 32<<10)
	for {
		m, err := r.Read(buf)
		if m > 0 {
			b.Write(buf[:m])
			n += int64(m)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.String()
}

// fakeFetcher records RefreshOrder calls.
type fakeFetcher struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeFetcher) RefreshOrder(ctx context.Context, orderNo string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, orderNo)
	return f.err
}

func (f *fakeFetcher) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// reply is a decoded answer.
type reply struct {
	HTTP   int
	Status int             `json:"status"`
	Msg    string          `json:"msg"`
	Data   json.RawMessage `json:"data"`
	Raw    []byte
}

// send makes one attempt of a callback through the sandbox.
func (e *env) send(cb sandbox.Callback) reply {
	e.t.Helper()
	param, err := e.sb.SealParam(cb.Msg)
	if err != nil {
		e.t.Fatal(err)
	}
	ct, body, err := sandbox.EncodeBody(param, cb.Multipart || len(cb.Files) > 0 || isMultipartPath(cb.Path), cb.Files...)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.post(cb.Path, ct, body)
}

// sendOnce sends through sandbox.SendOnce (the platform's own sender) and
// returns the status and raw answer.
func (e *env) sendOnce(cb sandbox.Callback) (int, []byte) {
	e.t.Helper()
	status, answer, err := e.sb.SendOnce(context.Background(), cb)
	if err != nil && status == 0 {
		e.t.Fatalf("send %s: %v", cb.Path, err)
	}
	return status, answer
}

func isMultipartPath(p string) bool {
	return p == sandbox.PathVerify || p == sandbox.PathRevoke || p == sandbox.PathClaim
}

// post sends a raw body.
func (e *env) post(path, contentType string, body []byte) reply {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) reply {
	e.t.Helper()
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := reply{HTTP: resp.StatusCode, Raw: raw}
	if err := json.Unmarshal(raw, &r); err != nil {
		e.t.Fatalf("%s %s: answer is not JSON: %q", req.Method, req.URL.Path, raw)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.t.Errorf("%s: Content-Type %q", req.URL.Path, ct)
	}
	return r
}

// sealWith seals msg with any secret and key, with a fresh timestamp unless
// msg has one.
func sealWith(t testing.TB, secret string, pub *rsa.PublicKey, msg any) string {
	t.Helper()
	f, err := platform.ToFields(msg)
	if err != nil {
		t.Fatal(err)
	}
	if platform.FieldText(f["timestamp"]) == "" {
		f["timestamp"], _ = json.Marshal(platform.Timestamp(time.Now()))
	}
	p, err := platform.Seal(secret, pub, f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// want checks an answer's HTTP and JSON status.
func (r reply) want(t testing.TB, httpCode, status int) {
	t.Helper()
	if r.HTTP != httpCode || r.Status != status {
		t.Fatalf("answer HTTP %d %s, want HTTP %d status %d", r.HTTP, r.Raw, httpCode, status)
	}
}

// --- seeding ---

func (e *env) update(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.st.Update(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

// seedIssued stores an order and a pushed guarantee for it.
func (e *env) seedIssued(orderNo, guaranteeNo, serial, pdfSHA string) (store.Order, store.Guarantee) {
	e.t.Helper()
	o := store.Order{
		OrderNo: orderNo, OrderStatus: "HAS_OUT_GUARANTEE", BlockNumber: "E3501000001" + orderNo[len(orderNo)-3:],
		BlockName: "福州市鼓楼区某某小学改造工程施工（标段一）", Principal: "福建某某建设工程有限公司",
		Creditor: "福州市鼓楼区教育局", GuaranteeAmount: "80000.00", BidDeadline: "2026-03-11 09:30",
		ValidDay: "90", ProjectType: "construction",
	}
	g := store.Guarantee{
		GuaranteeNo: guaranteeNo, OrderNo: orderNo, SerialNum: serial, BlockNumber: o.BlockNumber,
		BlockName: o.BlockName, Principal: o.Principal, Creditor: o.Creditor, Guarantor: "福州某某融资担保有限公司",
		PDFSHA256: pdfSHA, PDFSize: 1000, OutGuaranteeTime: "2026-03-01 10:00:00", PushedAt: time.Now().UnixMilli(),
	}
	e.update(func(tx *store.Tx) error {
		if err := tx.UpsertOrder(o); err != nil {
			return err
		}
		return tx.PutGuarantee(g)
	})
	return o, g
}

// --- the store's state, for "nothing stray" ---

// snapshot is every table's row count, the file store's files and the
// spool's files.
type snapshot struct {
	tables map[string]int
	files  []string
	spool  []string
}

func (e *env) snapshot() snapshot {
	e.t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.dir, store.DBName)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	s := snapshot{tables: map[string]int{}}
	for _, n := range names {
		var c int
		if err := db.QueryRow(`SELECT count(*) FROM "` + n + `"`).Scan(&c); err != nil {
			e.t.Fatal(err)
		}
		s.tables[n] = c
	}
	s.files = listFiles(e.t, filepath.Join(e.dir, "files"))
	s.spool = listFiles(e.t, filepath.Join(e.dir, "spool"))
	return s
}

func listFiles(t testing.TB, root string) []string {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// sameAs fails when anything was added to the store since before.
func (s snapshot) sameAs(t testing.TB, before snapshot) {
	t.Helper()
	for n, c := range s.tables {
		if n == "health" {
			continue
		}
		if c != before.tables[n] {
			t.Errorf("table %s has %d rows, had %d", n, c, before.tables[n])
		}
	}
	if strings.Join(s.files, ",") != strings.Join(before.files, ",") {
		t.Errorf("file store has %v, had %v", s.files, before.files)
	}
	if len(s.spool) != 0 {
		t.Errorf("spool not empty: %v", s.spool)
	}
}

// count is the number of rows of a table.
func (s snapshot) count(table string) int { return s.tables[table] }

// readTestPDF reads a fixture of testdata/pdf.
func readTestPDF(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "pdf", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// concurrently runs fn n times at once and waits.
func concurrently(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// events returns all events, oldest first.
func (e *env) events() []store.Event {
	e.t.Helper()
	ev, err := e.st.EventsAfter(context.Background(), 0, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return ev
}

func tsAgo(d time.Duration) string { return platform.Timestamp(time.Now().Add(-d)) }
