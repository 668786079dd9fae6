package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"baohan/listener"
	"baohan/pdfsign"
	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/platform/sandbox/sandboxtest"
	"baohan/store"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/iostreams"
	"baohan/ui/cli/root"
	clisandbox "baohan/ui/cli/sandbox"
)

// cliEnv is a simulated platform, a real listener on loopback and a config
// pointing the CLI at both: the CLI as a new user runs it.
type cliEnv struct {
	t       *testing.T
	sb      *sandbox.Server
	cfgPath string
	dataDir string
	st      *store.Store
}

func newCLIEnv(t *testing.T, opts ...func(*sandbox.Options)) *cliEnv {
	t.Helper()
	env := sandboxtest.New(t, sandboxtest.WithSandbox(func(o *sandbox.Options) {
		o.RetrySchedule = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond}
		for _, f := range opts {
			f(o)
		}
	}))
	cfg := env.Config
	srv := listener.New(listener.Config{APISecret: cfg.Platform.APISecret, PrivateKey: cfg.PrivateKey, Apply: cfg.Apply}, env.Store)
	go func() { _ = srv.Serve(env.Listener) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return &cliEnv{t: t, sb: env.Sandbox, cfgPath: env.ConfigPath, dataDir: env.DataDir, st: env.Store}
}

// cli runs baohan with args and --config at the end, as users also type it.
func (e *cliEnv) cli(args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code = run(ctx, append(args, "--config", e.cfgPath), &out, &errb)
	return code, out.String(), errb.String()
}

func (e *cliEnv) mustCLI(args ...string) string {
	e.t.Helper()
	code, out, errs := e.cli(args...)
	if code != 0 {
		e.t.Fatalf("baohan %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func (e *cliEnv) wantExit(want int, args ...string) string {
	e.t.Helper()
	code, out, errs := e.cli(args...)
	if code != want {
		e.t.Fatalf("baohan %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errs)
	}
	return errs
}

func wait(t *testing.T, d *sandbox.Delivery) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Wait(ctx); err != nil {
		t.Fatalf("callback %s not acknowledged: %v", d.Path(), err)
	}
}

func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, s)
	}
}

