package pdfsign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	_ "crypto/sha256" // SHA-224, SHA-256
	_ "crypto/sha512" // SHA-384, SHA-512

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/smallstep/pkcs7"
)

// Limits on what a signature may claim.
const (
	maxContentsLen = 4 << 20 // the hex-encoded signature value
	maxEOCPadding  = 64      // zero bytes given back after trimming /Contents
)

// Object identifiers used here.
var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidTimestamp     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidTSTInfo       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}

	oidRSA         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSHA1WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSHA256RSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384RSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512RSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidSHA224RSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSASHA1   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSASHA224 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	oidECDSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSASHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSASHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidSMPrefix    = asn1.ObjectIdentifier{1, 2, 156, 10197} // 国密 (SM2, SM3, GM/T 0010)
	derSMPrefix    = []byte{0x2a, 0x81, 0x1c, 0xcf, 0x55}    // the same, DER-encoded
)

// verifySignature checks one signature field; it fills everything but
// LaterUpdatesOnlySignatures, Intact and the pdfcpu opinion.
func verifySignature(ctx context.Context, r io.ReaderAt, size int64, f located, encrypted bool, ts trustStore) Signature {
	s := Signature{
		Field:     f.field,
		Kind:      KindSignature,
		Trust:     TrustUnknown,
		Supported: true,
	}
	d := f.dict
	if n := d.NameEntry("Filter"); n != nil {
		s.Filter = *n
	}
	if n := d.NameEntry("SubFilter"); n != nil {
		s.SubFilter = *n
	}
	if t := d.Type(); (t != nil && *t == "DocTimeStamp") || s.SubFilter == "ETSI.RFC3161" {
		s.Kind = KindDocTimestamp
	}
	s.Name = textEntry(d, "Name")
	s.Reason = textEntry(d, "Reason")
	var mTime time.Time
	if m := textEntry(d, "M"); m != "" {
		if t, ok := types.DateTime(m, true); ok {
			mTime = t
		}
	}
	fail := func(msg string) Signature {
		s.Problems = append(s.Problems, msg)
		if s.SigningTime.IsZero() && !mTime.IsZero() {
			s.SigningTime, s.SigningTimeSource = mTime, TimeFromMEntry
		}
		return s
	}

	// The signed byte ranges.
	br, gap, err := byteRange(d, size)
	s.ByteRange = br
	if err != nil {
		s.Supported = false
		return fail("签名范围（ByteRange）无效：" + err.Error())
	}
	end := br[2] + br[3]
	s.CoversWholeFile = end == size
	s.AppendedAfterSigning = end < size
	contents, err := gapContents(r, gap)
	if err != nil {
		return fail("签名值（Contents）不在签名范围留出的位置上：" + err.Error())
	}
	if !encrypted {
		// The value between the ranges must be this dictionary's /Contents.
		want, err := d.StringEntryBytes("Contents")
		if err != nil || !bytes.Equal(want, contents) {
			return fail("签名范围留出的位置上不是本签名的签名值，签名范围被篡改")
		}
	}
	s.ByteRangeOK = true

	switch s.SubFilter {
	case "adbe.pkcs7.detached", "ETSI.CAdES.detached", "ETSI.RFC3161":
	case "adbe.pkcs7.sha1", "adbe.x509.rsa_sha1":
		s.Supported = false
		describeSignerQuietly(&s, contents, ts)
		return fail("签名格式 " + s.SubFilter + " 使用已不安全的 SHA-1 摘要，无法确认未被篡改")
	default:
		s.Supported = false
		describeSignerQuietly(&s, contents, ts)
		return fail("不支持的签名格式（SubFilter " + strconv.Quote(s.SubFilter) + "），无法验证")
	}

	p7, err := parseCMS(contents)
	if err != nil {
		s.Supported = false
		if bytes.Contains(contents, derSMPrefix) {
			return fail("签名使用国密算法（SM2/SM3），本程序无法验证，不能确认未被篡改")
		}
		return fail("签名数据（CMS）无法解析：" + err.Error())
	}
	if len(p7.Signers) != 1 {
		s.Supported = false
		return fail("签名数据中有 " + strconv.Itoa(len(p7.Signers)) + " 个签名者，本程序只能验证恰有一个签名者的签名")
	}
	signer := p7.Signers[0]
	cert := p7.GetOnlySigner()
	if cert == nil {
		s.Supported = false
		return fail("签名数据中没有签名人的证书，无法验证")
	}
	describeCert(&s, cert)
	s.Chain = chainOf(ts, cert, p7.Certificates)

	h, hashName, err := hashFor(signer.DigestAlgorithm.Algorithm)
	s.DigestAlgorithm = hashName
	if err != nil {
		s.Supported = false
		return fail(err.Error())
	}
	stop := ctx.Err
	ranges := [][2]int64{{br[0], br[1]}, {br[2], br[3]}}
	rangeDigest := h.New()
	if err := hashRanges(rangeDigest, r, ranges, stop); err != nil {
		if ctx.Err() != nil {
			return fail("检查被中止")
		}
		return fail("读取签名范围出错：" + err.Error())
	}
	computed := rangeDigest.Sum(nil)

	var signedContentDigest []byte // what the signer's messageDigest must equal
	if s.Kind == KindDocTimestamp {
		tst, err := parseTSTInfo(p7.Content)
		if err != nil {
			s.Supported = false
			return fail("文档时间戳内容无法解析：" + err.Error())
		}
		ih, _, err := hashFor(tst.imprintAlg)
		if err != nil {
			s.Supported = false
			return fail("文档时间戳：" + err.Error())
		}
		d := ih.New()
		if err := hashRanges(d, r, ranges, stop); err != nil {
			return fail("读取签名范围出错：" + err.Error())
		}
		s.DigestOK = subtle.ConstantTimeCompare(d.Sum(nil), tst.imprint) == 1
		s.SigningTime, s.SigningTimeSource = tst.genTime, TimeFromTimestampToken
		ch := h.New()
		ch.Write(p7.Content)
		signedContentDigest = ch.Sum(nil)
	} else {
		if len(p7.Content) != 0 {
			s.Supported = false
			return fail("签名格式为分离式，但签名数据中含有内容，无法按分离式验证")
		}
		signedContentDigest = computed
	}

	var attrs []cmsAttribute
	for _, a := range signer.AuthenticatedAttributes {
		attrs = append(attrs, cmsAttribute{Type: a.Type, Value: a.Value})
	}
	var tbs []byte // the digest the signature value signs
	if len(attrs) > 0 {
		var md []byte
		if err := attrValue(attrs, oidMessageDigest, &md); err != nil {
			s.Supported = false
			return fail("签名数据缺少摘要属性（messageDigest）")
		}
		match := subtle.ConstantTimeCompare(md, signedContentDigest) == 1
		if s.Kind == KindDocTimestamp {
			if !match {
				s.DigestOK = false
				s.Problems = append(s.Problems, "文档时间戳的签名属性与时间戳内容不符")
			}
		} else {
			s.DigestOK = match
		}
		var ct asn1.ObjectIdentifier
		if err := attrValue(attrs, oidContentType, &ct); err != nil ||
			(s.Kind == KindSignature && !ct.Equal(oidData)) || (s.Kind == KindDocTimestamp && !ct.Equal(oidTSTInfo)) {
			s.Problems = append(s.Problems, "签名属性中的内容类型（contentType）不正确")
			s.DigestOK = false
		}
		der, err := marshalAttrs(attrs)
		if err != nil {
			s.Supported = false
			return fail("签名属性无法编码：" + err.Error())
		}
		ah := h.New()
		ah.Write(der)
		tbs = ah.Sum(nil)
		var st time.Time
		if err := attrValue(attrs, oidSigningTime, &st); err == nil && s.Kind == KindSignature {
			s.SigningTime, s.SigningTimeSource = st, TimeFromSignedAttribute
		}
	} else {
		// No signed attributes: the signature is over the content digest.
		tbs = signedContentDigest
		if s.Kind == KindDocTimestamp {
			s.Supported = false
			return fail("文档时间戳缺少签名属性")
		}
	}

	ok, unsupported := verifyDigestSignature(cert.PublicKey, signer.DigestEncryptionAlgorithm, h, tbs, signer.EncryptedDigest)
	if unsupported != "" {
		s.Supported = false
		return fail(unsupported)
	}
	s.SignatureOK = ok
	if len(attrs) == 0 {
		s.DigestOK = ok // the signature itself proves the digest
	}

	// Second opinion from the library on the same signature.
	if s.DigestOK && s.SignatureOK {
		if s.Kind == KindSignature {
			p7.Hasher = fixedHasher(computed)
		}
		if err := safeVerify(p7); err != nil {
			var ste *pkcs7.SigningTimeNotValidError
			if errors.As(err, &ste) {
				s.Problems = append(s.Problems, "签名时间不在签名证书的有效期内")
				s.TrustReason = "签名时间不在签名证书的有效期内"
			} else {
				s.SignatureOK = false
				s.Problems = append(s.Problems, "签名校验未通过（"+shorten(err.Error(), 200)+"）")
			}
		}
	}
	if !s.DigestOK {
		s.Problems = append(s.Problems, "签名后文件内容被修改：签名范围内容的摘要与签名中记录的不一致")
	}
	if !s.SignatureOK {
		s.Problems = append(s.Problems, "签名值验证失败：签名不是该证书的私钥所签，或签名数据被篡改")
	}

	// Signing time: a valid timestamp token beats the signer's own clock.
	if s.Kind == KindSignature {
		for _, ua := range signer.UnauthenticatedAttributes {
			if !ua.Type.Equal(oidTimestamp) {
				continue
			}
			t, err := checkTimestampToken(ua.Value.Bytes, signer.EncryptedDigest)
			if err != nil {
				s.Problems = append(s.Problems, "签名附带的时间戳无效："+err.Error())
				break
			}
			s.SigningTime, s.SigningTimeSource = t, TimeFromTimestampToken
			break
		}
	}
	if s.SigningTime.IsZero() && !mTime.IsZero() {
		s.SigningTime, s.SigningTimeSource = mTime, TimeFromMEntry
	}

	s.Chain, s.Trust, s.TrustReason = judgeTrust(ts, cert, p7.Certificates, s.SigningTime, s.TrustReason)
	return s
}

