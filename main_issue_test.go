package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"baohan/listener"
	"baohan/pdfsign/issue"
	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

// The test certificates of testdata/letter (made by OpenSSL, make_certs.sh).
var (
	firmRSA  = filepath.Join("testdata", "letter", "firm-rsa.p12")
	firmSM2  = filepath.Join("testdata", "letter", "firm-sm2.p12")
	template = filepath.Join("testdata", "letter", "template.pdf")
	sealPNG  = filepath.Join("testdata", "letter", "seal.png")
)

const testCertPassword = "baohan-test"

func pdfsigValid(t *testing.T, file string) string {
	t.Helper()
	if _, err := exec.LookPath("pdfsig"); err != nil {
		t.Skip("pdfsig is not installed (.ci/run installs poppler-utils)")
	}
	out, err := exec.Command("pdfsig", file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Signature is Valid") {
		t.Fatalf("pdfsig %s: %v\n%s", file, err, out)
	}
	return string(out)
}

// 签发 end to end through the CLI against the sandbox and a real listener:
// 2.1 brings the order with its 签署文件, the clerk sets 待出函, then
// `guarantee issue --sign-file ... --push` fetches the file (4.1), signs it
// with the firm's RSA certificate, seal and a time stamp from the
// sandbox's TSA, checks it and pushes it (2.5); the platform's 验真 (2.6)
// of the pushed file is answered intact, and poppler's pdfsig agrees.
func TestCLIIssueSignFilePushVerify(t *testing.T) {
	e := newCLIEnv(t)
	ctx := context.Background()
	order, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)
	no := string(order.OrderNo)
	e.mustCLI("order", "status", no, "WAIT_OUT_GUARANTEE", "--amount", "300.00")
	o, _ := e.sb.Order(no)
	out := filepath.Join(t.TempDir(), "BH-CLI-1.pdf")
	// The clerk finds the 签署文件's file_id in the order.
	var info map[string]any
	decodeJSON(t, e.mustCLI("order", "info", no, "--json"), &info)
	files, _ := info["guarantee_sign_files"].([]any)
	if len(files) != 1 || files[0].(map[string]any)["file_id"] != o.TemplateFileID {
		t.Fatalf("order info: guarantee_sign_files %v, platform has %s", info["guarantee_sign_files"], o.TemplateFileID)
	}

	// Without a password: no terminal here, so a usage error, nothing sent.
	t.Setenv("BAOHAN_CERT_PASSWORD", "")
	e.wantExit(2, "guarantee", "issue", no, "--no", "BH-CLI-1", "--sign-file", o.TemplateFileID, "--cert", firmRSA, "--out", out)
	t.Setenv("BAOHAN_CERT_PASSWORD", "wrong")
	if errs := e.wantExit(2, "guarantee", "issue", no, "--no", "BH-CLI-1", "--sign-file", o.TemplateFileID, "--cert", firmRSA, "--out", out); !strings.Contains(errs, "密码不正确") {
		t.Errorf("wrong password: %s", errs)
	}
	if e.sb.CountCalls(platform.MethodGetFileURL) != 0 {
		t.Error("a refused issue called the platform")
	}

	t.Setenv("BAOHAN_CERT_PASSWORD", testCertPassword)
	var res map[string]any
	decodeJSON(t, e.mustCLI("guarantee", "issue", no, "--no", "BH-CLI-1", "--sign-file", o.TemplateFileID, "--cert", firmRSA,
		"--seal", sealPNG, "--tsa", strings.TrimRight(e.sb.URL(), "/")+sandbox.TSAPath, "--out", out, "--push", "--json"), &res)
	push, _ := res["push"].(map[string]any)
	g, ok := e.sb.Guarantee("BH-CLI-1")
	if !ok || push == nil || push["serial_num"] != g.SerialNum {
		t.Fatalf("issue --push printed %v; platform has %+v", res, g)
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if g.PDFHash != res["sha256"] {
		t.Errorf("pushed hash %s, printed %v", g.PDFHash, res["sha256"])
	}
	// The check as verify --json gives it: a verdict, times as YYYY-MM-DD HH:MM:SS.
	if check, _ := res["check"].(map[string]any); check["verdict"] != "intact" ||
		!regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`).MatchString(fmt.Sprint(check["checked_at"])) {
		t.Errorf("issue --json check: verdict %v checked_at %v", check["verdict"], check["checked_at"])
	}
	t.Log(pdfsigValid(t, out))
	e.mustCLI("verify", out)

	ans, err := e.sb.VerifyRequest(ctx, g.SerialNum, pdf)
	if err != nil {
		t.Fatal(err)
	}
	if ans.IsModified != 2 {
		t.Errorf("2.6 验真 of the pushed letter: %+v, want is_modified 2", ans)
	}
	// The letter is not written over.
	e.wantExit(2, "guarantee", "issue", no, "--no", "BH-CLI-2", "--sign-file", o.TemplateFileID, "--cert", firmRSA, "--out", out)
}

// The template path through the CLI, RSA and SM2: each letter passes our
// own check (SM2/SM3 included), shows the order's facts to pdftotext, and
// the RSA one passes pdfsig.
func TestCLIIssueTemplate(t *testing.T) {
	if _, err := os.Stat(issue.DefaultFontFiles[0]); err != nil {
		t.Skip("no CJK font (.ci/run installs fonts-wqy-microhei)")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext is not installed (.ci/run installs poppler-utils)")
	}
	e := newCLIEnv(t)
	ctx := context.Background()
	order, d := e.sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)
	no := string(order.OrderNo)
	e.mustCLI("order", "status", no, "WAIT_OUT_GUARANTEE", "--amount", "300.00")
	t.Setenv("BAOHAN_CERT_PASSWORD", testCertPassword)
	amount, err := issue.ParseAmount(string(order.GuaranteeAmount))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ cert, no string }{{firmRSA, "BH-TPL-RSA"}, {firmSM2, "BH-TPL-SM2"}} {
		out := filepath.Join(t.TempDir(), c.no+".pdf")
		code, stdout, stderr := e.cli("guarantee", "issue", no, "--no", c.no, "--template", template, "--cert", c.cert, "--out", out)
		if code != 0 {
			t.Fatalf("issue %s: exit %d\n%s\n%s", c.no, code, stdout, stderr)
		}
		if !strings.Contains(stderr, "人民币"+amount.Words()) {
			t.Errorf("the facts were not shown before signing:\n%s", stderr)
		}
		text, err := exec.Command("pdftotext", out, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		flat := strings.Join(strings.Fields(string(text)), " ")
		for _, want := range []string{c.no, string(order.Creditor), string(order.Principal), string(order.BlockName), "人民币" + amount.Words(), "人民币 " + amount.Figures() + " 元"} {
			if !strings.Contains(flat, want) {
				t.Errorf("%s: pdftotext lacks %q:\n%s", c.no, want, flat)
			}
		}
		if c.cert == firmRSA {
			pdfsigValid(t, out)
		}
	}
}

// testClock is a settable clock for the sandbox.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// The files of a new order are kept at once in the background: 2.1
// arrives at the real listener, the FileKeeper reads it from the journal
// and downloads its 签署文件 and 附件 into the store by SHA-256. When the
// URLs of 2.1 have expired (the sandbox's clock moved three hours on), a
// fresh URL is asked for (4.1); a download that fails is journaled and
// tried again later, never silently missing.
func TestFileKeeper(t *testing.T) {
	keys, err := sandbox.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{}
	opt := keys.Options()
	opt.CallbackBase = "http://" + ln.Addr().String()
	opt.Now = clock.Now
	sb := sandbox.New(opt)
	baseURL, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfgPath, err := keys.WriteConfig(dir, baseURL, ln.Addr().String(), sandbox.ConfigExtra{StoreDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := platform.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dir, "data"))
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
	wf := platform.NewWorkflows(cfg, platform.NewClient(platform.ClientConfigFrom(cfg), st, nil), st)
	wf.Now = clock.Now
	keeper := &platform.FileKeeper{W: wf}
	ctx := context.Background()

	// A fresh order: its files come straight from the URLs of 2.1.
	o1, d := sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)
	if tried := keeper.Step(ctx); len(tried) != 1 || tried[0] != string(o1.OrderNo) {
		t.Fatalf("keeper tried %v", tried)
	}
	files, err := wf.KeepOrderFiles(ctx, string(o1.OrderNo), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1+len(o1.AttachFileIDs) {
		t.Fatalf("kept %+v", files)
	}
	for _, f := range files {
		want, _ := sb.File(f.FileID)
		if f.Error != "" || f.SHA256 != sha256Hex(want.Data) || !st.HasFile(f.SHA256) {
			t.Errorf("file %+v (platform's SHA-256 %s)", f, sha256Hex(want.Data))
		}
	}
	if n := sb.CountCalls(platform.MethodGetFileURL); n != 0 {
		t.Errorf("%d calls of 4.1 for URLs that were fresh", n)
	}
	if tried := keeper.Step(ctx); len(tried) != 0 {
		t.Errorf("keeper tried again %v", tried)
	}

	// An order whose URLs expired before the download, while the platform
	// refuses 4.1: the failure is journaled and retried after a pause,
	// then each file comes with a fresh URL.
	o2, d := sb.NewOrder(ctx, sandbox.OrderSpec{})
	wait(t, d)
	clock.Advance(3 * time.Hour)
	sb.InjectFault(platform.MethodGetFileURL, sandbox.StatusTimes(2002, 100))
	keeper.Step(ctx)
	evs, err := st.ListEvents(ctx, store.EventQuery{Ref: string(o2.OrderNo), Kind: platform.EventKindFile})
	if err != nil || len(evs) == 0 || evs[0].Status == platform.StatusOK || !strings.Contains(evs[0].Summary, "将重试") {
		t.Fatalf("failure not journaled: %v %+v", err, evs)
	}
	t.Logf("journal: %s", evs[0].Summary)
	sb.ClearFaults()
	if tried := keeper.Step(ctx); len(tried) != 0 {
		t.Errorf("retried before its pause: %v", tried)
	}
	before := sb.CountCalls(platform.MethodGetFileURL)
	clock.Advance(2 * time.Minute)
	if tried := keeper.Step(ctx); len(tried) != 1 {
		t.Fatalf("not retried after the pause: %v", tried)
	}
	files, _ = wf.KeepOrderFiles(ctx, string(o2.OrderNo), nil)
	for _, f := range files {
		if f.Error != "" || !st.HasFile(f.SHA256) {
			t.Errorf("expired URL: %+v", f)
		}
	}
	if n := sb.CountCalls(platform.MethodGetFileURL) - before; n != len(files) {
		t.Errorf("%d calls of 4.1 for %d expired URLs", n, len(files))
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