// A whole day through the CLI: a new order, status, a push with a checked
// PDF, a revocation and its release, a claim and its result.
func TestCLIDay(t *testing.T) {
	e := newCLIEnv(t)
	ctx := context.Background()

	order, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)
	no := string(order.OrderNo)

	var orders []map[string]any
	decodeJSON(t, e.mustCLI("list", "orders", "--json"), &orders)
	if len(orders) != 1 || orders[0]["order_no"] != no || orders[0]["block_number"] != string(order.BlockNumber) {
		t.Fatalf("list orders: %v", orders)
	}

	// Local refusals: exit 2, nothing sent.
	errs := e.wantExit(2, "order", "status", no, "WAIT_OUT_GUARANTEE")
	if !strings.Contains(errs, "order_amount") {
		t.Fatalf("missing amount message: %s", errs)
	}
	e.wantExit(2, "order", "status", no, "WAIT_PAY", "--withdraw")
	e.wantExit(2, "order", "status", "NO-SUCH-ORDER", "WAIT_PAY")
	if n := e.sb.CountCalls(platform.MethodNotifyOrderStatus); n != 0 {
		t.Fatalf("%d notify calls sent by refused commands", n)
	}

	// Flags before and after positional arguments mean the same.
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"--config", e.cfgPath, "order", "status", no, "WAIT_PAY"}, &out, &errb); code != 0 {
		t.Fatalf("order status WAIT_PAY: %d %s", code, errb.String())
	}
	e.mustCLI("order", "status", no, "WAIT_OUT_GUARANTEE", "--amount", "300.00")
	if o, _ := e.sb.Order(no); o.Status() != platform.OrderWaitOutGuarantee || o.OrderAmount != "300.00" {
		t.Fatalf("sandbox order after notify: %s %s", o.Status(), o.OrderAmount)
	}

	// A tampered PDF is refused by the check (exit 1) and not sent.
	tampered := filepath.Join("testdata", "pdf", "tampered.pdf")
	signed := filepath.Join("testdata", "pdf", "signed.pdf")
	e.wantExit(1, "guarantee", "push", no, "--no", "BH2026001", "--pdf", tampered)
	if n := e.sb.CountCalls(platform.MethodPushGuarantee); n != 0 {
		t.Fatalf("tampered PDF was pushed")
	}
	var pushed map[string]any
	decodeJSON(t, e.mustCLI("guarantee", "push", no, "--no", "BH2026001", "--pdf", signed, "--json"), &pushed)
	g, ok := e.sb.Guarantee("BH2026001")
	if !ok || pushed["serial_num"] != g.SerialNum || len(g.SerialNum) < 16 {
		t.Fatalf("serial printed %v, platform has %q", pushed["serial_num"], g.SerialNum)
	}
	e.wantExit(2, "guarantee", "push", no, "--no", "BH2026001", "--pdf", signed)

	var gs []map[string]any
	decodeJSON(t, e.mustCLI("list", "guarantees", "--json"), &gs)
	if len(gs) != 1 || gs[0]["serial_num"] != g.SerialNum || gs[0]["pdf_sha256"] != g.PDFHash {
		t.Fatalf("list guarantees: %v (platform %+v)", gs, g)
	}

	// Revocation, then release.
	_, d, err := e.sb.Revoke(ctx, sandbox.RevokeSpec{BlockNumber: string(order.BlockNumber), Declaration: sandbox.DeclarationPDF(string(order.BlockNumber), string(order.Creditor))})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, d)
	var revs []map[string]any
	decodeJSON(t, e.mustCLI("list", "revocations", "--json"), &revs)
	if len(revs) != 1 || len(revs[0]["current_revoke_data"].([]any)) != 1 {
		t.Fatalf("list revocations: %v", revs)
	}
	e.mustCLI("guarantee", "release", "BH2026001")
	if g, _ := e.sb.Guarantee("BH2026001"); !g.Released {
		t.Fatal("platform did not record the release")
	}
	decodeJSON(t, e.mustCLI("list", "guarantees", "--json"), &gs)
	if gs[0]["release_status"] != float64(platform.ReleaseDone) {
		t.Fatalf("release_status %v", gs[0]["release_status"])
	}

	// Claim and its result.
	claim, d, err := e.sb.ApplyClaim(ctx, "BH2026001")
	if err != nil {
		t.Fatal(err)
	}
	wait(t, d)
	cno := string(claim.ClaimNo)
	var claims []map[string]any
	decodeJSON(t, e.mustCLI("list", "claims", "--json"), &claims)
	if len(claims) != 1 || len(claims[0]["attachments"].([]any)) != 2 {
		t.Fatalf("list claims: %v", claims)
	}
	e.wantExit(2, "claim", "result", cno, "--do-type", "1", "--status", "9", "--note", "x")
	e.mustCLI("claim", "result", cno, "--do-type", "1", "--status", "1", "--note", "资料齐全，予以受理")
	if c, _ := e.sb.Claim(cno); c.Status != platform.ClaimDealPass {
		t.Fatalf("platform claim status %s", c.Status)
	}
	e.mustCLI("claim", "info", cno)

	// The rest of the calls.
	e.mustCLI("order", "info", no)
	if o, _ := e.sb.Order(no); o.TemplateFileID != "" {
		var u map[string]any
		decodeJSON(t, e.mustCLI("file", "url", o.TemplateFileID, "--json", "--download", filepath.Join(t.TempDir(), "template.pdf")), &u)
		if u["file_url"] == "" || u["size"].(float64) == 0 {
			t.Fatalf("file url: %v", u)
		}
	}
	other, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)
	e.wantExit(2, "order", "cancel", string(other.OrderNo))
	e.mustCLI("order", "cancel", string(other.OrderNo), "--reason", "投标人放弃投标")
	if o, _ := e.sb.Order(string(other.OrderNo)); o.Status() != platform.OrderCancel {
		t.Fatalf("cancel: platform has %s", o.Status())
	}
	e.mustCLI("token")

	// A platform refusal: exit 1 naming the code and its meaning.
	errs = e.wantExit(1, "order", "info", "9999999999")
	if !strings.Contains(errs, "1101") && !strings.Contains(errs, "订单不存在") {
		t.Fatalf("refusal message: %s", errs)
	}
}

