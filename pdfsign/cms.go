package pdfsign

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Limits on what a signature may claim.
const (
	maxContentsLen = 4 << 20 // the hex-encoded signature value
)

// Object identifiers used here.
var (
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
)

// verifySignature checks one signature field; it fills everything but
// LaterUpdatesOnlySignatures and Intact.
func verifySignature(ctx context.Context, r io.ReaderAt, size int64, f located, encrypted bool, ts trustStore, dssCerts []*certInfo) Signature {
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
	readLocks(&s, f)
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
	if !revisionEndsAt(r, end) {
		return fail("签名范围没有在其版本的末尾（%%EOF 及换行）结束：签名时文件的结尾部分没有被签名覆盖")
	}
	s.ByteRangeOK = true

	switch s.SubFilter {
	case "adbe.pkcs7.detached", "ETSI.CAdES.detached", "ETSI.RFC3161":
	case "adbe.pkcs7.sha1", "adbe.x509.rsa_sha1":
		s.Supported = false
		describeSignerQuietly(&s, contents)
		return fail("签名格式 " + s.SubFilter + " 使用已不安全的 SHA-1 摘要（弱算法），无法确认未被篡改")
	default:
		s.Supported = false
		describeSignerQuietly(&s, contents)
		return fail("不支持的签名格式（SubFilter " + strconv.Quote(s.SubFilter) + "），无法验证，不能确认未被篡改")
	}

	sd, err := parseSignedData(contents)
	if err != nil {
		s.Supported = false
		return fail("签名数据（CMS）无法解析：" + err.Error())
	}
	sd.extra = dssCerts
	ranges := [][2]int64{{br[0], br[1]}, {br[2], br[3]}}
	digests := map[string][]byte{} // digest of the signed ranges, by algorithm
	rangeDigest := func(dig digestAlg) ([]byte, error) {
		if v, ok := digests[dig.name]; ok {
			return v, nil
		}
		h := dig.new()
		if err := hashRanges(h, r, ranges, ctx.Err); err != nil {
			return nil, err
		}
		v := h.Sum(nil)
		digests[dig.name] = v
		return v, nil
	}

	// Every SignerInfo is checked; the signature is proved by one that
	// verifies and none that fails.
	var firstFail string
	var failed, proved *signerResult
	for i := range sd.signers {
		res := checkSigner(&s, sd, &sd.signers[i], rangeDigest)
		if res.err != "" {
			if firstFail == "" {
				firstFail = res.err
				failed = &res
				if res.unsupported {
					s.Supported = false
				}
			}
			continue
		}
		if proved == nil {
			proved = &res
		}
	}
	if proved == nil {
		if firstFail == "" {
			firstFail = "签名未能验证"
		}
		if ctx.Err() != nil {
			return fail("检查被中止")
		}
		if failed != nil {
			s.DigestOK, s.SignatureOK = failed.digestOK, failed.sigOK
			s.DigestAlgorithm = failed.digestName
			if !failed.signingTime.IsZero() {
				s.SigningTime, s.SigningTimeSource = failed.signingTime, failed.timeSource
			}
			if c := failed.cert; c != nil {
				describeCert(&s, c)
				s.Chain = chainOf(ts, c, sd.certs)
			}
		}
		return fail(firstFail)
	}
	if firstFail != "" {
		s.Problems = append(s.Problems, "签名数据中另有签名者未能验证："+firstFail)
		s.SignatureOK = false
		return s
	}
	s.DigestOK, s.SignatureOK = true, true
	cert := proved.cert
	describeCert(&s, cert)
	s.signerKey = string(cert.spki)
	s.DigestAlgorithm = proved.digestName
	if !proved.signingTime.IsZero() {
		s.SigningTime, s.SigningTimeSource = proved.signingTime, proved.timeSource
	}
	if s.SigningTime.IsZero() && !mTime.IsZero() {
		s.SigningTime, s.SigningTimeSource = mTime, TimeFromMEntry
	}
	s.Notes = append(s.Notes, proved.notes...)
	s.Chain, s.Trust, s.TrustReason = judgeTrust(ts, cert, sd.certs, s.SigningTime, &s)
	return s
}

