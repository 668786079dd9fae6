package pdfsign

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenSSLSignedVerdicts: signatures made by OpenSSL 3
// (testdata/pdf/make-openssl-signed.py) in each algorithm a guarantee may
// carry; SM2 ones are assembled from OpenSSL's SM2/SM3 parts.
func TestOpenSSLSignedVerdicts(t *testing.T) {
	cases := []struct {
		file       string
		intact     bool
		digestAlg  string
		problem    string
		signerCN   string
		digestOK   bool
		signatureO bool
	}{
		{"ossl-rsa-pss.pdf", true, "SHA-256", "", "OpenSSL rsa 测试", true, true},
		{"ossl-ecdsa-p256.pdf", true, "SHA-256", "", "OpenSSL p256 测试", true, true},
		{"ossl-ecdsa-p384.pdf", true, "SHA-384", "", "OpenSSL p384 测试", true, true},
		{"ossl-rsa-sha512-ski.pdf", true, "SHA-512", "", "OpenSSL rsa 测试", true, true},
		{"ossl-rsa-noattr.pdf", true, "SHA-256", "", "OpenSSL rsa 测试", true, true},
		{"ossl-rsa-sha1.pdf", false, "SHA-1", "弱算法", "", false, false},
		{"ossl-odd-cert.pdf", true, "SHA-256", "", "OpenSSL odd 测试", true, true},
		{"ossl-ecdsa-tampered.pdf", false, "SHA-256", "签名后文件内容被修改", "OpenSSL p256 测试", false, true},
		{"ossl-sm2.pdf", true, "SM3", "", "王五", true, true},
		{"ossl-sm2-cades.pdf", true, "SM3", "", "王五", true, true},
		{"ossl-sm2-tampered.pdf", false, "SM3", "签名后文件内容被修改", "王五", false, true},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			rep, err := CheckFile(context.Background(), filepath.Join(fixtureDir, c.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Signatures) != 1 {
				t.Fatalf("%d signatures", len(rep.Signatures))
			}
			s := rep.Signatures[0]
			if rep.Intact() != c.intact || s.DigestAlgorithm != c.digestAlg || s.DigestOK != c.digestOK || s.SignatureOK != c.signatureO {
				t.Errorf("intact %v alg %q digest %v signature %v, want %v %q %v %v; problems %q",
					rep.Intact(), s.DigestAlgorithm, s.DigestOK, s.SignatureOK, c.intact, c.digestAlg, c.digestOK, c.signatureO, s.Problems)
			}
			if c.signerCN != "" && s.SignerCN != c.signerCN {
				t.Errorf("signer %q, want %q", s.SignerCN, c.signerCN)
			}
			if c.problem != "" && !strings.Contains(strings.Join(s.Problems, "|"), c.problem) {
				t.Errorf("problems %q do not mention %q", s.Problems, c.problem)
			}
			if c.intact && rep.VerifyAnswer().IsModified != NotModified {
				t.Errorf("2.6 answer %+v", rep.VerifyAnswer())
			}
		})
	}
}

// TestOpenSSLAgrees: OpenSSL's own cms -verify accepts the signatures
// pdfsig (NSS) cannot judge (signer by subject key id) over the same
// ranges, and refuses the tampered one; so a verdict here is not only ours.
func TestOpenSSLAgrees(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed (.ci/run installs it)")
	}
	for _, c := range []struct {
		file string
		ok   bool
	}{{"ossl-rsa-sha512-ski.pdf", true}, {"ossl-rsa-noattr.pdf", true}, {"ossl-ecdsa-tampered.pdf", false}} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Check(context.Background(), bytes.NewReader(b), int64(len(b)), Options{})
		if err != nil || len(rep.Signatures) != 1 {
			t.Fatal(err)
		}
		br := rep.Signatures[0].ByteRange
		dir := t.TempDir()
		data := append(append([]byte{}, b[br[0]:br[0]+br[1]]...), b[br[2]:br[2]+br[3]]...)
		cms, err := gapContents(bytes.NewReader(b), [2]int64{br[1], br[2]})
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "data"), data, 0o600)
		os.WriteFile(filepath.Join(dir, "sig"), bytes.TrimRight(cms, "\x00"), 0o600)
		out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-noverify", "-inform", "DER",
			"-in", filepath.Join(dir, "sig"), "-content", filepath.Join(dir, "data"), "-out", os.DevNull).CombinedOutput()
		if (err == nil) != c.ok {
			t.Errorf("%s: openssl cms -verify: %v %s", c.file, err, out)
		}
		if rep.Intact() != c.ok {
			t.Errorf("%s: intact %v, openssl says %v", c.file, rep.Intact(), c.ok)
		}
	}
}