func TestCLIHashVerify(t *testing.T) {
	e := newCLIEnv(t)
	signed := filepath.Join("testdata", "pdf", "signed.pdf")
	var h map[string]any
	decodeJSON(t, e.mustCLI("hash", signed, "--json"), &h)
	want, _, err := pdfsign.HashFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	if h["sha256"] != want {
		t.Fatalf("hash %v, want %s", h["sha256"], want)
	}
	if out := e.mustCLI("hash", signed); strings.TrimSpace(out) != want {
		t.Fatalf("hash prints %q", out)
	}
	e.mustCLI("verify", signed)
	e.wantExit(1, "verify", filepath.Join("testdata", "pdf", "tampered.pdf"))
	e.wantExit(1, "verify", filepath.Join("testdata", "pdf", "not-a-pdf.pdf"))
	e.wantExit(2, "verify", "no-such-file.pdf")
}

func TestCLIConfigErrors(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	missing := filepath.Join(dir, "none.toml")
	if code := run(context.Background(), []string{"token", "--config", missing}, &out, &errb); code != 2 || !strings.Contains(errb.String(), missing) {
		t.Fatalf("missing config: %d %s", code, errb.String())
	}
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[platform]\napi_key = \"k\"\napi_secret = \"s\"\nbtc_id = 1\nplatform_public_key = \"nope.pem\"\npublic_key = \"nope.pem\"\nprivate_key = \"nope.pem\"\n[guarantor]\nname = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run(context.Background(), []string{"token", "--config", bad}, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "platform.platform_public_key") || !strings.Contains(errb.String(), bad) {
		t.Fatalf("bad key: %d %s", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"order"}, &out, &errb); code != 2 {
		t.Fatalf("bare order: %d %s", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"order", "status", "1"}, &out, &errb); code != 2 {
		t.Fatalf("missing arg: %d %s", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"--no-such-flag"}, &out, &errb); code != 2 {
		t.Fatalf("unknown flag: %d %s", code, errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"--version"}, &out, &errb); code != 0 || !strings.Contains(out.String(), version) {
		t.Fatalf("--version: %d %q", code, out.String())
	}
}

func TestKeygen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"keygen", dir}, &out, &errb); code != 0 {
		t.Fatalf("keygen: %d %s", code, errb.String())
	}
	fi, err := os.Stat(filepath.Join(dir, "private.pem"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private.pem: %v %v", fi, err)
	}
	priv, _ := os.ReadFile(filepath.Join(dir, "private.pem"))
	pub, _ := os.ReadFile(filepath.Join(dir, "public.pem"))
	k, err := platform.ParsePrivateKey(priv)
	if err != nil || k.Size() != 256 {
		t.Fatalf("private key: %v", err)
	}
	p, err := platform.ParsePublicKey(pub)
	if err != nil || !p.Equal(&k.PublicKey) {
		t.Fatalf("public key: %v", err)
	}
	if code := run(context.Background(), []string{"keygen", dir}, &out, &errb); code != 2 {
		t.Fatalf("keygen over existing keys: %d", code)
	}
}

// runCLI runs baohan with args exactly as given.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code = run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// jsonError reads the one JSON document --json prints on failure.
func jsonError(t *testing.T, stdout string) (exit int, message string, status int, hasStatus bool) {
	t.Helper()
	var doc map[string]map[string]any
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON document: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", stdout)
	}
	e, ok := doc["error"]
	if !ok || len(doc) != 1 {
		t.Fatalf("not an error document: %s", stdout)
	}
	st, hasStatus := e["status"].(float64)
	return int(e["exit"].(float64)), e["message"].(string), int(st), hasStatus
}

