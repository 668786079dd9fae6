package platform_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"baohan/pdfsign/issue"
	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

// testCert is an RSA CA and a leaf for the firm, made in memory (PKCS#12
// reading is tested in pdfsign/issue against files OpenSSL made).
func testCert(t *testing.T, firm string) *issue.Certificate {
	t.Helper()
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caT, caT, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	leafT := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: firm, Organization: []string{firm}}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	ca, _ := x509.ParseCertificate(caDER)
	leafDER, err := x509.CreateCertificate(rand.Reader, leafT, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := smx509.ParseCertificate(leafDER)
	if err != nil {
		t.Fatal(err)
	}
	caSM, _ := smx509.ParseCertificate(caDER)
	return &issue.Certificate{Key: key, Leaf: leaf, Chain: []*smx509.Certificate{caSM}}
}

// withSignFiles gives the store's order the fields 2.1 brought: the
// 签署文件 the sandbox holds, and the project's name.
func (e *wfEnv) withSignFiles(t *testing.T) (fileID string, o sandbox.Order) {
	t.Helper()
	o, _ = e.sb.Order(e.orderNo)
	files, _ := json.Marshal([]map[string]string{{"file_id": o.TemplateFileID, "file_url": "", "file_name": "投标保函模板.pdf"}})
	fields, _ := json.Marshal(map[string]any{"guarantee_sign_files": string(files), "project_name": string(o.ProjectName)})
	if err := e.st.Update(context.Background(), func(tx *store.Tx) error {
		return tx.UpsertOrder(store.Order{OrderNo: e.orderNo, OrderStatus: platform.OrderWaitOutGuarantee,
			BlockNumber: string(o.BlockNumber), BlockName: string(o.BlockName), Principal: string(o.Principal),
			Creditor: string(o.Creditor), GuaranteeAmount: string(o.GuaranteeAmount), BidDeadline: string(o.BidDeadline),
			ValidDay: string(o.ValidDay), GuaranteeStartDate: string(o.GuaranteeStartDate), GuaranteeEndDate: string(o.GuaranteeEndDate),
			Fields: fields})
	}); err != nil {
		t.Fatal(err)
	}
	return o.TemplateFileID, o
}

func pdfsigOK(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdfsig"); err != nil {
		t.Skip("pdfsig is not installed (.ci/run installs poppler-utils)")
	}
	f := filepath.Join(t.TempDir(), "l.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfsig", f).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Signature is Valid") {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	return string(out)
}

// 签发 from the platform's 签署文件: fetched with 4.1, signed, checked,
// time-stamped by the sandbox's TSA, then pushed (2.5) with its SHA-256.
func TestIssueSignFileAndPush(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	fileID, _ := e.withSignFiles(t)
	ctx := context.Background()
	cert := testCert(t, e.wf.Guarantor)
	letter, err := e.wf.IssueLetter(ctx, platform.IssueInput{OrderNo: e.orderNo, GuaranteeNo: "BH-SF-1", SignFileID: fileID,
		Cert: cert, TSAURL: strings.TrimRight(e.sb.URL(), "/") + sandbox.TSAPath})
	if err != nil {
		t.Fatal(err)
	}
	if e.sb.CountCalls(platform.MethodGetFileURL) != 1 {
		t.Errorf("4.1 calls = %d, want 1", e.sb.CountCalls(platform.MethodGetFileURL))
	}
	t.Log(pdfsigOK(t, letter.PDF))
	if !letter.Report.Signed() || !letter.Report.Intact() {
		t.Errorf("pdfsign report: signed %v intact %v", letter.Report.Signed(), letter.Report.Intact())
	}
	out := filepath.Join(t.TempDir(), "BH-SF-1.pdf")
	if err := os.WriteFile(out, letter.PDF, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := e.wf.PlanPush(ctx, platform.PushInput{OrderNo: e.orderNo, GuaranteeNo: "BH-SF-1", PDFPath: out})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.wf.Execute(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := e.sb.Guarantee("BH-SF-1")
	if !ok || g.SerialNum != string(res.SerialNum) {
		t.Fatalf("sandbox guarantee %+v, serial %s", g, res.SerialNum)
	}
	if !e.st.HasFile(letter.SHA256) {
		t.Error("the signed letter is not kept in the store")
	}
	// Issuing again for a pushed guarantee is refused.
	if _, err := e.wf.IssueLetter(ctx, platform.IssueInput{OrderNo: e.orderNo, GuaranteeNo: "BH-SF-1", SignFileID: fileID, Cert: cert}); !platform.IsInputError(err) {
		t.Errorf("second issue: %v", err)
	}
}

// 签发 from the firm's template: the letter states the order's facts,
// including the guarantee period by the rule and the amount in capitals.
func TestIssueTemplate(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	_, o := e.withSignFiles(t)
	ctx := context.Background()
	l, warns, err := e.wf.LetterFor(ctx, e.orderNo, "BH-T-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings for a consistent order: %v", warns)
	}
	if got := l.PeriodStart.Format(platform.DateLayout) + "/" + l.PeriodEnd.Format(platform.DateLayout); got != string(o.GuaranteeStartDate)+"/"+string(o.GuaranteeEndDate) {
		t.Errorf("period %s, sandbox says %s/%s", got, o.GuaranteeStartDate, o.GuaranteeEndDate)
	}
	if _, err := os.Stat(issue.DefaultFontFiles[0]); err != nil {
		t.Skip("no CJK font (.ci/run installs fonts-wqy-microhei)")
	}
	letter, err := e.wf.IssueLetter(ctx, platform.IssueInput{OrderNo: e.orderNo, GuaranteeNo: "BH-T-1",
		Template: filepath.Join("..", "testdata", "letter", "template.pdf"), Cert: testCert(t, e.wf.Guarantor)})
	if err != nil {
		t.Fatal(err)
	}
	pdfsigOK(t, letter.PDF)
	a, _ := issue.ParseAmount(string(o.GuaranteeAmount))
	var got string
	for _, v := range letter.Values {
		if v.Name == issue.FieldAmountCN {
			got = v.Value
		}
	}
	if got != "人民币"+a.Words() {
		t.Errorf("大写 = %q", got)
	}
}

func TestIssueRefusesLocally(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	cert := testCert(t, e.wf.Guarantor)
	for _, in := range []platform.IssueInput{
		{OrderNo: e.orderNo, GuaranteeNo: "X", Cert: cert},                                                      // no source
		{OrderNo: e.orderNo, GuaranteeNo: "X", Cert: cert, SignFileID: "a", Template: "b"},                      // both
		{OrderNo: e.orderNo, GuaranteeNo: "X", Cert: cert, SignFileID: "not-of-this-order"},                     // foreign file
		{OrderNo: e.orderNo, GuaranteeNo: "", Cert: cert, Template: "x.pdf"},                                    // no number
		{OrderNo: "nope", GuaranteeNo: "X", Cert: cert, Template: "x.pdf"},                                      // unknown order
		{OrderNo: e.orderNo, GuaranteeNo: "X", Cert: cert, Template: filepath.Join(t.TempDir(), "missing.pdf")}, // no template
	} {
		if _, err := e.wf.IssueLetter(ctx, in); !platform.IsInputError(err) {
			t.Errorf("%+v: %v, want a local refusal", in, err)
		}
	}
	if e.sb.CountCalls(platform.MethodGetFileURL) != 0 {
		t.Error("a refused issue called the platform")
	}
}
