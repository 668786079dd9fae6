package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"baohan/pdfsign/issue"
	"baohan/platform"
	"baohan/platform/sandbox"
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

// The template path through the CLI, RSA and SM2: the filled letter shows
// the order's facts to pdftotext, the RSA one passes pdfsig.
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
		if c.cert == firmSM2 && code != 0 {
			// pdfsign (before issue 10) cannot verify SM2: the check
			// refuses the letter, which is then not written.
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a letter that failed its check was written")
			}
			t.Logf("SM2 letter refused by the current pdfsign check (exit %d): %s", code, stderr)
			continue
		}
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
