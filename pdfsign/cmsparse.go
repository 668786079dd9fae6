package pdfsign

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"time"
)

// A CMS SignedData (RFC 5652) read here from the exact bytes of the file:
// BER (NSS writes indefinite lengths) and DER alike, signed attributes kept
// as found so that they are hashed as signed, certificates kept raw so that
// a detail Go's x509 parser refuses does not hide the signer's key.

// node is one BER/DER element.
type node struct {
	class       int
	tag         int
	constructed bool
	indefinite  bool
	full        []byte // the whole element as found (header, content, end-of-contents)
	content     []byte // primitive or definite: the content octets
	kids        []node // constructed: the elements inside
}

// Limits on a hostile encoding.
const (
	maxBERDepth = 48
	maxBERNodes = 200_000
)

type berParser struct{ nodes int }

var errBER = errors.New("签名数据的编码不正确")

// parseBER reads one element at the start of b and returns it and its length.
func (p *berParser) parse(b []byte, depth int) (node, int, error) {
	p.nodes++
	if depth > maxBERDepth || p.nodes > maxBERNodes || len(b) < 2 {
		return node{}, 0, errBER
	}
	var n node
	i := 0
	c := b[i]
	i++
	n.class = int(c >> 6)
	n.constructed = c&0x20 != 0
	n.tag = int(c & 0x1f)
	if n.tag == 0x1f {
		n.tag = 0
		for k := 0; ; k++ {
			if i >= len(b) || k > 3 {
				return node{}, 0, errBER
			}
			d := b[i]
			i++
			n.tag = n.tag<<7 | int(d&0x7f)
			if d&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return node{}, 0, errBER
	}
	l := int(b[i])
	i++
	if l == 0x80 {
		if !n.constructed {
			return node{}, 0, errBER
		}
		n.indefinite = true
		start := i
		for {
			if i+1 < len(b) && b[i] == 0 && b[i+1] == 0 {
				n.content = b[start:i]
				i += 2
				break
			}
			kid, k, err := p.parse(b[i:], depth+1)
			if err != nil {
				return node{}, 0, err
			}
			n.kids = append(n.kids, kid)
			i += k
		}
		n.full = b[:i]
		return n, i, nil
	}
	if l > 0x80 {
		k := l & 0x7f
		if k > 4 || i+k > len(b) {
			return node{}, 0, errBER
		}
		l = 0
		for _, d := range b[i : i+k] {
			l = l<<8 | int(d)
		}
		i += k
		if l < 0 {
			return node{}, 0, errBER
		}
	}
	if l > len(b)-i {
		return node{}, 0, errBER
	}
	n.content = b[i : i+l]
	n.full = b[:i+l]
	if n.constructed {
		for rest := n.content; len(rest) > 0; {
			kid, k, err := p.parse(rest, depth+1)
			if err != nil {
				return node{}, 0, err
			}
			n.kids = append(n.kids, kid)
			rest = rest[k:]
		}
	}
	return n, i + l, nil
}

func (n node) is(class, tag int) bool { return n.class == class && n.tag == tag }

// octets gives the value of an OCTET STRING or BIT STRING, primitive or
// constructed (BER).
func (n node) octets() []byte {
	if !n.constructed {
		return n.content
	}
	var out []byte
	for _, k := range n.kids {
		out = append(out, k.octets()...)
	}
	return out
}

// der re-encodes n with definite lengths (for an element written in BER).
func (n node) der() []byte {
	if !n.indefinite && !n.hasIndefinite() {
		return n.full
	}
	var content []byte
	for _, k := range n.kids {
		content = append(content, k.der()...)
	}
	hdrEnd := 1
	if n.full[0]&0x1f == 0x1f {
		for hdrEnd < len(n.full) && n.full[hdrEnd]&0x80 != 0 {
			hdrEnd++
		}
		hdrEnd++
	}
	out := append([]byte{}, n.full[:hdrEnd]...)
	out = append(out, derLength(len(content))...)
	return append(out, content...)
}

func (n node) hasIndefinite() bool {
	if n.indefinite {
		return true
	}
	for _, k := range n.kids {
		if k.hasIndefinite() {
			return true
		}
	}
	return false
}

func derLength(l int) []byte {
	if l < 0x80 {
		return []byte{byte(l)}
	}
	var b []byte
	for v := l; v > 0; v >>= 8 {
		b = append([]byte{byte(v)}, b...)
	}
	return append([]byte{0x80 | byte(len(b))}, b...)
}

func (n node) oid() (asn1.ObjectIdentifier, bool) {
	if !n.is(0, asn1.TagOID) {
		return nil, false
	}
	var o asn1.ObjectIdentifier
	_, err := asn1.Unmarshal(n.full, &o)
	return o, err == nil
}

// algorithm is an AlgorithmIdentifier.
type algorithm struct {
	oid    asn1.ObjectIdentifier
	params *node
}

func (n node) algorithm() (algorithm, bool) {
	if !n.is(0, asn1.TagSequence) || len(n.kids) == 0 {
		return algorithm{}, false
	}
	o, ok := n.kids[0].oid()
	if !ok {
		return algorithm{}, false
	}
	a := algorithm{oid: o}
	if len(n.kids) > 1 {
		p := n.kids[1]
		a.params = &p
	}
	return a, true
}

// attribute is one CMS attribute.
type attribute struct {
	typ    asn1.ObjectIdentifier
	values []node
}

func attributesOf(n node) []attribute {
	var out []attribute
	for _, k := range n.kids {
		if len(k.kids) < 2 {
			continue
		}
		t, ok := k.kids[0].oid()
		if !ok {
			continue
		}
		out = append(out, attribute{typ: t, values: k.kids[1].kids})
	}
	return out
}

func findAttr(attrs []attribute, t asn1.ObjectIdentifier) (node, int, bool) {
	var found node
	count := 0
	for _, a := range attrs {
		if a.typ.Equal(t) {
			count++
			if len(a.values) > 0 && count == 1 {
				found = a.values[0]
			}
		}
	}
	return found, count, count > 0
}

// signedData is the parsed CMS.
type signedData struct {
	contentType asn1.ObjectIdentifier
	content     []byte // eContent, nil when absent
	hasContent  bool
	certs       []*certInfo
	signers     []signerInfo
	// extra are certificates found outside the CMS (the document's DSS),
	// used when the CMS leaves out its signer's certificate.
	extra []*certInfo
}

type signerInfo struct {
	// Signer identifier: issuer and serial, or subject key identifier.
	issuer, serial, ski []byte
	digestAlg           algorithm
	signedAttrs         []attribute
	signedAttrsDER      []byte // the SET OF as signed (tag 0x31), nil when absent
	signedAttrsSorted   bool   // the attributes are in DER order (SET OF sorted)
	sigAlg              algorithm
	signature           []byte
	unsignedAttrs       []attribute
}

var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// parseSignedData reads a ContentInfo holding SignedData from the start of
// raw; trailing bytes (the zero padding of /Contents) are ignored.
func parseSignedData(raw []byte) (*signedData, error) {
	p := &berParser{}
	ci, _, err := p.parse(raw, 0)
	if err != nil {
		return nil, err
	}
	if !ci.is(0, asn1.TagSequence) || len(ci.kids) < 2 {
		return nil, errors.New("不是 CMS 结构")
	}
	if t, ok := ci.kids[0].oid(); !ok || !t.Equal(oidSignedData) {
		return nil, errors.New("不是 CMS SignedData")
	}
	if !ci.kids[1].is(2, 0) || len(ci.kids[1].kids) != 1 {
		return nil, errors.New("SignedData 结构不正确")
	}
	sd := ci.kids[1].kids[0]
	if !sd.is(0, asn1.TagSequence) || len(sd.kids) < 4 {
		return nil, errors.New("SignedData 结构不正确")
	}
	out := &signedData{}
	eci := sd.kids[2]
	if !eci.is(0, asn1.TagSequence) || len(eci.kids) == 0 {
		return nil, errors.New("SignedData 的内容信息不正确")
	}
	out.contentType, _ = eci.kids[0].oid()
	if len(eci.kids) > 1 && eci.kids[1].is(2, 0) && len(eci.kids[1].kids) == 1 {
		out.hasContent = true
		out.content = eci.kids[1].kids[0].octets()
	}
	var last node
	for _, k := range sd.kids[3:] {
		switch {
		case k.is(2, 0): // certificates
			for _, c := range k.kids {
				if c.is(0, asn1.TagSequence) {
					out.certs = append(out.certs, parseCertLenient(c))
				}
			}
		case k.is(2, 1): // CRLs
		default:
			last = k
		}
	}
	if !last.is(0, asn1.TagSet) {
		return nil, errors.New("SignedData 缺少签名者信息")
	}
	for _, s := range last.kids {
		si, err := parseSignerInfo(s)
		if err != nil {
			return nil, err
		}
		out.signers = append(out.signers, si)
	}
	if len(out.signers) == 0 {
		return nil, errors.New("SignedData 没有签名者")
	}
	return out, nil
}

func parseSignerInfo(n node) (signerInfo, error) {
	var si signerInfo
	bad := errors.New("签名者信息（SignerInfo）结构不正确")
	if !n.is(0, asn1.TagSequence) || len(n.kids) < 5 {
		return si, bad
	}
	k := n.kids
	switch sid := k[1]; {
	case sid.is(0, asn1.TagSequence) && len(sid.kids) == 2:
		si.issuer = sid.kids[0].der()
		si.serial = sid.kids[1].content
	case sid.is(2, 0):
		si.ski = sid.octets()
	default:
		return si, bad
	}
	var ok bool
	if si.digestAlg, ok = k[2].algorithm(); !ok {
		return si, bad
	}
	i := 3
	if k[i].is(2, 0) {
		si.signedAttrs = attributesOf(k[i])
		der := k[i].der()
		si.signedAttrsDER = append([]byte{0x31}, der[1:]...)
		si.signedAttrsSorted = !k[i].indefinite && derSorted(k[i].kids)
		i++
	}
	if i+1 >= len(k) {
		return si, bad
	}
	if si.sigAlg, ok = k[i].algorithm(); !ok {
		return si, bad
	}
	if !k[i+1].is(0, asn1.TagOctetString) {
		return si, bad
	}
	si.signature = k[i+1].octets()
	if i+2 < len(k) && k[i+2].is(2, 1) {
		si.unsignedAttrs = attributesOf(k[i+2])
	}
	return si, nil
}

// certInfo is a certificate read as far as needed: the Go parse when it
// accepts the certificate, else the fields read here.
type certInfo struct {
	raw        []byte
	x          *x509.Certificate // nil when Go's parser refused it
	parseErr   error
	rawIssuer  []byte
	rawSubject []byte
	serial     []byte // INTEGER content octets
	ski        []byte
	spki       []byte // SubjectPublicKeyInfo
	keyBits    []byte
	subject    pkix.Name
	issuer     pkix.Name
	notBefore  time.Time
	notAfter   time.Time
	sigAlg     algorithm
	tbs        []byte
	signature  []byte
}

var oidSKI = asn1.ObjectIdentifier{2, 5, 29, 14}

func parseCertLenient(n node) *certInfo {
	ci := &certInfo{raw: n.der()}
	ci.x, ci.parseErr = x509.ParseCertificate(ci.raw)
	p := &berParser{}
	c, _, err := p.parse(ci.raw, 0)
	if err != nil || len(c.kids) < 3 {
		if ci.parseErr == nil {
			ci.parseErr = errBER
		}
		return ci
	}
	tbs := c.kids[0]
	ci.tbs = tbs.full
	ci.sigAlg, _ = c.kids[1].algorithm()
	if bs := c.kids[2].octets(); len(bs) > 0 {
		ci.signature = bs[1:]
	}
	k := tbs.kids
	if len(k) > 0 && k[0].is(2, 0) {
		k = k[1:]
	}
	if len(k) < 6 {
		return ci
	}
	ci.serial = k[0].content
	ci.rawIssuer = k[2].full
	ci.rawSubject = k[4].full
	ci.spki = k[5].full
	if len(k[5].kids) == 2 {
		if bs := k[5].kids[1].octets(); len(bs) > 0 {
			ci.keyBits = bs[1:]
		}
	}
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(ci.rawSubject, &rdn); err == nil {
		ci.subject.FillFromRDNSequence(&rdn)
	}
	rdn = nil
	if _, err := asn1.Unmarshal(ci.rawIssuer, &rdn); err == nil {
		ci.issuer.FillFromRDNSequence(&rdn)
	}
	if v := k[3]; len(v.kids) == 2 {
		ci.notBefore = asn1Time(v.kids[0])
		ci.notAfter = asn1Time(v.kids[1])
	}
	for _, e := range k[6:] {
		if !e.is(2, 3) || len(e.kids) != 1 {
			continue
		}
		for _, ext := range e.kids[0].kids {
			if len(ext.kids) < 2 {
				continue
			}
			if o, ok := ext.kids[0].oid(); ok && o.Equal(oidSKI) {
				var ski []byte
				if _, err := asn1.Unmarshal(ext.kids[len(ext.kids)-1].content, &ski); err == nil {
					ci.ski = ski
				}
			}
		}
	}
	if ci.x != nil {
		ci.subject, ci.issuer = ci.x.Subject, ci.x.Issuer
		if len(ci.x.SubjectKeyId) > 0 {
			ci.ski = ci.x.SubjectKeyId
		}
	}
	return ci
}

func asn1Time(n node) time.Time {
	var t time.Time
	switch n.tag {
	case asn1.TagUTCTime:
		_, _ = asn1.UnmarshalWithParams(n.full, &t, "utc")
	case asn1.TagGeneralizedTime:
		_, _ = asn1.UnmarshalWithParams(n.full, &t, "generalized")
	}
	return t
}

// matches: the signer identifier names this certificate.
func (si *signerInfo) matches(c *certInfo) bool {
	if si.ski != nil {
		if c.ski != nil && bytes.Equal(si.ski, c.ski) {
			return true
		}
		sum := sha1.Sum(c.keyBits) // RFC 5280 4.2.1.2 method (1)
		return bytes.Equal(si.ski, sum[:])
	}
	if c.rawIssuer == nil {
		return false
	}
	if !sameInteger(si.serial, c.serial) {
		return false
	}
	if bytes.Equal(si.issuer, c.rawIssuer) {
		return true
	}
	// The same name in other string types (PrintableString/UTF8String).
	var a, b pkix.RDNSequence
	if _, err := asn1.Unmarshal(si.issuer, &a); err != nil {
		return false
	}
	if _, err := asn1.Unmarshal(c.rawIssuer, &b); err != nil {
		return false
	}
	return a.String() == b.String()
}

func sameInteger(a, b []byte) bool {
	return new(big.Int).SetBytes(a).Cmp(new(big.Int).SetBytes(b)) == 0 && len(a) > 0 && len(b) > 0 && (a[0]&0x80) == (b[0]&0x80)
}

// signerCert finds the certificate of si among the embedded ones.
func (sd *signedData) signerCert(si *signerInfo) *certInfo {
	for _, c := range sd.certs {
		if si.matches(c) {
			return c
		}
	}
	for _, c := range sd.extra {
		if si.matches(c) {
			return c
		}
	}
	return nil
}

// derSorted: the elements of a SET OF are in DER order (X.690 11.6: by
// their encodings, a shorter one as if padded with zero bytes).
func derSorted(kids []node) bool {
	for i := 1; i < len(kids); i++ {
		a, b := kids[i-1].full, kids[i].full
		n := min(len(a), len(b))
		c := bytes.Compare(a[:n], b[:n])
		if c > 0 || (c == 0 && len(a) > len(b) && !allZeroBytes(a[n:])) {
			return false
		}
	}
	return true
}

func allZeroBytes(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
