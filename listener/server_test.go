package listener

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
)

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	get := func(method string) reply {
		req, _ := http.NewRequest(method, e.ts.URL+"/healthz", nil)
		return e.do(req)
	}
	get(http.MethodGet).want(t, http.StatusOK, 200)
	if !Healthy(context.Background(), e.ts.URL, 5*time.Second) {
		t.Error("Healthy: false for a healthy listener")
	}
	get(http.MethodPost).want(t, http.StatusMethodNotAllowed, 404)

	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/nothing/here", nil)
	e.do(req).want(t, http.StatusNotFound, 404)

	// A store that cannot take a write is unhealthy.
	e2 := newEnv(t)
	e2.st.Close()
	req, _ = http.NewRequest(http.MethodGet, e2.ts.URL+"/healthz", nil)
	r := e2.do(req)
	r.want(t, http.StatusServiceUnavailable, 404)
	if !strings.Contains(r.Msg, "存储不可写") {
		t.Errorf("msg %q", r.Msg)
	}
	if Healthy(context.Background(), strings.TrimPrefix(e2.ts.URL, "http://"), 5*time.Second) {
		t.Error("Healthy: true for a listener whose store cannot take a write")
	}
}

// TestStoreFailure: when the store cannot take the callback the answer is
// HTTP 500 (the platform repeats), nothing is half-written, a fault event
// is recorded, and the repeat succeeds once the store recovers.
func TestStoreFailure(t *testing.T) {
	e := newEnv(t)
	o, g := e.seedIssued("1813000701", "FZDB2026000701", "806097210890174701", "")
	cb := claimCallback(claimMsg("LP2026000701", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber), sandbox.MinimalPDF("保函"),
		sandbox.File{Field: "attach_file0", Name: "a.pdf", Data: sandbox.MinimalPDF("a")})
	// The file store's temp folder becomes a file: PutFile fails inside
	// the callback's transaction.
	tmp := filepath.Join(e.dir, "files", "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	before := e.snapshot()
	r := e.send(cb)
	r.want(t, http.StatusInternalServerError, 404)
	if r.Msg != msgBusy {
		t.Errorf("msg %q", r.Msg)
	}
	after := e.snapshot()
	if after.count("claims") != 0 || after.count("inbound") != 0 || after.count("claim_attachments") != 0 || len(after.files) != len(before.files) {
		t.Errorf("half-written: %v %v", after.tables, after.files)
	}
	ev := e.events()
	if len(ev) != 1 || ev[0].Kind != "fault" || ev[0].Method != "apply_claim" || ev[0].Ref != "LP2026000701" {
		t.Errorf("events %+v", ev)
	}

	os.Remove(tmp)
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	e.send(cb).want(t, http.StatusOK, 200)

	// A closed store: 500 for a callback, the query's own system code for 2.6.
	e.st.Close()
	e.send(statusCallback("1813000701", "HAS_OUT_GUARANTEE", "FINISH")).want(t, http.StatusInternalServerError, 404)
	e.send(verifyCallback(g.SerialNum, sandbox.MinimalPDF("x"))).want(t, http.StatusInternalServerError, platform.VerifySystemError)
	e.send(queryCallback(g.GuaranteeNo, g.SerialNum)).want(t, http.StatusInternalServerError, platform.QuerySystemError)
	if !strings.Contains(e.logs.String(), "cannot record fault event") {
		t.Error("the lost fault event was not logged")
	}
}

func TestPanicRecovered(t *testing.T) {
	e := newEnv(t)
	ep := &endpoint{path: "/callbacks/boom", method: "boom", section: "x", codes: verifyCodes,
		handle: func(*Server, *call) (*result, error) { panic("boom") }}
	ts := httptest.NewServer(e.srv.callback(ep))
	defer ts.Close()
	param := sealWith(t, testSecret, &e.key.PublicKey, map[string]any{"serial_num": "1"})
	resp, err := http.PostForm(ts.URL, url.Values{"param": {param}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || string(body) != `{"status":2609,"msg":"系统繁忙，请重试"}` {
		t.Errorf("answer %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(e.logs.String(), "panic in callback") {
		t.Error("panic not logged")
	}
	ts2 := httptest.NewServer(e.srv.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	defer ts2.Close()
	resp, err = http.Get(ts2.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("HTTP %d", resp.StatusCode)
	}
}

func TestAllowFrom(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.AllowFrom = []string{"10.0.0.0/8", "192.0.2.7"}
		c.TrustedProxy = []string{"127.0.0.1", "::1"}
	})
	cb := e.applyCallback("1813000801")
	param, err := e.sb.SealParam(cb.Msg)
	if err != nil {
		t.Fatal(err)
	}
	send := func(xff ...string) reply {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+cb.Path, strings.NewReader(url.Values{"param": {param}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, v := range xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		return e.do(req)
	}
	send().want(t, http.StatusForbidden, 1013)
	send("8.8.8.8").want(t, http.StatusForbidden, 1013)
	send("10.1.2.3, 8.8.8.8").want(t, http.StatusForbidden, 1013)
	send("8.8.8.8, 10.1.2.3").want(t, http.StatusOK, 200) // the spoofed first hop is not believed
	send("8.8.8.8", "192.0.2.7, 127.0.0.1").want(t, http.StatusOK, 200)
	if n := e.snapshot().count("orders"); n != 1 {
		t.Errorf("%d orders", n)
	}

	// Without a trusted proxy X-Forwarded-For is ignored.
	e2 := newEnv(t, func(c *Config) { c.AllowFrom = []string{"10.0.0.0/8"} })
	req, _ := http.NewRequest(http.MethodPost, e2.ts.URL+cb.Path, strings.NewReader(url.Values{"param": {param}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "10.1.2.3")
	e2.do(req).want(t, http.StatusForbidden, 1013)
}

// TestGracefulShutdown: Shutdown waits for a callback whose body is still
// arriving, which is then stored and acknowledged; new connections are
// refused afterwards.
func TestGracefulShutdown(t *testing.T) {
	key, _ := keys(t)
	e := newEnv(t)
	srv := New(Config{Addr: "127.0.0.1:0", APISecret: testSecret, PrivateKey: key}, e.st)
	started := make(chan struct{}, 1)
	srv.testHookRequest = func(string) { started <- struct{}{} }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()

	param, err := e.sb.SealParam(e.applyCallback("1813000901").Msg)
	if err != nil {
		t.Fatal(err)
	}
	body := url.Values{"param": {param}}.Encode()
	pr, pw := io.Pipe()
	type res struct {
		code int
		body string
		err  error
	}
	done := make(chan res, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, base+"/callbacks/apply_guarantee", pr)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.ContentLength = int64(len(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- res{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- res{code: resp.StatusCode, body: string(b)}
	}()
	// The handler has started and waits for the rest of the body.
	if _, err := pw.Write([]byte(body[:len(body)/2])); err != nil {
		t.Fatal(err)
	}
	<-started
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	if _, err := pw.Write([]byte(body[len(body)/2:])); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	r := <-done
	if r.err != nil || r.code != 200 || !strings.HasPrefix(r.body, `{"status":200`) {
		t.Fatalf("in-flight callback: %+v", r)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
	if _, err := e.st.GetOrder(context.Background(), "1813000901"); err != nil {
		t.Errorf("acknowledged order not stored: %v", err)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	if resp, err := c.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("still serving after Shutdown")
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	if _, running := Running(dir); running {
		t.Fatal("running before any lock")
	}
	release, err := Lock(dir, Info{Addr: "127.0.0.1:8720", PublicURL: "https://x.trycloudflare.com"})
	if err != nil {
		t.Fatal(err)
	}
	info, running := Running(dir)
	if !running || info.PID != os.Getpid() || info.Addr != "127.0.0.1:8720" || info.PublicURL != "https://x.trycloudflare.com" || info.StartedAt.IsZero() {
		t.Errorf("Running: %v %+v", running, info)
	}
	if _, err := Lock(dir, Info{Addr: "127.0.0.1:8721"}); !errors.Is(err, ErrRunning) || !strings.Contains(err.Error(), "127.0.0.1:8720") {
		t.Errorf("second Lock: %v", err)
	}
	release()
	if _, running := Running(dir); running {
		t.Error("running after release")
	}
	if _, err := os.Stat(filepath.Join(dir, InfoFile)); !os.IsNotExist(err) {
		t.Errorf("%s left behind: %v", InfoFile, err)
	}
	release2, err := Lock(dir, Info{})
	if err != nil {
		t.Fatal(err)
	}
	release2()
}