// byteRange validates /ByteRange [a b c d]: a == 0, the gap [b, c) lies
// inside the file and the second range ends inside it.
func byteRange(d types.Dict, size int64) ([]int64, [2]int64, error) {
	var gap [2]int64
	o, ok := d.Find("ByteRange")
	if !ok {
		return nil, gap, errors.New("缺少 ByteRange")
	}
	arr, ok := o.(types.Array)
	if !ok || len(arr) != 4 {
		return nil, gap, errors.New("ByteRange 不是四个整数")
	}
	br := make([]int64, 4)
	for i, e := range arr {
		n, ok := e.(types.Integer)
		if !ok {
			return nil, gap, errors.New("ByteRange 不是四个整数")
		}
		br[i] = int64(n.Value())
	}
	a, b, c, l := br[0], br[1], br[2], br[3]
	switch {
	case a != 0:
		return br, gap, errors.New("签名范围没有从文件开头开始")
	case b <= 0 || l < 0 || c <= b:
		return br, gap, errors.New("签名范围的数值不合理")
	case c > size || l > size-c:
		return br, gap, errors.New("签名范围超出了文件末尾")
	case c-b > 2*maxContentsLen+2:
		return br, gap, errors.New("签名值过大")
	}
	gap[0], gap[1] = b, c
	return br, gap, nil
}