// TestSM2Chain: an SM2 signer certificate issued by an SM2 CA is trusted
// when that CA is in the trusted folder (the chain's SM2 signature is
// checked), untrusted when another root is.
func TestSM2Chain(t *testing.T) {
	ca, err := os.ReadFile(filepath.Join(fixtureDir, "sm2-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sm2-ca.pem"), ca, 0o600)
	t.Cleanup(func() { _ = Setup(t.TempDir()) })
	if err := Setup(dir); err != nil {
		t.Fatal(err)
	}
	rep, err := CheckFile(context.Background(), filepath.Join(fixtureDir, "ossl-sm2.pdf"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[0]
	if s.Trust != TrustTrusted || len(s.Chain) != 2 || !strings.Contains(s.Chain[1], "国密测试根CA") {
		t.Errorf("trust %q %q chain %q", s.Trust, s.TrustReason, s.Chain)
	}
	other, err := os.ReadFile(filepath.Join(fixtureDir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	dir2 := t.TempDir()
	os.WriteFile(filepath.Join(dir2, "ca.pem"), other, 0o600)
	if err := Setup(dir2); err != nil {
		t.Fatal(err)
	}
	rep, _ = CheckFile(context.Background(), filepath.Join(fixtureDir, "ossl-sm2.pdf"), Options{})
	if s := rep.Signatures[0]; s.Trust != TrustUntrusted || !rep.Intact() {
		t.Errorf("other root: trust %q intact %v", s.Trust, rep.Intact())
	}
}

// TestLaterSignatureVerdicts: a second signature made by OpenSSL (another
// signer) after a first one: an appearance over the signed amount (as
// text, as white paper, as digits drawn with black paths, as a red vector
// seal: judged by where it is, not by what it paints), a visible one on
// blank paper, and signatures after DocMDP P=1 and FieldMDP locks.
func TestLaterSignatureVerdicts(t *testing.T) {
	const overlayProblem = "显示在签名时页面已有内容的位置上"
	cases := []struct {
		file    string
		intact  bool
		problem string // in the first signature's problems
	}{
		{"ossl-overlay-amount.pdf", false, overlayProblem},
		{"ossl-overlay-whiteout.pdf", false, overlayProblem},
		{"ossl-overlay-paths.pdf", false, overlayProblem},  // digits as black paths
		{"ossl-seal-red-paths.pdf", false, overlayProblem}, // a red vector seal of another signer
		{"ossl-second-visible.pdf", true, ""},
		{"ossl-certified-p1.pdf", true, ""},
		{"ossl-certified-p1-then-signed.pdf", false, "不允许签名后再有任何改动"},
		{"ossl-fieldlock.pdf", true, ""},
		{"ossl-fieldlock-then-signed.pdf", false, "锁定了表单域“Second”"},
		{"ossl-fieldlock-other-signed.pdf", true, ""},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			rep, err := CheckFile(context.Background(), filepath.Join(fixtureDir, c.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Intact() != c.intact {
				t.Fatalf("intact %v, want %v: %+v", rep.Intact(), c.intact, rep.Signatures)
			}
			if c.problem != "" {
				if got := strings.Join(rep.Signatures[0].Problems, "|"); !strings.Contains(got, c.problem) {
					t.Errorf("first signature's problems %q do not mention %q", got, c.problem)
				}
				if ok, _, why := rep.PushVerdict(); ok || !strings.Contains(why, c.problem) {
					t.Errorf("push %v %q", ok, why)
				}
				if rep.VerifyAnswer().IsModified != Modified {
					t.Errorf("2.6 %+v", rep.VerifyAnswer())
				}
			}
		})
	}
}

// TestLenientCertificates: a signer certificate Go's x509 refuses (negative
// serial, critical AIA; made by OpenSSL) does not stop the integrity check;
// it is reported under trust.
func TestLenientCertificates(t *testing.T) {
	rep, err := CheckFile(context.Background(), filepath.Join(fixtureDir, "ossl-odd-cert.pdf"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[0]
	if !rep.Intact() || s.Trust != TrustUntrusted || len(s.CertificateProblems) != 1 ||
		!strings.Contains(s.TrustReason, "证书不符合常规") || !strings.Contains(strings.Join(s.Notes, ""), "不影响完整性") {
		t.Errorf("intact %v trust %q %q problems %q notes %q", rep.Intact(), s.Trust, s.TrustReason, s.CertificateProblems, s.Notes)
	}
	if ok, warning, _ := rep.PushVerdict(); !ok || !strings.Contains(warning, "证书") {
		t.Errorf("push %v %q", ok, warning)
	}
}
