package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"baohan/listener"
	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/platform/sandbox/sandboxtest"
	"baohan/store"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil/cmdtest"
)

// env is a simulated platform, a config for it written as a new user's,
// and (when started) the real listener holding the data folder's lock.
type env struct {
	t    *testing.T
	sb   *sandbox.Server
	keys *sandbox.Keys
	cfg  *platform.Config
	data string
	addr string // the listener's loopback address
}

func newEnv(t *testing.T, opts ...sandboxtest.Option) *env {
	t.Helper()
	e := sandboxtest.New(t, append([]sandboxtest.Option{sandboxtest.WithoutStore(), sandboxtest.WithoutListener()}, opts...)...)
	if err := os.Chmod(e.ConfigPath, 0o600); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sb: e.Sandbox, keys: e.Keys, cfg: e.Config, data: e.DataDir, addr: e.ListenerAddr}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve starts the real listener on the config's address, with the lock
// `baohan serve` takes.
func (e *env) serve() {
	e.t.Helper()
	st, err := store.Open(e.data)
	if err != nil {
		e.t.Fatal(err)
	}
	srv := listener.New(listener.Config{APISecret: e.cfg.Platform.APISecret, PrivateKey: e.cfg.PrivateKey, Apply: e.cfg.Apply}, st)
	ln, err := net.Listen("tcp", e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	release, err := listener.Lock(e.data, listener.Info{PID: os.Getpid(), Addr: e.addr, StartedAt: time.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		release()
		st.Close()
	})
}

// tunnel is a local reverse proxy standing in for frp or cloudflared: the
// public URL forwards to target.
func tunnel(t *testing.T, target string) string {
	u, _ := url.Parse(target)
	p := httputil.NewSingleHostReverseProxy(u)
	p.ErrorLog = nil
	p.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) }
	s := httptest.NewServer(p)
	t.Cleanup(s.Close)
	return s.URL
}

func (e *env) run(publicURL string, mod ...func(*Options)) *Report {
	e.t.Helper()
	e.cfg.Listener.PublicURL = publicURL
	opt := Options{Config: e.cfg, DataDir: e.data}
	for _, m := range mod {
		m(&opt)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Run(ctx, opt)
}

func check(t *testing.T, r *Report, name string) Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %s in %+v", name, r.Checks)
	return Check{}
}

func wantFail(t *testing.T, r *Report, name string, verdict ...string) {
	t.Helper()
	c := check(t, r, name)
	if c.OK {
		t.Fatalf("%s passed: %s", name, c.Verdict)
	}
	if c.Fix == "" || !strings.HasSuffix(c.Fix, "。") {
		t.Errorf("%s: fix is not one sentence: %q", name, c.Fix)
	}
	for _, v := range verdict {
		if !strings.Contains(c.Verdict, v) {
			t.Errorf("%s: verdict %q lacks %q", name, c.Verdict, v)
		}
	}
}

// Every check passes against the sandbox through a working tunnel to the
// running listener, and the report names the seven callback URLs.
func TestDoctorAllPass(t *testing.T) {
	e := newEnv(t)
	e.serve()
	pub := tunnel(t, "http://"+e.addr)
	r := e.run(pub)
	for _, c := range r.Checks {
		if !c.OK {
			t.Errorf("%s: %s (%s)", c.Name, c.Verdict, c.Fix)
		}
	}
	if !r.OK || len(r.Checks) != 8 {
		t.Fatalf("report: %+v", r)
	}
	if !strings.Contains(check(t, r, "回调监听").Verdict, "正在运行") {
		t.Errorf("listener: %+v", check(t, r, "回调监听"))
	}
	if len(r.CallbackURLs) != 7 || r.CallbackURLs[0] != pub+"/callbacks/apply_guarantee" || r.CallbackURLs[6] != pub+"/callbacks/claim" {
		t.Errorf("callback URLs: %v", r.CallbackURLs)
	}
	var b strings.Builder
	r.WriteText(&b)
	if !strings.Contains(b.String(), "全部通过") || strings.Contains(b.String(), "修复") {
		t.Errorf("text:\n%s", b.String())
	}
}

// Without a running listener doctor stands one in on listener.addr, so a
// new user can prove the tunnel before the first `baohan serve`.
func TestDoctorBeforeServe(t *testing.T) {
	e := newEnv(t)
	r := e.run(tunnel(t, "http://"+e.addr))
	if !r.OK {
		t.Fatalf("%+v", r.Checks)
	}
	if !strings.Contains(check(t, r, "回调监听").Verdict, "尚未运行") {
		t.Errorf("listener: %+v", check(t, r, "回调监听"))
	}
	// The stand-in is gone: the address is free again.
	ln, err := net.Listen("tcp", e.addr)
	if err != nil {
		t.Fatalf("stand-in still holds %s: %v", e.addr, err)
	}
	ln.Close()
}