// gapContents reads the bytes between the two ranges, which must be exactly
// one hex string "<...>", and decodes it.
func gapContents(r io.ReaderAt, gap [2]int64) ([]byte, error) {
	n := gap[1] - gap[0]
	if n < 2 {
		return nil, errors.New("留出的位置太短")
	}
	buf := make([]byte, n)
	if m, err := r.ReadAt(buf, gap[0]); int64(m) < n {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if buf[0] != '<' || buf[n-1] != '>' {
		return nil, errors.New("留出的位置不是一个十六进制字符串")
	}
	hexd := buf[1 : n-1]
	if len(hexd)%2 != 0 {
		return nil, errors.New("十六进制字符串长度为奇数")
	}
	out := make([]byte, len(hexd)/2)
	for i := 0; i < len(hexd); i += 2 {
		hi, ok1 := unhex(hexd[i])
		lo, ok2 := unhex(hexd[i+1])
		if !ok1 || !ok2 {
			return nil, errors.New("留出的位置含有十六进制数字以外的字符")
		}
		out[i/2] = hi<<4 | lo
	}
	return out, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseCMS parses the signature value. /Contents is zero-padded to its
// reserved size and NSS writes BER with indefinite lengths, whose
// end-of-contents markers are zero bytes too, so the padding cannot be cut
// by a length: with a definite outer length cut there, else trim all zeros
// and give zero bytes back until the parser accepts the structure.
func parseCMS(raw []byte) (*pkcs7.PKCS7, error) {
	if len(raw) < 2 || raw[0] != 0x30 {
		return nil, errors.New("不是 DER/BER 编码的 CMS 结构")
	}
	if n, ok := definiteLength(raw); ok && n <= len(raw) && allZero(raw[n:]) {
		return safeParse(raw[:n])
	}
	trimmed := bytes.TrimRight(raw, "\x00")
	var firstErr error
	for k := 0; k <= maxEOCPadding && len(trimmed)+k <= len(raw); k++ {
		p7, err := safeParse(raw[:len(trimmed)+k])
		if err == nil {
			return p7, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = errors.New("结构不完整")
	}
	return nil, firstErr
}

// definiteLength returns the total length of the DER element at b[0] when
// its length is definite.
func definiteLength(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	l := int(b[1])
	if l < 0x80 {
		return 2 + l, true
	}
	k := l & 0x7f
	if k == 0 || k > 4 || len(b) < 2+k {
		return 0, false // indefinite (0x80) or absurd
	}
	n := 0
	for _, c := range b[2 : 2+k] {
		n = n<<8 | int(c)
	}
	return 2 + k + n, n >= 0
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func safeParse(b []byte) (p7 *pkcs7.PKCS7, err error) {
	defer func() {
		if p := recover(); p != nil {
			p7, err = nil, fmt.Errorf("pkcs7 panic: %v", p)
		}
	}()
	p7, err = pkcs7.Parse(b)
	if err == nil && p7 == nil {
		err = errors.New("empty")
	}
	return p7, err
}

func safeVerify(p7 *pkcs7.PKCS7) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pkcs7 panic: %v", p)
		}
	}()
	return p7.Verify()
}

// fixedHasher hands the library the digest computed here from the file, so
// it needs no copy of the signed content.
type fixedHasher []byte

func (f fixedHasher) Hash(crypto.Hash, io.Reader) ([]byte, error) { return []byte(f), nil }

// cmsAttribute mirrors the library's (unexported) attribute type.
type cmsAttribute struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

// marshalAttrs encodes signed attributes as the DER SET OF that is signed.
func marshalAttrs(attrs []cmsAttribute) ([]byte, error) {
	enc, err := asn1.Marshal(struct {
		A []cmsAttribute `asn1:"set"`
	}{A: attrs})
	if err != nil {
		return nil, err
	}
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(enc, &raw); err != nil {
		return nil, err
	}
	return raw.Bytes, nil
}

func attrValue(attrs []cmsAttribute, t asn1.ObjectIdentifier, out any) error {
	for _, a := range attrs {
		if a.Type.Equal(t) {
			_, err := asn1.Unmarshal(a.Value.Bytes, out)
			return err
		}
	}
	return errors.New("attribute missing")
}

// hashFor maps a digest algorithm to a supported hash; SHA-1 and SM3 are
// refused (SHA-1 collisions are practical; SM3 is not in the Go library).
func hashFor(oid asn1.ObjectIdentifier) (crypto.Hash, string, error) {
	switch {
	case oid.Equal(oidSHA256):
		return crypto.SHA256, "SHA-256", nil
	case oid.Equal(oidSHA384):
		return crypto.SHA384, "SHA-384", nil
	case oid.Equal(oidSHA512):
		return crypto.SHA512, "SHA-512", nil
	case oid.Equal(oidSHA224):
		return crypto.SHA224, "SHA-224", nil
	case oid.Equal(oidSHA1):
		return 0, "SHA-1", errors.New("签名使用已不安全的 SHA-1 摘要算法，无法确认未被篡改")
	case hasPrefix(oid, oidSMPrefix):
		return 0, "SM3", errors.New("签名使用国密算法（SM2/SM3），本程序无法验证，不能确认未被篡改")
	}
	return 0, oid.String(), errors.New("签名使用本程序不支持的摘要算法（" + oid.String() + "），无法验证")
}

func hasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	return len(oid) >= len(prefix) && oid[:len(prefix)].Equal(prefix)
}