// signerResult is what one SignerInfo established.
type signerResult struct {
	err         string // why it failed; empty when it verified
	unsupported bool
	digestOK    bool // the messageDigest matched the signed ranges
	sigOK       bool // the signature value verified
	cert        *certInfo
	digestName  string
	signingTime time.Time
	timeSource  string
	notes       []string
}

// checkSigner verifies one SignerInfo over the signed ranges: the digest of
// the ranges (or of the timestamp's TSTInfo) is the messageDigest, and the
// signature over the signed attributes as found verifies with the signer's
// key; without signed attributes the signature is over the content itself.
func checkSigner(s *Signature, sd *signedData, si *signerInfo, rangeDigest func(digestAlg) ([]byte, error)) signerResult {
	var res signerResult
	bad := func(msg string, unsupported bool) signerResult {
		res.err, res.unsupported = msg, unsupported
		return res
	}
	cert := sd.signerCert(si)
	if cert == nil {
		return bad("签名数据中没有签名人的证书，无法验证", true)
	}
	res.cert = cert
	if cert.odd() {
		res.notes = append(res.notes, "签名人证书不符合常规（"+certProblem(cert.parseErr)+"），不影响完整性判断，已在证书信任中说明")
	}
	dig, err := digestFor(si.digestAlg.oid)
	res.digestName = dig.name
	if err != nil {
		return bad(err.Error(), true)
	}
	if dig.weak {
		return bad("签名使用已不安全的 SHA-1 摘要算法（弱算法），无法确认未被篡改", true)
	}
	pk, err := keyOf(cert)
	if err != nil {
		return bad(err.Error(), true)
	}

	// The content whose digest the signer signed.
	var contentDigest []byte
	switch {
	case s.Kind == KindDocTimestamp:
		if !sd.hasContent || !sd.contentType.Equal(oidTSTInfo) {
			return bad("文档时间戳不含时间戳内容（TSTInfo）", true)
		}
		tst, err := parseTSTInfo(sd.content)
		if err != nil {
			return bad("文档时间戳内容无法解析："+err.Error(), true)
		}
		idig, err := digestFor(tst.imprintAlg)
		if err != nil || idig.weak {
			return bad("文档时间戳使用本程序不支持或已不安全的摘要算法", true)
		}
		d, err := rangeDigest(idig)
		if err != nil {
			return bad("读取签名范围出错", false)
		}
		if subtle.ConstantTimeCompare(d, tst.imprint) != 1 {
			return bad("签名后文件内容被修改：文档时间戳记录的摘要与文件不一致", false)
		}
		res.signingTime, res.timeSource = tst.genTime, TimeFromTimestampToken
		h := dig.new()
		h.Write(sd.content)
		contentDigest = h.Sum(nil)
	case sd.hasContent && len(sd.content) == 0:
		// An empty eContent is content that was signed (its digest is
		// the messageDigest for a CMS verifier), not the byte ranges.
		return bad("签名数据中封装了空的内容：签名不是对本文件的签名范围所签", false)
	case sd.hasContent:
		// Encapsulated content in a detached SubFilter: it is signed
		// instead of the byte ranges, so it must be exactly them (EU DSS
		// accepts such an enveloping CMS when it is).
		h := dig.new()
		h.Write(sd.content)
		contentDigest = h.Sum(nil)
		d, err := rangeDigest(dig)
		if err != nil {
			return bad("读取签名范围出错", false)
		}
		if !bytes.Equal(d, contentDigest) {
			return bad("签名数据中封装的内容不是本文件的签名范围，签名不覆盖本文件", false)
		}
	default:
		d, err := rangeDigest(dig)
		if err != nil {
			return bad("读取签名范围出错", false)
		}
		contentDigest = d
	}

	var ok bool
	var unsupported string
	if si.signedAttrsDER != nil {
		md, n, found := findAttr(si.signedAttrs, oidMessageDigest)
		if !found || n != 1 {
			return bad("签名数据缺少摘要属性（messageDigest）或有多个", false)
		}
		if !si.signedAttrsSorted {
			// RFC 5652 5.3: signed attributes are DER, a sorted SET OF. A
			// signer that signed them in another order signed bytes a
			// strict validator re-encodes differently (EU DSS refuses it).
			return bad("签名属性不是规范的 DER 编码（顺序错误），签名无法按标准验证", false)
		}
		digestMatch := subtle.ConstantTimeCompare(md.octets(), contentDigest) == 1
		ct, n, found := findAttr(si.signedAttrs, oidContentType)
		if o, okOID := ct.oid(); !found || n != 1 || !okOID || !o.Equal(sd.contentType) {
			return bad("签名属性中的内容类型（contentType）不正确", false)
		}
		ok, unsupported = verifyCMSSignature(pk, si.sigAlg, dig, si.signedAttrsDER, nil, si.signature)
		if st, _, found := findAttr(si.signedAttrs, oidSigningTime); found && s.Kind == KindSignature {
			if t := asn1Time(st); !t.IsZero() {
				res.signingTime, res.timeSource = t, TimeFromSignedAttribute
			}
		}
		if unsupported == "" && !digestMatch {
			res.sigOK = ok
			return bad("签名后文件内容被修改：签名范围内容的摘要与签名中记录的不一致", false)
		}
		res.digestOK = true
	} else {
		if s.Kind == KindDocTimestamp {
			return bad("文档时间戳缺少签名属性", true)
		}
		ok, unsupported = verifyCMSSignature(pk, si.sigAlg, dig, nil, contentDigest, si.signature)
	}
	if unsupported != "" {
		return bad(unsupported, true)
	}
	if !ok {
		return bad("签名值验证失败：签名不是该证书的私钥所签，或签名数据被篡改", false)
	}
	res.digestOK, res.sigOK = true, true

	// Signing time: a valid timestamp token beats the signer's own clock.
	if s.Kind == KindSignature {
		if tok, _, found := findAttr(si.unsignedAttrs, oidTimestamp); found {
			t, err := checkTimestampToken(tok.full, si.signature, sd.extra)
			if err != nil {
				res.notes = append(res.notes, "签名附带的时间戳无效（不影响签名本身）："+err.Error())
			} else {
				res.signingTime, res.timeSource = t, TimeFromTimestampToken
			}
		}
	}
	return res
}

