package issue

import (
	"bytes"
	"context"
	"encoding/asn1"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	gmpkcs7 "github.com/emmansun/gmsm/pkcs7"
)

func loadIdentity(t testing.TB, id identity) *Certificate {
	t.Helper()
	data, err := os.ReadFile(id.P12)
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadPKCS12(data, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readTemplate(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/letter/template.pdf")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	byteRangeRe = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)
)

// lastSignature finds the last signature's ByteRange and CMS the way any
// reader does, by the ByteRange, with no help of this package.
func lastSignature(t *testing.T, pdf []byte) (signed, cms []byte) {
	t.Helper()
	m := byteRangeRe.FindAllSubmatch(pdf, -1)
	if m == nil {
		t.Fatal("no /ByteRange")
	}
	var br [4]int
	for i := range br {
		br[i], _ = strconv.Atoi(string(m[len(m)-1][i+1]))
	}
	if br[0] != 0 || br[2]+br[3] != len(pdf) {
		t.Fatalf("ByteRange %v does not cover the file of %d bytes", br, len(pdf))
	}
	signed = append(append([]byte{}, pdf[:br[1]]...), pdf[br[2]:]...)
	h := strings.TrimRight(string(pdf[br[1]+1:br[2]-1]), "0")
	if len(h)%2 == 1 {
		h += "0"
	}
	cms, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return signed, cms
}

// opensslVerify checks the detached CMS over signed with OpenSSL 3,
// trusting only caFile.
func opensslVerify(t *testing.T, signed, cms []byte, caFile string) string {
	t.Helper()
	needTool(t, "openssl")
	dir := t.TempDir()
	sig, data := filepath.Join(dir, "sig.der"), filepath.Join(dir, "data.bin")
	if err := os.WriteFile(sig, cms, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(data, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	return run(t, dir, "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", data, "-CAfile", caFile, "-purpose", "any", "-out", os.DevNull)
}

func pdfsig(t *testing.T, pdf []byte, nssDir string) string {
	t.Helper()
	needTool(t, "pdfsig")
	f := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{}
	if nssDir != "" {
		args = append(args, "-nssdir", nssDir)
	}
	return run(t, filepath.Dir(f), "pdfsig", append(args, f)...)
}

func TestSignRSAInvisible(t *testing.T) {
	id := makeIdentity(t, "rsa")
	cert := loadIdentity(t, id)
	pdf := readTemplate(t)
	out, err := Sign(context.Background(), pdf, cert, SignOptions{Reason: "签发电子保函 BH-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, pdf) {
		t.Fatal("the signed file does not keep the original bytes (not an incremental update)")
	}
	signed, cms := lastSignature(t, out)
	t.Log(opensslVerify(t, signed, cms, id.CA))
	rep := pdfsig(t, out, "")
	t.Log(rep)
	if !strings.Contains(rep, "Signature is Valid") {
		t.Errorf("pdfsig:\n%s", rep)
	}
	os.WriteFile("/tmp/i15-rsa.pdf", out, 0o644)
}

func TestSignSM2(t *testing.T) {
	id := makeIdentity(t, "sm2")
	cert := loadIdentity(t, id)
	out, err := Sign(context.Background(), readTemplate(t), cert, SignOptions{Reason: "签发电子保函 BH-2"})
	if err != nil {
		t.Fatal(err)
	}
	signed, cms := lastSignature(t, out)
	opensslVerifySM2(t, signed, cms, id)
	verifyGMSM(t, signed, cms, id)
}

// opensslVerifySM2 checks an SM2 CMS with OpenSSL 3 piece by piece, with
// GM/T 0009's default ID 1234567812345678: OpenSSL 3.0's "cms -verify"
// hashes SM2 with an empty ID and offers no option to set it, so it refuses
// every GM/T-conformant SM2 signature (and it cannot make an SM2 CMS
// itself). OpenSSL parses the CMS (cms -cmsout), checks the chain
// (verify -vfyopt distid), the messageDigest attribute against SM3 of the
// signed bytes (dgst -sm3), and the signature over the DER signed
// attributes with the leaf's key (dgst -sm3 -verify -sigopt distid).
func opensslVerifySM2(t *testing.T, signed, cms []byte, id identity) {
	t.Helper()
	needTool(t, "openssl")
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sigFile := write("sig.der", cms)
	printed := run(t, dir, "openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", sigFile)
	for _, want := range []string{"1.2.156.10197.1.401", "SM2", "messageDigest", "signingTime"} {
		if !strings.Contains(printed, want) && !strings.Contains(printed, strings.ToLower(want)) {
			t.Errorf("openssl cms -print lacks %q:\n%s", want, printed)
		}
	}
	// The certificates in the CMS, the leaf first.
	certs := run(t, dir, "openssl", "pkcs7", "-inform", "DER", "-in", sigFile, "-print_certs")
	write("certs.pem", []byte(certs))
	if out := run(t, dir, "openssl", "verify", "-vfyopt", "distid:1234567812345678", "-CAfile", id.CA, id.Leaf); !strings.Contains(out, "OK") {
		t.Errorf("openssl verify: %s", out)
	}
	attrs, sigValue, md := signerInfoParts(t, cms)
	dataFile := write("data.bin", signed)
	dg := run(t, dir, "openssl", "dgst", "-sm3", "-r", dataFile)
	if got := strings.Fields(dg)[0]; got != hex.EncodeToString(md) {
		t.Errorf("openssl SM3 of the signed bytes %s, messageDigest attribute %x", got, md)
	}
	run(t, dir, "openssl", "x509", "-in", id.Leaf, "-pubkey", "-noout", "-out", "pub.pem")
	out := run(t, dir, "openssl", "dgst", "-sm3", "-verify", "pub.pem", "-sigopt", "distid:1234567812345678",
		"-signature", write("value.der", sigValue), write("attrs.der", attrs))
	if !strings.Contains(out, "Verified OK") {
		t.Errorf("openssl dgst -verify: %s", out)
	}
	// A changed byte breaks it, for OpenSSL too.
	bad := append([]byte{}, attrs...)
	bad[len(bad)-1] ^= 1
	cmd := exec.Command("openssl", "dgst", "-sm3", "-verify", "pub.pem", "-sigopt", "distid:1234567812345678", "-signature", filepath.Join(dir, "value.der"), write("bad.der", bad))
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("openssl accepted changed signed attributes: %s", b)
	}
}

// signerInfoParts takes from a CMS SignedData the DER of the first signer's
// signed attributes as a SET (what the signature covers), the signature
// value and the messageDigest attribute. Only structure is read here; the
// checks are OpenSSL's.
func signerInfoParts(t *testing.T, cms []byte) (attrs, sig, md []byte) {
	attrs, sig, md, _ = signerInfoAll(t, cms)
	return attrs, sig, md
}

// signerInfoAll is signerInfoParts with the time-stamp token of the
// unsigned attributes (nil when none).
func signerInfoAll(t *testing.T, cms []byte) (attrs, sig, md, token []byte) {
	t.Helper()
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(cms, &ci); err != nil {
		t.Fatal(err)
	}
	var sd struct {
		Version      int
		Digests      asn1.RawValue
		Content      asn1.RawValue
		Certificates asn1.RawValue   `asn1:"optional,tag:0"`
		SignerInfos  []asn1.RawValue `asn1:"set"`
	}
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		t.Fatal(err)
	}
	var si struct {
		Version   int
		SID       asn1.RawValue
		Digest    asn1.RawValue
		Attrs     asn1.RawValue `asn1:"tag:0"`
		SigAlg    asn1.RawValue
		Signature []byte
		Unsigned  asn1.RawValue `asn1:"optional,tag:1"`
	}
	if _, err := asn1.Unmarshal(sd.SignerInfos[0].FullBytes, &si); err != nil {
		t.Fatal(err)
	}
	attrs = append([]byte{}, si.Attrs.FullBytes...)
	attrs[0] = 0x31 // [0] IMPLICIT -> SET OF, as signed (RFC 5652 5.4)
	var list []struct {
		Type   asn1.ObjectIdentifier
		Values []asn1.RawValue `asn1:"set"`
	}
	if _, err := asn1.UnmarshalWithParams(si.Attrs.FullBytes, &list, "tag:0,set"); err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.Type.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}) {
			if _, err := asn1.Unmarshal(a.Values[0].FullBytes, &md); err != nil {
				t.Fatal(err)
			}
		}
	}
	if md == nil {
		t.Fatal("no messageDigest attribute")
	}
	if len(si.Unsigned.FullBytes) > 0 {
		var ul []struct {
			Type   asn1.ObjectIdentifier
			Values []asn1.RawValue `asn1:"set"`
		}
		if _, err := asn1.UnmarshalWithParams(si.Unsigned.FullBytes, &ul, "tag:1,set"); err != nil {
			t.Fatal(err)
		}
		for _, a := range ul {
			if a.Type.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}) {
				token = a.Values[0].FullBytes
			}
		}
	}
	return attrs, si.Signature, md, token
}