// verifyDigestSignature checks sig over digest (made with h) with pub. A
// non-empty unsupported says why the algorithm cannot be checked.
func verifyDigestSignature(pub crypto.PublicKey, alg pkix.AlgorithmIdentifier, h crypto.Hash, digest, sig []byte) (ok bool, unsupported string) {
	oid := alg.Algorithm
	if hasPrefix(oid, oidSMPrefix) {
		return false, "签名使用国密算法（SM2），本程序无法验证，不能确认未被篡改"
	}
	if oid.Equal(oidSHA1WithRSA) || oid.Equal(oidECDSASHA1) {
		return false, "签名使用已不安全的 SHA-1 算法，无法确认未被篡改"
	}
	// A hash named by the signature algorithm must be the digest algorithm.
	named := map[string]crypto.Hash{
		oidSHA256RSA.String(): crypto.SHA256, oidSHA384RSA.String(): crypto.SHA384,
		oidSHA512RSA.String(): crypto.SHA512, oidSHA224RSA.String(): crypto.SHA224,
		oidECDSASHA256.String(): crypto.SHA256, oidECDSASHA384.String(): crypto.SHA384,
		oidECDSASHA512.String(): crypto.SHA512, oidECDSASHA224.String(): crypto.SHA224,
	}
	if nh, found := named[oid.String()]; found && nh != h {
		return false, ""
	}
	other := "签名使用本程序不支持的算法（" + oid.String() + "），无法验证"
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch {
		case oid.Equal(oidRSA), oid.Equal(oidSHA256RSA), oid.Equal(oidSHA384RSA),
			oid.Equal(oidSHA512RSA), oid.Equal(oidSHA224RSA):
			return rsa.VerifyPKCS1v15(k, h, digest, sig) == nil, ""
		case oid.Equal(oidRSAPSS):
			opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: h}
			return rsa.VerifyPSS(k, h, digest, sig, opts) == nil, ""
		}
		return false, other
	case *ecdsa.PublicKey:
		switch {
		case oid.Equal(oidECPublicKey), oid.Equal(oidECDSASHA256), oid.Equal(oidECDSASHA384),
			oid.Equal(oidECDSASHA512), oid.Equal(oidECDSASHA224):
			return ecdsa.VerifyASN1(k, digest, sig), ""
		}
		return false, other
	}
	return false, fmt.Sprintf("签名人证书的公钥类型（%T）本程序不支持，无法验证", pub)
}