// The contract scripts rely on (interface.md): usage errors exit 2 with a
// Chinese sentence, --json answers failures with one error document.
func TestCLIContract(t *testing.T) {
	t.Setenv("BAOHAN_CONFIG", filepath.Join(t.TempDir(), "none.toml"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(t.TempDir(), "xdg"))
	usage := []struct {
		args []string
		want string
	}{
		{[]string{"nosuch"}, "未知命令 nosuch"},
		{[]string{"order", "nosuch"}, "baohan order 没有子命令 nosuch"},
		{[]string{"list", "nosuch", "x"}, "没有子命令 nosuch"},
		{[]string{"order", "status", "1", "WAIT_PAY", "--nosuch"}, "没有选项 --nosuch"},
		{[]string{"--nosuch"}, "没有选项 --nosuch"},
		{[]string{"loadtest", "-n"}, "缺少取值"},
		{[]string{"loadtest", "-n", "many"}, "格式不对"},
		{[]string{"order", "status", "1"}, "需要 2 个参数（ORDER_NO STATUS），收到 1 个"},
		{[]string{"hash"}, "需要 1 个参数"},
		{[]string{"serve", "extra"}, "不接受参数"},
		{[]string{"order"}, "后面要跟子命令"},
		{[]string{"help", "nosuch"}, "没有 nosuch 这个命令"},
		{[]string{"help", "order", "nosuch"}, "没有 order nosuch 这个命令"},
	}
	for _, u := range usage {
		code, out, errs := runCLI(t, u.args...)
		if code != 2 || !strings.Contains(errs, u.want) || out != "" {
			t.Errorf("baohan %s: exit %d, stderr %q, stdout %q; want exit 2 and %q", strings.Join(u.args, " "), code, errs, out, u.want)
		}
		for _, bare := range []string{"unknown", "accepts", "flag:", "invalid argument", "requires"} {
			if strings.Contains(errs, bare) {
				t.Errorf("baohan %s: library text %q in %q", strings.Join(u.args, " "), bare, errs)
			}
		}
		code, out, _ = runCLI(t, append([]string{"--json"}, u.args...)...)
		exit, msg, _, hasStatus := jsonError(t, out)
		if code != 2 || exit != 2 || !strings.Contains(msg, u.want) || hasStatus {
			t.Errorf("baohan %s --json: exit %d, document %s", strings.Join(u.args, " "), code, out)
		}
	}

	// Store-reading commands refuse without a config and without --data,
	// and create nothing.
	for _, args := range [][]string{{"list", "orders"}, {"list", "claims", "--json"}, {"backup", filepath.Join(t.TempDir(), "b.db")}} {
		code, out, errs := runCLI(t, args...)
		if code != 2 || !strings.Contains(errs, "找不到配置文件") || !strings.Contains(errs, "--data") {
			t.Errorf("baohan %s without config: exit %d %q", strings.Join(args, " "), code, errs)
		}
		if strings.Contains(strings.Join(args, " "), "--json") {
			if exit, _, _, _ := jsonError(t, out); exit != 2 {
				t.Errorf("exit in document: %d", exit)
			}
		}
	}
	if _, err := os.Stat(platform.DefaultDataDir()); err == nil {
		t.Errorf("an empty store was created in %s", platform.DefaultDataDir())
	}

	// --data alone is enough; backup writes 0600 and never overwrites.
	data := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, out, errs := runCLI(t, "list", "orders", "--data", data, "--json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("list with --data: %d %q %q", code, out, errs)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	if code, _, errs := runCLI(t, "backup", backup, "--data", data); code != 0 {
		t.Fatalf("backup: %d %s", code, errs)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode: %v %v", fi.Mode(), err)
	}
	if code, out, _ := runCLI(t, "backup", backup, "--data", data, "--json"); code != 2 {
		t.Fatalf("backup over an existing file: %d", code)
	} else if _, msg, _, _ := jsonError(t, out); !strings.Contains(msg, "已存在") {
		t.Fatalf("backup refusal: %s", msg)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(backup), ".baohan-backup-*")); len(left) != 0 {
		t.Fatalf("temporary backup folders left: %v", left)
	}

	// restore --json is one document too.
	code, out, _ := runCLI(t, "restore", "--json")
	var steps struct{ Steps []string }
	decodeJSON(t, out, &steps)
	if code != 0 || len(steps.Steps) != 4 {
		t.Fatalf("restore --json: %d %s", code, out)
	}

	// --help lists the allowed values in Chinese and in the manual's codes.
	_, out, _ = runCLI(t, "order", "status", "--help")
	for _, w := range []string{"WAIT_OUT_GUARANTEE", "待出函", "WAIT_FIRST_TRAIL", "待初审", "WAIT_PAY", "待支付", "--amount"} {
		if !strings.Contains(out, w) {
			t.Errorf("order status --help lacks %q", w)
		}
	}
	_, out, _ = runCLI(t, "claim", "result", "--help")
	for _, w := range []string{"--do-type 1（受理）", "--status 2 退回", "--do-type 2（理赔）", "--status 1 调解解决", "--status 5 驳回申请", "--do-type 3（追偿）", "--status 2 司法处置"} {
		if !strings.Contains(out, w) {
			t.Errorf("claim result --help lacks %q", w)
		}
	}
}