// verifyGMSM checks the CMS with gmsm's own parser, as pdfsign's SM2
// verification will.
func verifyGMSM(t *testing.T, signed, cms []byte, id identity) {
	t.Helper()
	p7, err := gmpkcs7.Parse(cms)
	if err != nil {
		t.Fatalf("gmsm parse: %v", err)
	}
	p7.Content = signed
	if err := p7.Verify(); err != nil {
		t.Errorf("gmsm verify: %v", err)
	}
	p7.Content = append(append([]byte{}, signed...), ' ')
	if err := p7.Verify(); err == nil {
		t.Error("gmsm verified changed content")
	}
}

func TestSignTimestamped(t *testing.T) {
	tsa := startOpenSSLTSA(t)
	for _, kind := range []string{"rsa", "sm2"} {
		t.Run(kind, func(t *testing.T) {
			id := makeIdentity(t, kind)
			out, err := Sign(context.Background(), readTemplate(t), loadIdentity(t, id), SignOptions{Reason: "签发", TSA: &TSAClient{URL: tsa.URL}})
			if err != nil {
				t.Fatal(err)
			}
			signed, cms := lastSignature(t, out)
			_, sig, _, token := signerInfoAll(t, cms)
			if token == nil {
				t.Fatal("no time-stamp token in the CMS")
			}
			verifyToken(t, token, sig, tsa.Cert)
			if kind == "rsa" {
				opensslVerify(t, signed, cms, id.CA)
				if rep := pdfsig(t, out, ""); !strings.Contains(rep, "Signature is Valid") {
					t.Errorf("pdfsig:\n%s", rep)
				}
			} else {
				opensslVerifySM2(t, signed, cms, id)
				verifyGMSM(t, signed, cms, id)
			}
		})
	}
}