// tstInfo holds the fields of an RFC 3161 TSTInfo used here.
type tstInfo struct {
	imprintAlg asn1.ObjectIdentifier
	imprint    []byte
	genTime    time.Time
}

func parseTSTInfo(der []byte) (*tstInfo, error) {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return nil, err
	}
	if seq.Tag != asn1.TagSequence {
		return nil, errors.New("TSTInfo 不是 SEQUENCE")
	}
	rest := seq.Bytes
	var (
		version int
		policy  asn1.ObjectIdentifier
		mi      struct {
			Alg    pkix.AlgorithmIdentifier
			Digest []byte
		}
		serial *big.Int
		gen    time.Time
		err    error
	)
	for _, out := range []any{&version, &policy, &mi, &serial} {
		if rest, err = asn1.Unmarshal(rest, out); err != nil {
			return nil, err
		}
	}
	if _, err = asn1.UnmarshalWithParams(rest, &gen, "generalized"); err != nil {
		return nil, err
	}
	return &tstInfo{imprintAlg: mi.Alg.Algorithm, imprint: mi.Digest, genTime: gen}, nil
}

// checkTimestampToken verifies an RFC 3161 signature timestamp token: its
// imprint must be the digest of the signature value and the token's own
// signature must verify. It returns the time the authority vouches for.
func checkTimestampToken(token, signatureValue []byte) (time.Time, error) {
	tok, err := safeParse(token)
	if err != nil {
		return time.Time{}, errors.New("无法解析")
	}
	tst, err := parseTSTInfo(tok.Content)
	if err != nil {
		return time.Time{}, errors.New("内容无法解析")
	}
	h, _, err := hashFor(tst.imprintAlg)
	if err != nil {
		return time.Time{}, err
	}
	d := h.New()
	d.Write(signatureValue)
	if subtle.ConstantTimeCompare(d.Sum(nil), tst.imprint) != 1 {
		return time.Time{}, errors.New("时间戳不是对本签名值签发的")
	}
	if err := safeVerify(tok); err != nil {
		var ste *pkcs7.SigningTimeNotValidError
		if !errors.As(err, &ste) {
			return time.Time{}, errors.New("时间戳签名验证失败")
		}
	}
	return tst.genTime, nil
}

