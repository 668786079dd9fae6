package pdfsign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"
)

const fixtureDir = "../testdata/pdf"

func TestMain(m *testing.M) {
	// The tests must not depend on a trusted-certificate folder of the
	// machine they run on: start from an empty one.
	dir, err := os.MkdirTemp("", "pdfsign-trust-")
	if err != nil {
		panic(err)
	}
	if os.Getenv(freshHomeEnv) == "" {
		if err := Setup(dir); err != nil {
			panic(err)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sigWant is the expected verdict for one signature.
type sigWant struct {
	field, signerCN, issuerCN  string
	covers, appended, onlySigs bool
	digestOK, signatureOK      bool
	supported, intact          bool
	timeSource                 string
}

// fixtureWant is the expected verdict for one fixture.
type fixtureWant struct {
	isPDF, validRelaxed, encrypted bool
	pages                          int
	version                        string
	intact, signed, pushOK         bool
	pushWarning                    bool // a warning is expected
	isModified                     int
	conclusion                     string
	sigs                           []sigWant
}

const (
	zhangsan = "张三"
	lisi     = "李四"
	testCA   = "福建测试CA"
	testOrg  = "福州某某融资担保有限公司"
	caOrg    = "福建测试电子认证服务有限公司"
)

var intactSig = func(field, cn string) sigWant {
	return sigWant{field: field, signerCN: cn, issuerCN: testCA, covers: true, digestOK: true, signatureOK: true,
		supported: true, intact: true, timeSource: TimeFromMEntry}
}

// fixtures are made by testdata/pdf/make-fixtures.sh with poppler's pdfsig.
var fixtures = map[string]fixtureWant{
	"unsigned.pdf": {
		isPDF: true, validRelaxed: true, pages: 1, version: "1.7",
		intact: true, signed: false, pushOK: true, pushWarning: true, isModified: Modified,
		conclusion: "文件完整，但没有签名",
	},
	"signed.pdf": {
		isPDF: true, validRelaxed: true, pages: 1, version: "1.7",
		intact: true, signed: true, pushOK: true, isModified: NotModified,
		conclusion: "文件完整，签名有效",
		sigs:       []sigWant{intactSig("Signature1", zhangsan)},
	},
	"signed-field.pdf": {
		isPDF: true, validRelaxed: true, pages: 1, version: "1.7",
		intact: true, signed: true, pushOK: true, isModified: NotModified,
		conclusion: "文件完整，签名有效",
		sigs:       []sigWant{intactSig("Signature1", zhangsan)},
	},
	"tampered.pdf": {
		isPDF: true, validRelaxed: true, pages: 1, version: "1.7",
		intact: false, signed: true, pushOK: false, isModified: Modified,
		conclusion: "签名后被修改，不可推送",
		sigs: []sigWant{{field: "Signature1", signerCN: zhangsan, issuerCN: testCA, covers: true,
			digestOK: false, signatureOK: true, supported: true, intact: false, timeSource: TimeFromMEntry}},
	},
	"appended.pdf": {
		isPDF: true, validRelaxed: true, pages: 1, version: "1.7",
		intact: false, signed: true, pushOK: false, isModified: Modified,
		conclusion: "签名后被修改，不可推送",
		sigs: []sigWant{{field: "Signature1", signerCN: zhangsan, issuerCN: testCA, covers: false, appended: true,
			onlySigs: false, digestOK: true, signatureOK: true, supported: true, intact: false, timeSource: TimeFromMEntry}},
	},
	"appended-then-signed.pdf": {
		isPDF: true, validRelaxed: true, pages: 1, version: "1.7",
		intact: false, signed: true, pushOK: false, isModified: Modified,
		conclusion: "签名后被修改，不可推送",
		sigs: []sigWant{
			{field: "Signature1", signerCN: zhangsan, issuerCN: testCA, covers: false, appended: true, onlySigs: false,
				digestOK: true, signatureOK: true, supported: true, intact: false, timeSource: TimeFromMEntry},
			intactSig("Signature2", lisi),
		},
	},
	"two-signatures.pdf": {
		isPDF: true, validRelaxed: true, pages: 1, version: "1.7",
		intact: true, signed: true, pushOK: true, isModified: NotModified,
		conclusion: "文件完整，签名有效",
		sigs: []sigWant{
			{field: "Signature1", signerCN: zhangsan, issuerCN: testCA, covers: false, appended: true, onlySigs: true,
				digestOK: true, signatureOK: true, supported: true, intact: true, timeSource: TimeFromMEntry},
			intactSig("Signature2", lisi),
		},
	},
	"encrypted.pdf": {
		isPDF: true, validRelaxed: false, encrypted: true,
		intact: false, signed: false, pushOK: false, isModified: Modified,
		conclusion: "文件已加密，无法检查，不可推送",
	},
	"truncated.pdf": {
		isPDF: true, validRelaxed: false, pages: 1, version: "1.7",
		intact: false, signed: false, pushOK: false, isModified: Modified,
		conclusion: "PDF文件无效或不完整，不可推送",
	},
	"not-a-pdf.pdf": {
		isPDF:  false,
		intact: false, signed: false, pushOK: false, isModified: Modified,
		conclusion: "不是PDF文件，不可推送",
	},
}

var signTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)

func checkFixture(t *testing.T, name string) *Report {
	t.Helper()
	rep, err := CheckFile(context.Background(), filepath.Join(fixtureDir, name), Options{})
	if err != nil {
		t.Fatalf("CheckFile %s: %v", name, err)
	}
	return rep
}

func TestFixtureVerdicts(t *testing.T) {
	for name, want := range fixtures {
		t.Run(name, func(t *testing.T) {
			rep := checkFixture(t, name)
			assertVerdict(t, rep, want)
		})
	}
}

func assertVerdict(t *testing.T, rep *Report, want fixtureWant) {
	t.Helper()
	if !rep.Complete {
		t.Fatalf("check incomplete: %v", rep.Problems)
	}
	sum, size, err := HashFile(rep.File)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SHA256 != sum || rep.Size != size {
		t.Errorf("sha256/size = %s/%d, want %s/%d", rep.SHA256, rep.Size, sum, size)
	}
	eq := func(what string, got, wantv any) {
		t.Helper()
		if got != wantv {
			t.Errorf("%s = %v, want %v", what, got, wantv)
		}
	}
	eq("IsPDF", rep.IsPDF, want.isPDF)
	eq("ValidRelaxed", rep.ValidRelaxed, want.validRelaxed)
	eq("Encrypted", rep.Encrypted, want.encrypted)
	eq("Pages", rep.Pages, want.pages)
	eq("Version", rep.Version, want.version)
	eq("Intact()", rep.Intact(), want.intact)
	eq("Signed()", rep.Signed(), want.signed)
	eq("Conclusion()", rep.Conclusion(), want.conclusion)
	ok, warning, reason := rep.PushVerdict()
	eq("PushVerdict ok", ok, want.pushOK)
	eq("push warning given", warning != "", want.pushWarning)
	eq("push reason given", reason != "", !want.pushOK)
	ans := rep.VerifyAnswer()
	eq("is_modified", ans.IsModified, want.isModified)
	if !want.intact && want.isModified == NotModified {
		t.Error("bad test: not intact yet is_modified 2")
	}
	if len(rep.Signatures) != len(want.sigs) {
		t.Fatalf("%d signatures, want %d: %+v", len(rep.Signatures), len(want.sigs), rep.Signatures)
	}
	if want.signed {
		eq("sign_name", ans.SignName, testOrg)
		eq("issuer", ans.Issuer, caOrg)
		if !signTimeRE.MatchString(ans.SignTime) {
			t.Errorf("sign_time %q is not YYYY-MM-DD HH:MM:SS", ans.SignTime)
		}
	} else if ans.SignName != "" || ans.Issuer != "" || ans.SignTime != "" {
		t.Errorf("unsigned file answers %+v", ans)
	}
	for i, sw := range want.sigs {
		s := rep.Signatures[i]
		p := func(what string) string { return "sig " + sw.field + " " + what }
		eq(p("Field"), s.Field, sw.field)
		eq(p("SubFilter"), s.SubFilter, "adbe.pkcs7.detached")
		eq(p("SignerCN"), s.SignerCN, sw.signerCN)
		eq(p("SignerOrg"), s.SignerOrg, testOrg)
		eq(p("IssuerCN"), s.IssuerCN, sw.issuerCN)
		eq(p("IssuerOrg"), s.IssuerOrg, caOrg)
		eq(p("CoversWholeFile"), s.CoversWholeFile, sw.covers)
		eq(p("AppendedAfterSigning"), s.AppendedAfterSigning, sw.appended)
		eq(p("LaterUpdatesOnlySignatures"), s.LaterUpdatesOnlySignatures, sw.onlySigs)
		eq(p("DigestOK"), s.DigestOK, sw.digestOK)
		eq(p("SignatureOK"), s.SignatureOK, sw.signatureOK)
		eq(p("Supported"), s.Supported, sw.supported)
		eq(p("Intact"), s.Intact, sw.intact)
		eq(p("SigningTimeSource"), s.SigningTimeSource, sw.timeSource)
		eq(p("Trust"), s.Trust, TrustUnknown)
		eq(p("DigestAlgorithm"), s.DigestAlgorithm, "SHA-256")
		if s.SigningTime.IsZero() {
			t.Error(p("no signing time"))
		}
		if len(s.Chain) == 0 || !strings.Contains(s.Chain[0], sw.signerCN) {
			t.Errorf("%s: chain %v", p("Chain"), s.Chain)
		}
		if sw.intact != (len(s.Problems) == 0) {
			t.Errorf("%s: intact %v but problems %v", p("Problems"), sw.intact, s.Problems)
		}
	}
	problems := len(rep.Problems)
	for _, s := range rep.Signatures {
		problems += len(s.Problems)
	}
	if want.intact != (problems == 0) {
		t.Errorf("intact %v but problems %v %+v", want.intact, rep.Problems, rep.Signatures)
	}
}

// TestTamperedNamesTheCause checks the plain-words reasons.
func TestTamperedNamesTheCause(t *testing.T) {
	cases := map[string]string{
		"tampered.pdf":             "摘要",
		"appended.pdf":             "对象 4",
		"appended-then-signed.pdf": "对象 4",
		"encrypted.pdf":            "加密",
		"not-a-pdf.pdf":            "不是PDF",
		"truncated.pdf":            "%%EOF",
	}
	for name, word := range cases {
		rep := checkFixture(t, name)
		_, _, reason := rep.PushVerdict()
		all := reason + strings.Join(rep.Problems, "")
		for _, s := range rep.Signatures {
			all += strings.Join(s.Problems, "")
		}
		if !strings.Contains(all, word) {
			t.Errorf("%s: reason %q and problems %q do not mention %q", name, reason, all, word)
		}
	}
}

func TestTrustedRoot(t *testing.T) {
	dir := t.TempDir()
	ca, err := os.ReadFile(filepath.Join(fixtureDir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Setup(dir); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := Setup(t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}()
	rep := checkFixture(t, "signed.pdf")
	s := rep.Signatures[0]
	if s.Trust != TrustTrusted || s.TrustReason != "" {
		t.Errorf("trust = %s (%s), want trusted", s.Trust, s.TrustReason)
	}
	if len(s.Chain) != 2 || !strings.Contains(s.Chain[1], testCA) || strings.Contains(s.Chain[1], "未附带") {
		t.Errorf("chain = %v", s.Chain)
	}
	if !rep.Intact() {
		t.Errorf("not intact: %v", rep.Problems)
	}

	// A root that did not issue the signer: untrusted, still intact.
	other := getPKI(t).caCert
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, "other.der"), other.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Setup(dir2); err != nil {
		t.Fatal(err)
	}
	rep = checkFixture(t, "signed.pdf")
	if s := rep.Signatures[0]; s.Trust != TrustUntrusted || !s.Intact {
		t.Errorf("trust = %s, intact %v; want untrusted and intact", s.Trust, s.Intact)
	}
	if ok, warn, _ := rep.PushVerdict(); !ok || !strings.Contains(warn, "证书") {
		t.Errorf("push ok %v warning %q; want ok with a certificate warning", ok, warn)
	}
}

// TestGoMadeSignatures covers what pdfsig cannot produce.
func TestGoMadeSignatures(t *testing.T) {
	type want struct {
		intact, digestOK, signatureOK, supported, stray bool
		timeSource, signerCN, problem                   string
		nsigs                                           int
		signTime                                        string
	}
	flipSigByte := func(b []byte) []byte {
		// The last non-zero byte of the hex signature value: part of the RSA signature.
		i := bytes.Index(b, []byte("/Contents <")) + len("/Contents <")
		j := i + bytes.IndexByte(b[i:], '>')
		k := j - 1
		for b[k] == '0' {
			k--
		}
		if b[k] == '1' {
			b[k] = '2'
		} else {
			b[k] = '1'
		}
		return b
	}
	cases := map[string]struct {
		spec genSpec
		want want
	}{
		"rsa signed attributes": {genSpec{}, want{intact: true, digestOK: true, signatureOK: true, supported: true,
			timeSource: TimeFromSignedAttribute, signerCN: "王五", nsigs: 1}},
		"ecdsa": {genSpec{ecdsa: true}, want{intact: true, digestOK: true, signatureOK: true, supported: true,
			timeSource: TimeFromSignedAttribute, signerCN: "赵六", nsigs: 1}},
		"timestamp token": {genSpec{tsToken: true}, want{intact: true, digestOK: true, signatureOK: true, supported: true,
			timeSource: TimeFromTimestampToken, signerCN: "王五", nsigs: 1, signTime: "2024-03-15 10:31:05"}},
		"document timestamp": {genSpec{docTS: true}, want{intact: true, digestOK: true, signatureOK: true, supported: true,
			timeSource: TimeFromTimestampToken, signerCN: "测试时间戳服务", nsigs: 1, signTime: "2024-03-15 10:31:05"}},
		"sha1": {genSpec{sha1: true}, want{supported: false, timeSource: TimeFromMEntry, signerCN: "王五", nsigs: 1,
			problem: "SHA-1", signTime: "2024-03-15 10:30:00"}},
		"sm2": {genSpec{sm2: true}, want{digestOK: true, supported: false, timeSource: TimeFromSignedAttribute,
			signerCN: "王五", nsigs: 1, problem: "国密"}},
		"signature value altered": {genSpec{mutate: flipSigByte}, want{digestOK: true, signatureOK: false, supported: true,
			timeSource: TimeFromSignedAttribute, signerCN: "王五", nsigs: 1, problem: "签名值验证失败"}},
		"stripped field": {genSpec{stray: true}, want{stray: true, nsigs: 0, problem: "剥离"}},
		"byte range widened over content": {genSpec{mutate: func(b []byte) []byte {
			// Move the gap start back so the signed range skips real bytes.
			i := bytes.Index(b, []byte("/ByteRange [0 ")) + len("/ByteRange [0 ")
			j := i + bytes.IndexByte(b[i:], ' ')
			n, _ := strconv.Atoi(string(b[i:j]))
			s := strconv.Itoa(n - 10)
			copy(b[i:j], s+strings.Repeat(" ", j-i-len(s)))
			return b
		}}, want{supported: true, timeSource: TimeFromMEntry, nsigs: 1, problem: "签名值", signTime: "2024-03-15 10:30:00"}},
		"junk after %%EOF": {genSpec{mutate: func(b []byte) []byte { return append(b, "% trailing\n"...) }},
			want{digestOK: true, signatureOK: true, supported: true, timeSource: TimeFromSignedAttribute,
				signerCN: "王五", nsigs: 1, problem: "追加"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			data := genPDF(t, c.spec)
			rep, err := Check(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.ValidRelaxed {
				t.Fatalf("generated PDF not valid: %v %s", rep.Problems, rep.ValidationErrors.Relaxed)
			}
			if rep.Intact() != c.want.intact || rep.StraySignatureData != c.want.stray {
				t.Errorf("Intact() = %v stray %v, want %v %v; problems %v %+v", rep.Intact(), rep.StraySignatureData,
					c.want.intact, c.want.stray, rep.Problems, rep.Signatures)
			}
			if ans := rep.VerifyAnswer(); (ans.IsModified == NotModified) != c.want.intact {
				t.Errorf("is_modified = %d", ans.IsModified)
			}
			if len(rep.Signatures) != c.want.nsigs {
				t.Fatalf("%d signatures, want %d", len(rep.Signatures), c.want.nsigs)
			}
			all := strings.Join(rep.Problems, "|")
			if c.want.nsigs == 1 {
				s := rep.Signatures[0]
				all += strings.Join(s.Problems, "|")
				if s.DigestOK != c.want.digestOK || s.SignatureOK != c.want.signatureOK || s.Supported != c.want.supported ||
					s.Intact != c.want.intact {
					t.Errorf("digest %v signature %v supported %v intact %v; want %+v; problems %v",
						s.DigestOK, s.SignatureOK, s.Supported, s.Intact, c.want, s.Problems)
				}
				if s.SigningTimeSource != c.want.timeSource {
					t.Errorf("time source %q, want %q", s.SigningTimeSource, c.want.timeSource)
				}
				if s.SignerCN != c.want.signerCN {
					t.Errorf("signer %q, want %q", s.SignerCN, c.want.signerCN)
				}
				if c.want.signTime != "" {
					if got := rep.VerifyAnswer().SignTime; got != c.want.signTime {
						t.Errorf("sign_time %q, want %q", got, c.want.signTime)
					}
				}
			}
			if c.want.problem != "" && !strings.Contains(all, c.want.problem) {
				t.Errorf("problems %q do not mention %q", all, c.want.problem)
			}
			if ok, _, reason := rep.PushVerdict(); ok != c.want.intact || (!ok && reason == "") {
				t.Errorf("push %v %q", ok, reason)
			}
		})
	}
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestConcurrentChecks runs checks in parallel (meant for -race) and expects
// the same verdicts as one at a time.
func TestConcurrentChecks(t *testing.T) {
	names := make([]string, 0, len(fixtures))
	for n := range fixtures {
		names = append(names, n)
	}
	want := map[string]string{}
	for _, n := range names {
		b, _ := json.Marshal(verdictOf(checkFixture(t, n)))
		want[n] = string(b)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for round := 0; round < 3; round++ {
		for _, n := range names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := CheckFile(context.Background(), filepath.Join(fixtureDir, n), Options{})
				if err != nil {
					errs <- err.Error()
					return
				}
				b, _ := json.Marshal(verdictOf(rep))
				if string(b) != want[n] {
					errs <- n + ": " + string(b) + " != " + want[n]
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

type verdict struct {
	Intact, Signed, Push bool
	Answer               VerifyAnswer
	Conclusion           string
	Sigs                 []Signature
}

func verdictOf(r *Report) verdict {
	ok, _, _ := r.PushVerdict()
	return verdict{r.Intact(), r.Signed(), ok, r.VerifyAnswer(), r.Conclusion(), r.Signatures}
}

func TestTimeLimit(t *testing.T) {
	// An already expired deadline: the check stops and never says intact.
	rep, err := CheckFile(context.Background(), filepath.Join(fixtureDir, "signed.pdf"), Options{Timeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Complete || rep.Intact() {
		t.Errorf("complete %v intact %v", rep.Complete, rep.Intact())
	}
	if ok, _, reason := rep.PushVerdict(); ok || !strings.Contains(reason, "没有完成") {
		t.Errorf("push %v %q", ok, reason)
	}
	if rep.VerifyAnswer().IsModified != Modified {
		t.Error("incomplete check answered not modified")
	}
	if !strings.Contains(strings.Join(rep.Problems, ""), "超时") {
		t.Errorf("problems %v", rep.Problems)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err = CheckFile(ctx, filepath.Join(fixtureDir, "signed.pdf"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Complete || !strings.Contains(strings.Join(rep.Problems, ""), "中止") {
		t.Errorf("cancelled: complete %v problems %v", rep.Complete, rep.Problems)
	}
}

func TestIOErrors(t *testing.T) {
	if _, err := CheckFile(context.Background(), filepath.Join(t.TempDir(), "missing.pdf"), Options{}); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := CheckFile(context.Background(), t.TempDir(), Options{}); err == nil {
		t.Error("directory: no error")
	}
	// A reader shorter than the size it claims is an I/O problem.
	if _, err := Check(context.Background(), bytes.NewReader([]byte("%PDF-1.7\n")), 100, Options{}); err == nil {
		t.Error("short reader: no error")
	}
}

func TestEmptyFile(t *testing.T) {
	rep, err := Check(context.Background(), bytes.NewReader(nil), 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.IsPDF || rep.Intact() || rep.SHA256 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("%+v", rep)
	}
}

func TestJSON(t *testing.T) {
	rep := checkFixture(t, "two-signatures.pdf")
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"sha256", "size", "valid_relaxed", "validation_errors", "pages",
		"version", "encrypted", "signatures", "problems", "complete"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report JSON lacks %q: %s", k, b)
		}
	}
	sig := m["signatures"].([]any)[0].(map[string]any)
	for _, k := range []string{"field", "sub_filter", "signer_cn", "signer_org", "issuer_cn", "issuer_org",
		"signing_time", "signing_time_source", "covers_whole_file", "appended_after_signing", "digest_ok",
		"signature_ok", "supported", "intact", "chain", "trust", "problems"} {
		if _, ok := sig[k]; !ok {
			t.Errorf("signature JSON lacks %q", k)
		}
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	ans, _ := json.Marshal(rep.VerifyAnswer())
	if !bytes.Contains(ans, []byte(`"is_modified":2`)) || !bytes.Contains(ans, []byte(`"sign_name":"`+testOrg)) {
		t.Errorf("answer JSON %s", ans)
	}
}

func TestWriteText(t *testing.T) {
	for _, name := range []string{"two-signatures.pdf", "tampered.pdf", "not-a-pdf.pdf", "unsigned.pdf"} {
		rep := checkFixture(t, name)
		var buf bytes.Buffer
		if err := WriteText(&buf, rep); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if last := lines[len(lines)-1]; last != "结论："+fixtures[name].conclusion {
			t.Errorf("%s: last line %q", name, last)
		}
		for _, label := range []string{"文件：", "SHA-256：", "结论："} {
			if !strings.Contains(out, label) {
				t.Errorf("%s: no %q in\n%s", name, label, out)
			}
		}
		if rep.Signed() {
			for _, label := range []string{"签名人", "签发机构", "签名时间", "覆盖全文", "签名后追加内容", "摘要校验", "签名校验", "信任链"} {
				if !strings.Contains(out, label) {
					t.Errorf("%s: no %q", name, label)
				}
			}
		}
		// Values of one block start in the same display column.
		cols := map[string]map[int]bool{}
		for _, l := range lines {
			i := strings.Index(l, "：")
			if i < 0 || strings.HasPrefix(strings.TrimSpace(l), "-") || strings.HasSuffix(l, "：") || strings.HasPrefix(l, "结论") {
				continue
			}
			indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
			rest := l[i+len("："):]
			col := runewidth.StringWidth(l[:i+len("：")]) + len(rest) - len(strings.TrimLeft(rest, " "))
			if cols[indent] == nil {
				cols[indent] = map[int]bool{}
			}
			cols[indent][col] = true
		}
		for indent, c := range cols {
			if len(c) != 1 {
				t.Errorf("%s: values at indent %q start in columns %v:\n%s", name, indent, c, out)
			}
		}
		if testing.Verbose() {
			t.Logf("%s:\n%s", name, out)
		}
	}
}

func TestHash(t *testing.T) {
	for _, n := range []int{0, 1, hashBufSize - 1, hashBufSize, 3*hashBufSize + 7} {
		data := bytes.Repeat([]byte{0x5a, 0x01, 0xff}, n/3+1)[:n]
		sum, size, err := HashReader(bytes.NewReader(data))
		if err != nil || size != int64(n) || sum != sha256hex(data) {
			t.Errorf("n=%d: %s %d %v", n, sum, size, err)
		}
	}
	path := filepath.Join(fixtureDir, "signed.pdf")
	data, _ := os.ReadFile(path)
	sum, size, err := HashFile(path)
	if err != nil || sum != sha256hex(data) || size != int64(len(data)) {
		t.Errorf("HashFile: %s %d %v", sum, size, err)
	}
	if _, _, err := HashFile(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("missing file hashed")
	}
}

// TestRevocationSwitch: with revocation checking on, certificates without a
// CRL or OCSP address are not fetched; integrity is unaffected and the trust
// reason says the status is unknown.
func TestRevocationSwitch(t *testing.T) {
	rep, err := CheckFile(context.Background(), filepath.Join(fixtureDir, "signed.pdf"), Options{Revocation: true, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Intact() {
		t.Fatalf("not intact: %v %+v", rep.Problems, rep.Signatures)
	}
	if s := rep.Signatures[0]; !strings.Contains(s.TrustReason, "吊销") {
		t.Errorf("trust reason %q", s.TrustReason)
	}
}

// TestJSONRoundTrip: a report read back from JSON (as a store might keep
// it) gives the same verdicts.
func TestJSONRoundTrip(t *testing.T) {
	for name := range fixtures {
		rep := checkFixture(t, name)
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		var back Report
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(verdictOf(rep))
		got, _ := json.Marshal(verdictOf(&back))
		if string(got) != string(want) {
			t.Errorf("%s: after JSON %s\nbefore %s", name, got, want)
		}
	}
}