// A tunnel that reaches some other server which answers /healthz with 200
// is not enough: the one-time value must come back from this listener.
func TestDoctorTunnelToAnotherServer(t *testing.T) {
	e := newEnv(t)
	e.serve()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":200,"data":{"probe":"` + r.URL.Query().Get("probe") + `"}}`))
	}))
	defer other.Close()
	r := e.run(tunnel(t, other.URL))
	wantFail(t, r, "公网地址", "不是本机的这个回调监听")
	if r.OK {
		t.Fatal("report OK")
	}

	// Another baohan listener (another secret) behind the tunnel: refused.
	e2 := newEnv(t, sandboxtest.WithFreshKeys())
	e2.serve()
	r = e.run(tunnel(t, "http://"+e2.addr))
	wantFail(t, r, "公网地址", "不是本机")
}

// A tunnel whose local side is down answers 502: named, with the fix.
func TestDoctorBrokenTunnel(t *testing.T) {
	e := newEnv(t)
	e.serve()
	r := e.run(tunnel(t, "http://"+freeAddr(t)))
	wantFail(t, r, "公网地址", "到不了", "502")
	if !strings.Contains(check(t, r, "公网地址").Fix, e.addr) {
		t.Errorf("fix does not name listener.addr: %+v", check(t, r, "公网地址"))
	}
	r = e.run("")
	wantFail(t, r, "公网地址")
	r = e.run("http://" + freeAddr(t)) // nothing listens there at all
	wantFail(t, r, "公网地址", "连接被拒绝")
}

// The platform refusing the credentials, and a clock 30 minutes fast.
func TestDoctorTokenAndClock(t *testing.T) {
	e := newEnv(t)
	pub := tunnel(t, "http://"+e.addr)
	e.cfg.Platform.APISecret = "wrong-secret"
	r := e.run(pub)
	wantFail(t, r, "访问令牌", "平台拒绝")
	if !strings.Contains(check(t, r, "访问令牌").Fix, "api_secret") {
		t.Errorf("token fix: %+v", check(t, r, "访问令牌"))
	}
	e.cfg.Platform.APISecret = e.keys.APISecret
	r = e.run(pub, func(o *Options) { o.Now = func() time.Time { return time.Now().Add(30 * time.Minute) } })
	wantFail(t, r, "时钟", "快 30 分")
	if !check(t, r, "访问令牌").OK {
		t.Logf("token with a fast clock: %+v", check(t, r, "访问令牌"))
	}
}

// A token cached in the store proves nothing: with the token still fresh
// in the store, a platform that refuses it (1006 even after the one
// renewal) fails the check as refused, and a platform that is down fails
// it as unreachable.
func TestDoctorTokenNeedsThePlatform(t *testing.T) {
	e := newEnv(t)
	pub := tunnel(t, "http://"+e.addr)
	r := e.run(pub)
	if c := check(t, r, "访问令牌"); !c.OK || !strings.Contains(c.Verdict, "平台已接受") {
		t.Fatalf("token against a working platform: %+v", c)
	}
	st, err := store.Open(e.data)
	if err != nil {
		t.Fatal(err)
	}
	tok, exp, err := st.AccountToken(context.Background(), strings.TrimRight(e.cfg.Platform.BaseURL, "/")+" "+e.cfg.Platform.APIKey)
	st.Close()
	if err != nil || tok == "" || !time.Unix(exp, 0).After(time.Now().Add(time.Hour)) {
		t.Fatalf("no fresh token cached: %q %d %v", tok, exp, err)
	}

	e.sb.InjectFault(platform.MethodGetGuaranteeInfo, sandbox.StatusTimes(platform.StatusTokenExpired, 2))
	r = e.run(pub)
	wantFail(t, r, "访问令牌", "平台拒绝", "1006")

	e.sb.Close()
	r = e.run(pub)
	wantFail(t, r, "访问令牌", "连不上平台")
	if c := check(t, r, "访问令牌"); !strings.Contains(c.Fix, e.cfg.Platform.BaseURL) {
		t.Errorf("unreachable fix does not name base_url: %+v", c)
	}
	if r.OK {
		t.Fatal("report OK with the platform down")
	}
}