// The platform's refusal carries its status code in the error document;
// loadtest refuses a store that the sandbox did not make.
func TestCLIJSONPlatformErrorAndLoadtest(t *testing.T) {
	e := newCLIEnv(t)
	code, out, _ := e.cli("file", "url", "no-such-file", "--json")
	exit, msg, status, hasStatus := jsonError(t, out)
	if code != 1 || exit != 1 || !hasStatus || status == 0 || !strings.Contains(msg, "平台") {
		t.Fatalf("platform refusal: exit %d, %s", code, out)
	}
	errs := e.wantExit(2, "loadtest", "-n", "2")
	if !strings.Contains(errs, "--throwaway") || !strings.Contains(errs, e.dataDir) {
		t.Fatalf("loadtest on a real store: %s", errs)
	}
	e.mustCLI("loadtest", "-n", "2", "-c", "1", "--throwaway", "--url", "http://"+listenerAddrOf(t, e.cfgPath))
	if err := clisandbox.MarkData(e.dataDir); err != nil {
		t.Fatal(err)
	}
	out = e.mustCLI("loadtest", "-n", "2", "-c", "1", "--url", "http://"+listenerAddrOf(t, e.cfgPath))
	if !strings.Contains(out, "2 个回调，0 个出错") {
		t.Fatalf("loadtest: %s", out)
	}
}

func listenerAddrOf(t *testing.T, cfgPath string) string {
	cfg, err := platform.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Listener.Addr
}

// A new user's first day, through the CLI: init with what the account
// e-mail gives (keys as pasted base64 text), doctor all pass through a
// tunnel standing in for frp, serve receiving the platform's callbacks.
func TestNewUserInitDoctorServe(t *testing.T) {
	e := newServeEnv(t)
	t.Setenv("XDG_DATA_HOME", filepath.Join(t.TempDir(), "xdg"))
	t.Setenv("BAOHAN_API_SECRET", "")
	u, _ := url.Parse("http://" + e.addr)
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(u))
	defer proxy.Close()
	e.sb.SetCallbackBase(proxy.URL)
	b64 := func(name string) string {
		raw, err := os.ReadFile(filepath.Join(e.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(raw)
		return encodeB64(blk.Bytes)
	}
	sbCfg, err := platform.LoadConfig(e.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "baohan")
	cfgPath := filepath.Join(home, "config.toml")
	initArgs := []string{"init", "--config", cfgPath, "--yes", "--base-url", sbCfg.Platform.BaseURL, "--api-key", e.keys.APIKey,
		"--btc-id", itoa(e.keys.BtcID), "--platform-key", b64(sandbox.PlatformPubKeyFile), "--public-key", b64(sandbox.PublicKeyFile),
		"--private-key", b64(sandbox.PrivateKeyFile), "--guarantor", sandbox.DefaultGuarantorName, "--addr", e.addr, "--public-url", proxy.URL + "/"}
	t.Setenv("BAOHAN_API_SECRET", e.keys.APISecret) // as a script gives it
	code, out, errs := runCLI(t, initArgs...)
	if code != 0 {
		t.Fatalf("init: %d %s %s", code, out, errs)
	}
	if !strings.Contains(out, proxy.URL+"/callbacks/apply_guarantee") || !strings.Contains(out, "baohan doctor") {
		t.Fatalf("init output:\n%s", out)
	}
	for _, f := range []string{cfgPath, filepath.Join(home, "keys", "rsa_sk.pem")} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", f, fi.Mode(), err)
		}
	}
	if code, _, errs := runCLI(t, initArgs...); code != 2 || !strings.Contains(errs, "--force") {
		t.Fatalf("second init: %d %s", code, errs)
	}
	t.Setenv("BAOHAN_API_SECRET", "")

	code, out, errs = runCLI(t, "doctor", "--config", cfgPath, "--json")
	var rep struct {
		OK     bool
		Checks []struct {
			Name, Verdict string
			OK            bool
		}
		CallbackURLs []string `json:"callback_urls"`
	}
	decodeJSON(t, out, &rep)
	if code != 0 || !rep.OK || len(rep.Checks) != 8 || len(rep.CallbackURLs) != 7 {
		t.Fatalf("doctor before serve: exit %d %s %s", code, out, errs)
	}

	e.cfgPath = cfgPath
	var log syncBuffer
	stop := e.serve(&log)
	code, out, _ = runCLI(t, "doctor", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "正在运行") || !strings.Contains(out, "全部通过") {
		t.Fatalf("doctor with serve: %d\n%s", code, out)
	}
	o, d := e.sb.NewOrder(context.Background(), sandbox.OrderSpec{})
	wait(t, d)
	_, out, _ = runCLI(t, "list", "orders", "--config", cfgPath, "--json")
	if !strings.Contains(out, string(o.OrderNo)) {
		t.Fatalf("order %s not in the store: %s", o.OrderNo, out)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d:\n%s", code, log.String())
	}
	// A broken tunnel: doctor fails the public URL with its fix.
	proxy.Close()
	code, out, _ = runCLI(t, "doctor", "--config", cfgPath)
	if code != 1 || !strings.Contains(out, "✗ 公网地址") || !strings.Contains(out, "修复：") {
		t.Fatalf("doctor with a dead tunnel: %d\n%s", code, out)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// readmeBlocks returns README.md's fenced code blocks with their language.
func readmeBlocks(t *testing.T) (text string, blocks []struct{ lang, body string }) {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text = string(b)
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok {
			continue
		}
		var body []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		blocks = append(blocks, struct{ lang, body string }{strings.TrimSpace(lang), strings.Join(body, "\n")})
	}
	return text, blocks
}