// odd: Go's x509 parser refused the certificate for a detail, not for a
// public key algorithm read here (SM2, brainpool, Ed448).
func (c *certInfo) odd() bool {
	if c.parseErr == nil {
		return false
	}
	m := c.parseErr.Error()
	if strings.Contains(m, "unsupported elliptic curve") || strings.Contains(m, "unknown public key algorithm") ||
		strings.Contains(m, "unsupported public key") {
		_, err := keyOf(c)
		return err != nil
	}
	return true
}

// certProblem names what Go's x509 parser refused, for the clerk.
func certProblem(err error) string {
	m := err.Error()
	switch {
	case strings.Contains(m, "negative serial"):
		return "证书序列号为负数"
	case strings.Contains(m, "authority info access"):
		return "“颁发机构信息访问”扩展被标为关键"
	case strings.Contains(m, "elliptic curve"), strings.Contains(m, "unsupported"):
		return "证书使用不常见的算法或曲线"
	}
	return shorten(m, 120)
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

// revisionEndsAt: the bytes before end are a revision's end: "%%EOF"
// and at most one end of line, and what follows (if anything) does not
// continue that line.
func revisionEndsAt(r io.ReaderAt, end int64) bool {
	from := max(0, end-8)
	b := make([]byte, end-from+2)
	n, _ := r.ReadAt(b, from)
	if n < int(end-from) {
		return false
	}
	head, next := b[:end-from], b[end-from:n]
	t := head
	switch {
	case bytes.HasSuffix(t, []byte("\r\n")):
		t = t[:len(t)-2]
	case bytes.HasSuffix(t, []byte("\n")), bytes.HasSuffix(t, []byte("\r")):
		t = t[:len(t)-1]
	}
	if !bytes.HasSuffix(t, markEOF) {
		return false
	}
	if len(t) == len(head) && len(next) > 0 && !isPDFSpace(next[0]) {
		return false // "%%EOF" continued by more bytes on its line
	}
	return true
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
func checkTimestampToken(token, signatureValue []byte, extra []*certInfo) (time.Time, error) {
	sd, err := parseSignedData(token)
	if err != nil || !sd.hasContent {
		return time.Time{}, errors.New("无法解析")
	}
	sd.extra = extra
	tst, err := parseTSTInfo(sd.content)
	if err != nil {
		return time.Time{}, errors.New("内容无法解析")
	}
	idig, err := digestFor(tst.imprintAlg)
	if err != nil {
		return time.Time{}, err
	}
	h := idig.new()
	h.Write(signatureValue)
	if subtle.ConstantTimeCompare(h.Sum(nil), tst.imprint) != 1 {
		return time.Time{}, errors.New("时间戳不是对本签名值签发的")
	}
	for i := range sd.signers {
		if err := verifyTokenSigner(sd, &sd.signers[i]); err != nil {
			return time.Time{}, err
		}
	}
	return tst.genTime, nil
}

// verifyTokenSigner checks a timestamp token's SignerInfo: messageDigest
// over the TSTInfo and the signature over the signed attributes.
func verifyTokenSigner(sd *signedData, si *signerInfo) error {
	cert := sd.signerCert(si)
	if cert == nil {
		return errors.New("时间戳中没有签发者证书")
	}
	dig, err := digestFor(si.digestAlg.oid)
	if err != nil {
		return err
	}
	pk, err := keyOf(cert)
	if err != nil {
		return err
	}
	if si.signedAttrsDER == nil {
		return errors.New("时间戳缺少签名属性")
	}
	h := dig.new()
	h.Write(sd.content)
	md, _, found := findAttr(si.signedAttrs, oidMessageDigest)
	if !found || subtle.ConstantTimeCompare(md.octets(), h.Sum(nil)) != 1 {
		return errors.New("时间戳内容与其签名不符")
	}
	ok, unsupported := verifyCMSSignature(pk, si.sigAlg, dig, si.signedAttrsDER, nil, si.signature)
	if unsupported != "" {
		return errors.New(unsupported)
	}
	if !ok {
		return errors.New("时间戳签名验证失败")
	}
	return nil
}

// describeCert fills the signer and issuer names.
func describeCert(s *Signature, c *certInfo) {
	s.SignerCN = c.subject.CommonName
	s.SignerOrg = strings.Join(c.subject.Organization, " ")
	s.IssuerCN = c.issuer.CommonName
	s.IssuerOrg = strings.Join(c.issuer.Organization, " ")
}

// describeSignerQuietly fills the names from a signature that cannot be
// verified, when its certificates can be read at all.
func describeSignerQuietly(s *Signature, contents []byte) {
	sd, err := parseSignedData(contents)
	if err != nil || len(sd.signers) == 0 {
		return
	}
	if c := sd.signerCert(&sd.signers[0]); c != nil {
		describeCert(s, c)
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
// the trusted roots, as far as they are known; each link's signature is
// checked with the issuer's key (RSA, ECDSA, brainpool, SM2).
func chainOf(ts trustStore, leaf *certInfo, embedded []*certInfo) []string {
	chain, _ := buildChain(ts, leaf, embedded)
	out := make([]string, 0, len(chain)+1)
	for _, c := range chain {
		out = append(out, nameString(c.subject))
	}
	top := chain[len(chain)-1]
	if !bytes.Equal(top.rawIssuer, top.rawSubject) && !isTrustedCert(ts, top) {
		out = append(out, nameString(top.issuer)+"（证书未附带，无法核对）")
	}
	return out
}

func buildChain(ts trustStore, leaf *certInfo, embedded []*certInfo) ([]*certInfo, bool) {
	pool := append(append([]*certInfo{}, embedded...), ts.infos...)
	chain := []*certInfo{leaf}
	cur := leaf
	for range 10 {
		if isTrustedCert(ts, cur) {
			return chain, true
		}
		if bytes.Equal(cur.rawIssuer, cur.rawSubject) {
			return chain, false
		}
		var parent *certInfo
		for _, c := range pool {
			if c != cur && bytes.Equal(cur.rawIssuer, c.rawSubject) && checkCertSignature(cur, c) {
				parent = c
				break
			}
		}
		if parent == nil {
			return chain, false
		}
		chain = append(chain, parent)
		cur = parent
	}
	return chain, false
}

func isTrustedCert(ts trustStore, c *certInfo) bool {
	for _, t := range ts.infos {
		if bytes.Equal(t.raw, c.raw) {
			return true
		}
	}
	return false
}

// judgeTrust builds the chain and gives the trust verdict: whether the
// signer's certificate leads to a root in the trusted folder, valid at the
// signing time when known. Certificate details Go refuses are reported
// here, never as an integrity failure.
func judgeTrust(ts trustStore, leaf *certInfo, embedded []*certInfo, at time.Time, s *Signature) ([]string, string, string) {
	chain := chainOf(ts, leaf, embedded)
	var reasons []string
	seen := map[*certInfo]bool{}
	for _, c := range append([]*certInfo{leaf}, embedded...) {
		if seen[c] || !c.odd() {
			continue
		}
		seen[c] = true
		p := nameString(c.subject) + "：" + certProblem(c.parseErr)
		s.CertificateProblems = append(s.CertificateProblems, p)
	}
	if at.IsZero() {
		at = time.Now()
	}
	if !leaf.notBefore.IsZero() && (at.Before(leaf.notBefore) || at.After(leaf.notAfter)) {
		reasons = append(reasons, "签名时间不在签名证书的有效期内")
	}
	if pk, err := keyOf(leaf); err == nil {
		if k, ok := pk.key.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
			reasons = append(reasons, "签名密钥过短（"+strconv.Itoa(k.N.BitLen())+" 位 RSA），已不足以防伪造")
		}
	}
	if len(s.CertificateProblems) > 0 {
		reasons = append(reasons, "证书不符合常规："+strings.Join(s.CertificateProblems, "；"))
	}
	if len(ts.infos) == 0 {
		where := ts.dir
		if where == "" {
			where = "未设置"
		}
		verdict := TrustUnknown
		if len(reasons) > 0 {
			verdict = TrustUntrusted // a problem of its own, whatever the roots
		}
		reasons = append(reasons, "没有配置受信任的根证书（目录："+where+"）")
		return chain, verdict, strings.Join(reasons, "；")
	}
	path, ok := buildChain(ts, leaf, embedded)
	if !ok {
		reasons = append(reasons, "证书链不能验证到受信任的根证书")
		return chain, TrustUntrusted, strings.Join(reasons, "；")
	}
	for _, c := range path[1:] {
		if !c.notBefore.IsZero() && (at.Before(c.notBefore) || at.After(c.notAfter)) {
			reasons = append(reasons, "证书链中的证书在签名时不在有效期内")
			break
		}
	}
	if len(reasons) > 0 {
		return chain, TrustUntrusted, strings.Join(reasons, "；")
	}
	return chain, TrustTrusted, ""
}

func hasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	return len(oid) >= len(prefix) && oid[:len(prefix)].Equal(prefix)
}
