package issue

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testLetter(t testing.TB) Letter {
	t.Helper()
	a, err := ParseAmount("1000000")
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.ParseInLocation("2006-01-02", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	return Letter{
		GuaranteeNo: "BH2026120100001", Creditor: "福州市某某建设发展有限公司", Principal: "福建某某建工集团有限公司",
		ProjectName: "福州滨海新城某某安置房项目", BlockName: "施工总承包（标段二）", Amount: a,
		PeriodStart: day("2026-12-20"), PeriodEnd: day("2027-05-19"), Guarantor: testFirm, IssueDate: day("2026-12-01"),
	}
}

func testFont(t testing.TB) Font {
	t.Helper()
	for _, f := range DefaultFontFiles {
		if _, err := os.Stat(f); err == nil {
			return Font{Dir: filepath.Join(t.TempDir(), "fonts")}
		}
	}
	t.Skip("no CJK font (.ci/run installs fonts-wqy-microhei)")
	return Font{}
}

func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	needTool(t, "pdftotext")
	f := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return run(t, filepath.Dir(f), "pdftotext", "-layout", f, "-")
}

// The filled and signed letter, read by poppler's pdftotext and checked by
// pdfsig: the order's facts are in it, the amount in capitals included,
// and its fonts are embedded (pdffonts).
func TestFillAndSignTemplate(t *testing.T) {
	l := testLetter(t)
	filled, err := Fill(readTemplate(t), l, testFont(t))
	if err != nil {
		t.Fatal(err)
	}
	id := makeIdentity(t, "rsa")
	seal, err := os.ReadFile("../../testdata/letter/seal.png")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Sign(context.Background(), filled, loadIdentity(t, id), SignOptions{Reason: "签发电子保函 " + l.GuaranteeNo, Seal: seal})
	if err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv("BAOHAN_KEEP_LETTER"); p != "" { // to look at it
		_ = os.WriteFile(p, out, 0o600)
	}
	text := strings.Join(strings.Fields(pdftotext(t, out)), " ")
	for _, want := range []string{"BH2026120100001", "福州市某某建设发展有限公司", "福建某某建工集团有限公司", "福州滨海新城某某安置房项目",
		"施工总承包（标段二）", "人民币 1,000,000.00 元", "人民币壹佰万元整", "2026年12月20日至2027年5月19日", testFirm, "2026年12月1日"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, text)
		}
	}
	if rep := pdfsig(t, out, ""); !strings.Contains(rep, "Signature is Valid") || !strings.Contains(rep, "Total document signed") {
		t.Errorf("pdfsig:\n%s", rep)
	}
	f := filepath.Join(t.TempDir(), "l.pdf")
	if err := os.WriteFile(f, out, 0o600); err != nil {
		t.Fatal(err)
	}
	fonts := run(t, filepath.Dir(f), "pdffonts", f)
	for _, line := range strings.Split(fonts, "\n")[2:] {
		if strings.Contains(line, "DroidSansFallback") && !strings.Contains(line, " yes yes ") {
			t.Errorf("font not embedded as a subset: %s", line)
		}
	}
	// Every field is read-only after filling (qpdf's view of the fields).
	if _, err := os.Stat("/usr/bin/qpdf"); err == nil {
		js := run(t, filepath.Dir(f), "qpdf", "--json", "--json-key=acroform", f)
		if strings.Count(js, `"fieldflags": 1`) < 9 {
			t.Errorf("fields not locked:\n%s", js)
		}
	}
}

func TestFillRefusesTemplateWithoutFields(t *testing.T) {
	_, err := Fill(readTemplate(t)[:100], testLetter(t), testFont(t))
	if err == nil {
		t.Fatal("a broken template was filled")
	}
}
