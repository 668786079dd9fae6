package pdfsign

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/ed448"
)

// TestSignatureLevelChecks: the checks of one signature that do not look at
// the document's objects (issue 19, point 4). Each case is a file signed
// by the Go generator with one thing wrong, and its control.
func TestSignatureLevelChecks(t *testing.T) {
	cases := []struct {
		name    string
		spec    genSpec
		intact  bool
		problem string
	}{
		{"whole file", genSpec{}, true, ""},
		// The range ends inside its revision's trailer: the tail is
		// not signed.
		{"range ends before %%EOF", genSpec{cut: len("EOF\n")}, false, "没有在其版本的末尾"},
		{"range ends inside startxref", genSpec{cut: len("%%EOF\n") + 3}, false, "没有在其版本的末尾"},
		// "%%EOF" covered, its end of line not: still the revision's end.
		{"range ends at %%EOF", genSpec{cut: 1}, true, ""},
		// A SHA-256 messageDigest under a SHA3-256-with-RSA signature.
		{"sha3 signature algorithm over sha256", genSpec{sigAlg: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 14}}, false, "不一致"},
		{"ecdsa sha384 algorithm over sha256", genSpec{ecdsa: true, sigAlg: oidECDSASHA384}, false, "不一致"},
		{"ecdsa sha256 algorithm", genSpec{ecdsa: true, sigAlg: oidECDSASHA256}, true, ""},
		// Encapsulated content: the byte ranges themselves pass (an
		// enveloping CMS), other bytes or nothing do not.
		{"content embedded", genSpec{embed: true}, true, ""},
		{"other content embedded", genSpec{embed: true, embedded: []byte("another document")}, false, "不是本文件的签名范围"},
		{"empty content embedded", genSpec{embed: true, embedded: []byte{}}, false, "封装了空的内容"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := genPDF(t, c.spec)
			rep, err := Check(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Intact() != c.intact {
				t.Fatalf("intact %v, want %v: %s", rep.Intact(), c.intact, problemsOf(rep))
			}
			if c.problem != "" && !strings.Contains(problemsOf(rep), c.problem) {
				t.Errorf("problems %q do not mention %q", problemsOf(rep), c.problem)
			}
		})
	}
}

// TestForeignSignatureTimestamp: a signature timestamp whose imprint is
// not this signature's value (copied from another signature) is reported
// and not used as the signing time; the signature itself stays intact.
func TestForeignSignatureTimestamp(t *testing.T) {
	for _, foreign := range []bool{false, true} {
		data := genPDF(t, genSpec{tsToken: true, tsForeign: foreign})
		rep, err := Check(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := rep.Signatures[0]
		if !rep.Intact() {
			t.Fatalf("foreign %v: %s", foreign, problemsOf(rep))
		}
		fromToken := s.SigningTimeSource == TimeFromTimestampToken && s.SigningTime.Equal(tsGenTime)
		if fromToken == foreign {
			t.Errorf("foreign %v: signing time %v from %q", foreign, s.SigningTime, s.SigningTimeSource)
		}
		noted := strings.Contains(strings.Join(s.Notes, "|"), "时间戳不是对本签名值签发的")
		if noted != foreign {
			t.Errorf("foreign %v: notes %q", foreign, s.Notes)
		}
	}
}

// TestEd448OnlyWithShake256: RFC 8419 pairs Ed448 with SHAKE256 (and
// Ed25519 with SHA-512); a valid signature of the signed attributes under
// another digest algorithm is refused before it is verified.
func TestEd448OnlyWithShake256(t *testing.T) {
	pub, priv, err := ed448.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("signed attributes")
	sig := ed448.Sign(priv, msg, "")
	pk := publicKey{key: pub, kind: "Ed448"}
	alg := algorithm{oid: oidEd448}
	shake, _ := digestFor(oidShake256)
	sha512d, _ := digestFor(oidSHA512)
	if ok, unsupported := verifyCMSSignature(pk, alg, shake, msg, nil, sig); !ok || unsupported != "" {
		t.Errorf("SHAKE256: ok %v %q", ok, unsupported)
	}
	if ok, unsupported := verifyCMSSignature(pk, alg, sha512d, msg, nil, sig); ok || !strings.Contains(unsupported, "SHAKE256") {
		t.Errorf("SHA-512: ok %v %q", ok, unsupported)
	}
	// Ed25519 pairs with SHA-512 (RFC 8419 section 3.1).
	epub, epriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	esig := ed25519.Sign(epriv, msg)
	epk := publicKey{key: epub, kind: "Ed25519"}
	sha256d, _ := digestFor(oidSHA256)
	if ok, unsupported := verifyCMSSignature(epk, algorithm{oid: oidEd25519}, sha512d, msg, nil, esig); !ok || unsupported != "" {
		t.Errorf("Ed25519 SHA-512: ok %v %q", ok, unsupported)
	}
	if ok, unsupported := verifyCMSSignature(epk, algorithm{oid: oidEd25519}, sha256d, msg, nil, esig); ok || !strings.Contains(unsupported, "SHA-512") {
		t.Errorf("Ed25519 SHA-256: ok %v %q", ok, unsupported)
	}
}

// TestRevisionEndsAt: where a byte range may end.
func TestRevisionEndsAt(t *testing.T) {
	for _, c := range []struct {
		file string
		end  int
		want bool
	}{
		{"x\n%%EOF\n", 8, true},
		{"x\n%%EOF\r\n", 9, true},
		{"x\n%%EOF\r\n", 8, true}, // CR covered, LF not: still the end of its line
		{"x\n%%EOF\n", 7, true},
		{"x\n%%EOF\n", 6, false},
		{"x\n%%EOF\n\n", 9, false}, // two ends of line
		{"x\n%%EOFX\n", 7, false},
		{"startxref\n12\n", 13, false},
	} {
		if got := revisionEndsAt(bytes.NewReader([]byte(c.file)), int64(c.end)); got != c.want {
			t.Errorf("%q at %d: %v, want %v", c.file, c.end, got, c.want)
		}
	}
}