// Files readable by others and a data folder that cannot be written.
func TestDoctorFilesAndData(t *testing.T) {
	e := newEnv(t)
	pub := tunnel(t, "http://"+e.addr)
	if err := os.Chmod(e.cfg.Path, 0o644); err != nil {
		t.Fatal(err)
	}
	sk := filepath.Join(filepath.Dir(e.cfg.Path), sandbox.PrivateKeyFile)
	if err := os.Chmod(sk, 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.run(pub)
	wantFail(t, r, "配置文件", "其他用户也能读取")
	wantFail(t, r, "密钥", "rsa_sk.pem")
	os.Chmod(e.cfg.Path, 0o600)
	os.Chmod(sk, 0o600)

	// A pair that does not match.
	other, err := sandbox.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	good := e.cfg.PublicKey
	e.cfg.PublicKey = &other.GuarantorKey.PublicKey
	r = e.run(pub)
	wantFail(t, r, "密钥", "不是一对")
	e.cfg.PublicKey = good

	r = e.run(pub, func(o *Options) { o.MinFree = 1 << 62 })
	wantFail(t, r, "数据文件夹", "磁盘只剩")
	if os.Geteuid() != 0 {
		ro := filepath.Join(t.TempDir(), "ro")
		os.Mkdir(ro, 0o500)
		r = e.run(pub, func(o *Options) { o.DataDir = ro })
		wantFail(t, r, "数据文件夹", "不可写")
	}
}

// A call whose outcome is unknown fails the last check until reconciled.
func TestDoctorPending(t *testing.T) {
	e := newEnv(t)
	pub := tunnel(t, "http://"+e.addr)
	st, err := store.Open(e.data)
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.StartAttempt(context.Background(), platform.MethodNotifyOrderStatus, "1813037628", "{}")
	if err != nil {
		t.Fatal(err)
	}
	r := e.run(pub)
	wantFail(t, r, "待处理", "1 个调用结果未知", "1813037628")
	if !strings.Contains(check(t, r, "待处理").Fix, "baohan reconcile") {
		t.Errorf("fix: %+v", check(t, r, "待处理"))
	}
	if err := st.FinishAttempt(context.Background(), id, store.AttemptOK, 200, "", "{}"); err != nil {
		t.Fatal(err)
	}
	// An authentic callback held for the clerk fails the check until decided.
	var held store.Held
	if err := st.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		held, err = tx.Hold(store.Held{Method: "apply_claim", Key: "k1", Ref: "LP-1", Reason: "保函不存在", Plaintext: "{}"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	r = e.run(pub)
	wantFail(t, r, "待处理", "1 个暂存的回调", "LP-1")
	if !strings.Contains(check(t, r, "待处理").Fix, "baohan held") {
		t.Errorf("fix: %+v", check(t, r, "待处理"))
	}
	st, err = store.Open(e.data)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(context.Background(), func(tx *store.Tx) error {
		return tx.DecideHeld(held.ID, store.HeldDismissed, "")
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if r := e.run(pub); !check(t, r, "待处理").OK {
		t.Errorf("after reconcile and decision: %+v", check(t, r, "待处理"))
	}
}

// doctor --json with checks that fail prints one document: the checks and
// the "error" member every failing command gives (interface.md), exit 1.
func TestDoctorJSONFailure(t *testing.T) {
	e := newEnv(t) // no listener runs: its checks fail
	env := cmdtest.New(t)
	env.F.JSON = true
	opts := &DoctorOptions{Config: func() (*platform.Config, error) { return e.cfg, nil }, DataDir: func() string { return e.data },
		Print: env.F.Print, PrintFailure: env.F.PrintFailure, Context: context.Background()}
	err := doctorRun(opts)
	if cli.ExitCode(err) != cli.ExitNo {
		t.Fatalf("doctor with a failing check: %v (exit %d)", err, cli.ExitCode(err))
	}
	var doc struct {
		OK     bool              `json:"ok"`
		Checks []json.RawMessage `json:"checks"`
		Error  *struct {
			Exit    int    `json:"exit"`
			Message string `json:"message"`
		} `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(env.Out.Bytes()))
	if err := dec.Decode(&doc); err != nil || doc.OK || len(doc.Checks) == 0 || doc.Error == nil || doc.Error.Exit != 1 || doc.Error.Message == "" {
		t.Fatalf("not the report with its error: %v %s", err, env.Out.String())
	}
	if dec.More() {
		t.Fatalf("more than one document: %s", env.Out.String())
	}
}
