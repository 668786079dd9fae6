package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"baohan/listener"
	"baohan/pdfsign"
	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
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
	keys, err := sandbox.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opt := keys.Options()
	opt.CallbackBase = "http://" + ln.Addr().String()
	opt.RetrySchedule = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond}
	for _, o := range opts {
		o(&opt)
	}
	sb := sandbox.New(opt)
	baseURL, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfgPath, err := keys.WriteConfig(dir, baseURL, ln.Addr().String(), sandbox.ConfigExtra{StoreDir: data})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := platform.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	srv := listener.New(listener.Config{APISecret: cfg.Platform.APISecret, PrivateKey: cfg.PrivateKey, Apply: cfg.Apply}, st)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		sb.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		st.Close()
	})
	return &cliEnv{t: t, sb: sb, cfgPath: cfgPath, dataDir: data, st: st}
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
