package pdfsign

// Test PDFs made by our own Go code. The fixtures in testdata/pdf come from
// an independent signer (poppler's pdfsig); these cover what pdfsig cannot
// make: a 10 MB PDF (generated at test time so nothing big is committed),
// signed-attribute and timestamp-token signing times, ECDSA, SHA-1, SM2
// identifiers, stripped signature fields and forged byte ranges.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
)

// testPKI is a CA with an RSA and an ECDSA signer and a timestamp authority.
type testPKI struct {
	caCert          *x509.Certificate
	rsaCert, ecCert *x509.Certificate
	rsaKey          *rsa.PrivateKey
	ecKey           *ecdsa.PrivateKey
	tsaCert         *x509.Certificate
	tsaKey          *ecdsa.PrivateKey
	caKey           *ecdsa.PrivateKey
}

var (
	pkiOnce sync.Once
	pki     *testPKI
)

func getPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		p := &testPKI{}
		var err error
		p.caKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		notBefore := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		notAfter := time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
		caTmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{Country: []string{"CN"}, Organization: []string{"测试根证书机构"}, CommonName: "测试根CA"},
			NotBefore:             notBefore,
			NotAfter:              notAfter,
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &p.caKey.PublicKey, p.caKey)
		if err != nil {
			panic(err)
		}
		p.caCert, _ = x509.ParseCertificate(der)
		leaf := func(serial int64, cn string, pub any, eku []x509.ExtKeyUsage) *x509.Certificate {
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(serial),
				Subject:      pkix.Name{Country: []string{"CN"}, Organization: []string{"福州某某融资担保有限公司"}, CommonName: cn},
				NotBefore:    notBefore,
				NotAfter:     notAfter,
				KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
				ExtKeyUsage:  eku,
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, pub, p.caKey)
			if err != nil {
				panic(err)
			}
			c, _ := x509.ParseCertificate(der)
			return c
		}
		p.rsaKey, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		p.ecKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		p.tsaKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		p.rsaCert = leaf(2, "王五", &p.rsaKey.PublicKey, nil)
		p.ecCert = leaf(3, "赵六", &p.ecKey.PublicKey, nil)
		p.tsaCert = leaf(4, "测试时间戳服务", &p.tsaKey.PublicKey, []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping})
		pki = p
	})
	return pki
}

// genSpec describes a generated PDF.
type genSpec struct {
	payload  int  // bytes of image data on the page (deterministic)
	unsigned bool // no signature field at all
	ecdsa    bool // sign with the ECDSA key instead of RSA
	sha1     bool // SHA-1 digest
	sm2      bool // claim the SM2 signature algorithm
	tsToken  bool // add an RFC 3161 timestamp token
	docTS    bool // an ETSI.RFC3161 document timestamp instead of a signature
	stray    bool // keep the signature dictionary but leave it out of every field
	// mutate changes the finished file (for forgeries).
	mutate func([]byte) []byte
	// cut leaves the last cut bytes of the file out of the byte range.
	cut int
	// sigAlg overrides the SignerInfo's signature algorithm identifier.
	sigAlg asn1.ObjectIdentifier
	// embed keeps the content in the CMS (not detached); embedded
	// replaces it by other bytes.
	embed    bool
	embedded []byte
	// tsForeign: the timestamp token's imprint is of other bytes than
	// this signature's value.
	tsForeign bool
	// textField adds a text field "Amount" with a value and no
	// appearance stream, its /DA naming a font (/Helv) the form's /DR
	// lacks.
	textField bool
	// fieldNoDA: the text field has no /DA of its own (the form's is
	// used, and the form has none).
	fieldNoDA bool
}

const contentsReserve = 16384 // bytes of signature value space (hex doubles it)