// describeCert fills the signer and issuer names.
func describeCert(s *Signature, cert *x509.Certificate) {
	s.SignerCN = cert.Subject.CommonName
	s.SignerOrg = strings.Join(cert.Subject.Organization, " ")
	s.IssuerCN = cert.Issuer.CommonName
	s.IssuerOrg = strings.Join(cert.Issuer.Organization, " ")
}

// describeSignerQuietly fills the names from a signature that cannot be
// verified, when its certificates can be read at all.
func describeSignerQuietly(s *Signature, contents []byte, ts trustStore) {
	p7, err := parseCMS(contents)
	if err != nil {
		return
	}
	if c := p7.GetOnlySigner(); c != nil {
		describeCert(s, c)
		s.Chain = chainOf(ts, c, p7.Certificates)
	}
}

// nameString renders a certificate name as CN, O, OU, C.
func nameString(n pkix.Name) string {
	var parts []string
	add := func(k string, vs ...string) {
		for _, v := range vs {
			if v != "" {
				parts = append(parts, k+"="+v)
			}
		}
	}
	add("CN", n.CommonName)
	add("O", n.Organization...)
	add("OU", n.OrganizationalUnit...)
	add("C", n.Country...)
	if len(parts) == 0 {
		return n.String()
	}
	return strings.Join(parts, ", ")
}

// chainOf follows issuers from leaf through the embedded certificates and
// the trusted roots, as far as they are known.
func chainOf(ts trustStore, leaf *x509.Certificate, embedded []*x509.Certificate) []string {
	pool := append(append([]*x509.Certificate{}, embedded...), ts.certs...)
	chain := []string{nameString(leaf.Subject)}
	cur := leaf
	for i := 0; i < 10; i++ {
		if bytes.Equal(cur.RawIssuer, cur.RawSubject) {
			return chain // self-signed: the top
		}
		var parent *x509.Certificate
		for _, c := range pool {
			if c != cur && bytes.Equal(cur.RawIssuer, c.RawSubject) && cur.CheckSignatureFrom(c) == nil {
				parent = c
				break
			}
		}
		if parent == nil {
			return append(chain, nameString(cur.Issuer)+"（证书未附带，无法核对）")
		}
		chain = append(chain, nameString(parent.Subject))
		cur = parent
	}
	return chain
}

// judgeTrust builds the chain and gives the trust verdict: whether the
// signer's certificate leads to a root in the trusted folder, at the
// signing time when known.
func judgeTrust(ts trustStore, leaf *x509.Certificate, embedded []*x509.Certificate, at time.Time, prior string) ([]string, string, string) {
	chain := chainOf(ts, leaf, embedded)
	if prior != "" {
		return chain, TrustUntrusted, prior
	}
	if len(ts.certs) == 0 {
		where := ts.dir
		if where == "" {
			where = "未设置"
		}
		return chain, TrustUnknown, "没有配置受信任的根证书（目录：" + where + "）"
	}
	inter := x509.NewCertPool()
	for _, c := range embedded {
		inter.AddCert(c)
	}
	if at.IsZero() {
		at = time.Now()
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:         ts.pool,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return chain, TrustUntrusted, "证书链不能验证到受信任的根证书（" + shorten(err.Error(), 200) + "）"
	}
	return chain, TrustTrusted, ""
}