// shellWords splits a command line as sh would for the simple lines a
// README holds: double and single quotes, a trailing comment or &.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	in, has := rune(0), false
	for _, r := range line {
		switch {
		case in != 0 && r == in:
			in = 0
		case in != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			in, has = r, true
		case r == '#' && cur.Len() == 0 && !has:
			return trimAmp(words)
		case r == ' ' || r == '\t':
			if cur.Len() > 0 || has {
				words = append(words, cur.String())
			}
			cur.Reset()
			has = false
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 || has {
		words = append(words, cur.String())
	}
	return trimAmp(words)
}

// trimAmp cuts a command line at its first & or ; (background, next
// command) and stands 1 in for shell variables ($c).
func trimAmp(words []string) []string {
	for i, w := range words {
		if w == "&" || w == ";" || w == "&&" {
			words = words[:i]
			break
		}
		if strings.HasPrefix(w, "$") {
			words[i] = "1"
		}
	}
	return words
}

// readmeCommands are the baohan command lines of README.md: from its shell
// blocks (`go run .` and `./baohan` counted as baohan) and its inline code
// (synopses: [optional] parts kept, the first of a|b alternatives taken).
func readmeCommands(t *testing.T) (cmds [][]string, synopsis map[int]bool) {
	text, blocks := readmeBlocks(t)
	synopsis = map[int]bool{}
	for _, b := range blocks {
		if b.lang != "sh" {
			continue
		}
		for _, line := range strings.Split(b.body, "\n") {
			w := shellWords(strings.TrimSpace(line))
			for len(w) > 0 && strings.Contains(w[0], "=") && !strings.HasPrefix(w[0], "-") {
				w = w[1:] // VAR=value before the command
			}
			switch {
			case len(w) >= 2 && w[0] == "go" && w[1] == "run" && len(w) >= 3 && w[2] == ".":
				cmds = append(cmds, w[3:])
			case len(w) > 0 && (w[0] == "baohan" || w[0] == "./baohan"):
				cmds = append(cmds, w[1:])
			}
		}
	}
	for _, m := range regexp.MustCompile("`baohan( [^`]*)?`").FindAllStringSubmatch(text, -1) {
		s := strings.NewReplacer(`\|`, "|", "[", " ", "]", " ", "(", " ", ")", " ", "...", "").Replace(m[1])
		words := shellWords(s)
		alts := []string{""}
		at := -1
		for i, x := range words {
			if strings.Contains(x, "|") && at < 0 {
				at, alts = i, strings.Split(x, "|")
			}
		}
		for _, alt := range alts {
			var w []string
			for i, x := range words {
				if i == at {
					x = alt
				} else if a, _, ok := strings.Cut(x, "|"); ok {
					x = a
				}
				if x != "" {
					w = append(w, x)
				}
			}
			synopsis[len(cmds)] = true
			cmds = append(cmds, w)
		}
	}
	return cmds, synopsis
}

// placeholderRE is a synopsis placeholder (N, GUARANTEE_NO).
var placeholderRE = regexp.MustCompile(`^[A-Z][A-Z_]*$`)

// Every TOML block of README.md loads (the full example as a config with
// its key files in place, the others key by key), and every baohan command
// line it shows parses: the command exists, its flags exist, its argument
// count is right. A documented example can no longer be refused.
func TestREADMEExamples(t *testing.T) {
	_, blocks := readmeBlocks(t)
	privPEM, pubPEM, _, err := platform.GenerateKeyPair(1024)
	if err != nil {
		t.Fatal(err)
	}
	_, apiPub, _, err := platform.GenerateKeyPair(1024)
	if err != nil {
		t.Fatal(err)
	}
	full, partial := 0, 0
	for i, b := range blocks {
		if b.lang != "toml" {
			continue
		}
		if strings.Contains(b.body, "[platform]") {
			full++
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "keys"), 0o700)
			os.WriteFile(filepath.Join(dir, "keys", "api_rsa_pk.pem"), apiPub, 0o600)
			os.WriteFile(filepath.Join(dir, "keys", "rsa_pk.pem"), pubPEM, 0o600)
			os.WriteFile(filepath.Join(dir, "keys", "rsa_sk.pem"), privPEM, 0o600)
			path := filepath.Join(dir, "config.toml")
			os.WriteFile(path, []byte(b.body), 0o600)
			cfg, err := platform.LoadConfig(path)
			if err != nil {
				t.Errorf("README TOML block %d does not load: %v\n%s", i, err, b.body)
				continue
			}
			if len(cfg.Warnings) != 0 {
				t.Errorf("README TOML block %d: warnings %v", i, cfg.Warnings)
			}
			continue
		}
		partial++
		var c platform.Config
		md, err := toml.Decode(b.body, &c)
		if err != nil {
			t.Errorf("README TOML block %d: %v\n%s", i, err, b.body)
		} else if u := md.Undecoded(); len(u) > 0 {
			t.Errorf("README TOML block %d: unknown keys %v", i, u)
		}
	}
	if full == 0 || partial == 0 {
		t.Fatalf("README has %d full and %d partial TOML blocks", full, partial)
	}

	cmds, synopsis := readmeCommands(t)
	if len(cmds) < 30 {
		t.Fatalf("only %d command lines found in README.md", len(cmds))
	}
	seen := map[string]bool{}
	for i, args := range cmds {
		root := newRoot()
		cmd, rest, err := root.Find(args)
		help := false
		if err == nil {
			cmd.InitDefaultHelpFlag()
			for j := 0; j+1 < len(rest); j++ {
				// A placeholder for a number (-n N) stands for 1.
				name := strings.TrimLeft(rest[j], "-")
				f := cmd.Flag(name)
				if f == nil && len(name) == 1 {
					f = cmd.Flags().ShorthandLookup(name)
				}
				if f != nil && strings.HasPrefix(rest[j], "-") &&
					placeholderRE.MatchString(rest[j+1]) && strings.Contains("int int64 float64", f.Value.Type()) {
					rest[j+1] = "1"
				}
				help = help || rest[j] == "--help"
			}
			help = help || (len(rest) > 0 && rest[len(rest)-1] == "--help")
			err = cmd.ParseFlags(rest)
		}
		// A command named in running text (`baohan hash`) is a mention, not
		// a command line: it only has to exist.
		mention := synopsis[i] && len(rest) == 0
		if err == nil && !help && !mention {
			err = cmd.ValidateArgs(cmd.Flags().Args())
		}
		if err != nil {
			t.Errorf("README: baohan %s: %v", strings.Join(args, " "), err)
			continue
		}
		seen[cmd.CommandPath()] = true
	}
	// And the other way round: every command of the binary is documented.
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			if !s.IsAvailableCommand() || s.Name() == "help" || s.Name() == "completion" {
				continue
			}
			if !s.HasSubCommands() && !seen[s.CommandPath()] {
				t.Errorf("README does not show %s", s.CommandPath())
			}
			walk(s)
		}
	}
	walk(newRoot())
}