// genPDF writes a one-page PDF and, unless spec.unsigned, signs it.
func genPDF(t testing.TB, spec genSpec) []byte {
	t.Helper()
	var b bytes.Buffer
	offs := map[int]int{}
	obj := func(n int, body string) {
		offs[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, body)
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	sigField := !spec.unsigned && !spec.stray
	acro := "<< /Fields [] >>"
	annots := ""
	if sigField {
		acro = "<< /Fields [7 0 R] /SigFlags 3 >>"
		annots = " /Annots [7 0 R]"
		if spec.textField {
			acro = "<< /Fields [7 0 R 10 0 R] /SigFlags 3 /DR << /Font << /F1 5 0 R >> >> >>"
			annots = " /Annots [7 0 R 10 0 R]"
		}
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm "+acro+" >>")
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	xobj := ""
	draw := ""
	if spec.payload > 0 {
		xobj = " /XObject << /Im1 9 0 R >>"
		draw = "q 500 0 0 400 50 300 cm /Im1 Do Q\n"
	}
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >>"+xobj+" >> /Contents 4 0 R"+annots+" >>")
	content := draw + "BT /F1 12 Tf 72 770 Td (Letter of Guarantee BH-2024-0002, CNY 200000.00) Tj ET"
	obj(4, "<< /Length "+strconv.Itoa(len(content))+" >>\nstream\n"+content+"\nendstream")
	obj(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	obj(6, "<< /Producer (baohan pdfsign tests) >>")
	nobj := 6
	if sigField {
		obj(7, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (GoSignature) /Rect [0 0 0 0] /F 132 /P 3 0 R /V 8 0 R >>")
		nobj = 7
	}
	var brPos, contentsPos int
	if !spec.unsigned {
		offs[8] = b.Len()
		sub := "/adbe.pkcs7.detached"
		typ := "/Sig"
		if spec.docTS {
			sub, typ = "/ETSI.RFC3161", "/DocTimeStamp"
		}
		fmt.Fprintf(&b, "8 0 obj\n<< /Type %s /Filter /Adobe.PPKLite /SubFilter %s /M (D:20240315103000+08'00') /ByteRange ", typ, sub)
		brPos = b.Len()
		b.WriteString("[0 0000000000 0000000000 0000000000]")
		b.WriteString(" /Contents ")
		contentsPos = b.Len()
		b.WriteString("<" + string(bytes.Repeat([]byte("0"), 2*contentsReserve)) + ">")
		b.WriteString(" >>\nendobj\n")
		nobj = 8
	}
	if spec.payload > 0 {
		w := 1000
		h := (spec.payload + w - 1) / w
		data := make([]byte, w*h)
		rng := mrand.NewChaCha8([32]byte{'b', 'a', 'o', 'h', 'a', 'n'})
		_, _ = rng.Read(data)
		offs[9] = b.Len()
		fmt.Fprintf(&b, "9 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n", w, h, len(data))
		b.Write(data)
		b.WriteString("\nendstream\nendobj\n")
		nobj = 9
	}
	if sigField && spec.textField {
		da := " /DA (/Helv 12 Tf 0 g)"
		if spec.fieldNoDA {
			da = ""
		}
		obj(10, "<< /Type /Annot /Subtype /Widget /FT /Tx /Ff 1 /T (Amount) /V (200000.00)"+da+" /Rect [290 763 372 783] /F 4 /P 3 0 R >>")
		nobj = 10
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", nobj+1)
	for i := 1; i <= nobj; i++ {
		if off, ok := offs[i]; ok {
			fmt.Fprintf(&b, "%010d 00000 n \n", off)
		} else {
			b.WriteString("0000000000 65535 f \n")
		}
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", nobj+1, xref)
	out := b.Bytes()
	if spec.unsigned {
		return out
	}

	gapStart := contentsPos
	gapEnd := contentsPos + 2*contentsReserve + 2
	br := fmt.Sprintf("[0 %d %d %d]", gapStart, gapEnd, len(out)-gapEnd-spec.cut)
	br += string(bytes.Repeat([]byte(" "), len("[0 0000000000 0000000000 0000000000]")-len(br)))
	copy(out[brPos:], br)
	signed := append(append([]byte{}, out[:gapStart]...), out[gapEnd:len(out)-spec.cut]...)
	cms := makeCMS(t, spec, signed)
	if len(cms) > contentsReserve {
		t.Fatalf("signature value %d bytes exceeds the reserve", len(cms))
	}
	copy(out[contentsPos+1:], hex.EncodeToString(cms))
	if spec.mutate != nil {
		out = spec.mutate(out)
	}
	return out
}

// makeCMS signs content (detached) according to spec.
func makeCMS(t testing.TB, spec genSpec, content []byte) []byte {
	t.Helper()
	p := getPKI(t)
	if spec.docTS {
		sum := sha256.Sum256(content)
		return makeToken(t, sum[:])
	}
	if spec.embedded != nil {
		content = spec.embedded
	}
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if spec.sha1 {
		sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA1)
	}
	var cert *x509.Certificate
	var key crypto.PrivateKey
	if spec.ecdsa {
		cert, key = p.ecCert, p.ecKey
	} else {
		cert, key = p.rsaCert, p.rsaKey
	}
	if err := sd.AddSignerChain(cert, key, []*x509.Certificate{p.caCert}, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	si := &sd.GetSignedData().SignerInfos[0]
	if spec.tsToken {
		sum := sha256.Sum256(si.EncryptedDigest)
		if spec.tsForeign {
			sum = sha256.Sum256(append([]byte("another signature's value "), si.EncryptedDigest...))
		}
		tok := makeToken(t, sum[:])
		if err := si.SetUnauthenticatedAttributes([]pkcs7.Attribute{{Type: oidTimestamp, Value: asn1.RawValue{FullBytes: tok}}}); err != nil {
			t.Fatal(err)
		}
	}
	if spec.sm2 {
		si.DigestEncryptionAlgorithm.Algorithm = oidSM2Sign
	}
	if spec.sigAlg != nil {
		si.DigestEncryptionAlgorithm.Algorithm = spec.sigAlg
	}
	if !spec.embed {
		sd.Detach()
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// tsGenTime is the time the test timestamp authority vouches for.
var tsGenTime = time.Date(2024, 3, 15, 2, 31, 5, 0, time.UTC)

// makeToken returns an RFC 3161 token over imprint (SHA-256).
func makeToken(t testing.TB, imprint []byte) []byte {
	t.Helper()
	p := getPKI(t)
	type messageImprint struct {
		Alg    pkix.AlgorithmIdentifier
		Digest []byte
	}
	type tstInfoASN struct {
		Version        int
		Policy         asn1.ObjectIdentifier
		MessageImprint messageImprint
		SerialNumber   *big.Int
		GenTime        time.Time `asn1:"generalized"`
	}
	info, err := asn1.Marshal(tstInfoASN{
		Version:        1,
		Policy:         asn1.ObjectIdentifier{1, 2, 3, 4},
		MessageImprint: messageImprint{Alg: pkix.AlgorithmIdentifier{Algorithm: oidSHA256}, Digest: imprint},
		SerialNumber:   big.NewInt(42),
		GenTime:        tsGenTime,
	})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := pkcs7.NewSignedData(info)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	sd.GetSignedData().ContentInfo.ContentType = oidTSTInfo
	if err := sd.AddSignerChain(p.tsaCert, p.tsaKey, []*x509.Certificate{p.caCert}, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}