// README for a fresh machine: prerequisites including cgo and gcc for
// -race (which .ci/run installs), the clerk's 快速上手, a tunnel setup,
// how long the tests take, and no links outside the repository.
func TestREADMEForAFreshMachine(t *testing.T) {
	text, _ := readmeBlocks(t)
	for _, w := range []string{"Go 1.26", "CGO_ENABLED=1", "gcc", "快速上手", "baohan init", "baohan doctor", "frpc.toml",
		"localPort = 8720", "How long the tests take", "`go test -race ./...`", "cloudflared"} {
		if !strings.Contains(text, w) {
			t.Errorf("README lacks %q", w)
		}
	}
	if strings.Contains(text, "TESTS_TOTAL") {
		t.Error("README still has the placeholder for the test time")
	}
	for _, m := range regexp.MustCompile(`\]\(([^)]*)\)`).FindAllStringSubmatch(text, -1) {
		target := m[1]
		if strings.Contains(target, "://") || strings.HasPrefix(target, "../") || strings.HasPrefix(target, "/") {
			t.Errorf("README links outside the repository: %s", target)
			continue
		}
		if _, err := os.Stat(strings.SplitN(target, "#", 2)[0]); err != nil {
			t.Errorf("README links to a missing file: %s", target)
		}
	}
	ci, err := os.ReadFile(filepath.Join(".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^\s*apt_install gcc`).Match(ci) || !strings.Contains(string(ci), "command -v gcc") {
		t.Error(".ci/run does not install gcc when it is missing")
	}
}

// What the clerk reads when things go wrong is one Chinese sentence naming
// the file or the address, never Go's text; durations read 剩 1 小时 59 分.
func TestCLIMessages(t *testing.T) {
	e := newCLIEnv(t)
	out := e.mustCLI("token")
	if !regexp.MustCompile(`剩 1 小时 5\d 分`).MatchString(out) || regexp.MustCompile(`\d+h\d+m`).MatchString(out) {
		t.Fatalf("token: %s", out)
	}
	missing := filepath.Join(t.TempDir(), "none.pdf")
	for _, args := range [][]string{{"hash", missing}, {"verify", missing}} {
		errs := e.wantExit(2, args...)
		if !strings.Contains(errs, missing) || !strings.Contains(errs, "不存在") || strings.Contains(errs, "stat ") || strings.Contains(errs, "no such file") {
			t.Errorf("%v: %s", args, errs)
		}
	}

	// A platform that cannot be reached, and one that never answers.
	cfgText, err := os.ReadFile(e.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := platform.LoadConfig(e.cfgPath)
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(hang)
	for _, base := range []string{"http://" + freeAddr(t) + "/api/guarantor/v1/", slow.URL + "/api/guarantor/v1/"} {
		text := strings.Replace(string(cfgText), cfg.Platform.BaseURL, base, 1)
		text = strings.Replace(text, `timeout = "30s"`, `timeout = "1s"`, 1)
		if err := os.WriteFile(e.cfgPath, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errs := e.cli("token", "--data", t.TempDir()) // no token cached there
		if code != 1 || !strings.Contains(errs, "平台") || !strings.Contains(errs, "base_url") {
			t.Errorf("token against %s: exit %d %s", base, code, errs)
		}
		for _, bare := range []string{"dial tcp", "connection refused", "context deadline exceeded", "Client.Timeout", "Post \""} {
			if strings.Contains(errs, bare) {
				t.Errorf("token against %s shows %q: %s", base, bare, errs)
			}
		}
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// newRoot is the real command tree on test streams.
func newRoot() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	return root.NewCmdRoot(cmdutil.New(ios, version))
}
