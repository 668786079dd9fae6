package pdfsign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"hash"
	"math/big"
	"strconv"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
)

// Algorithms: digests, public keys and signatures checked here.

var (
	oidSM3          = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 401}
	oidSM2Sign      = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 501} // SM2-with-SM3
	oidSM2Key       = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}
	oidSM2Sign1     = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301, 1} // GM/T 0010: sm2-1 used as a signature algorithm
	oidShake256     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 12}
	oidSHA3_256     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 8}
	oidSHA3_384     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 9}
	oidSHA3_512     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 10}
	oidEd25519      = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidEd448        = asn1.ObjectIdentifier{1, 3, 101, 113}
	oidMGF1         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECDSAPlain   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1} // BSI TR-03111 ecdsa-plain-signatures
	oidBrainpoolPfx = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1}
	oidSigAlgNIST   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3}
)

// maxRSABits bounds the RSA modulus checked (a hostile certificate could
// carry a modulus of millions of bits).
const maxRSABits = 16384

// digestAlg is a digest algorithm.
type digestAlg struct {
	name string
	new  func() hash.Hash
	ch   crypto.Hash // 0 when not a crypto.Hash (SM3, SHAKE256)
	weak bool
}

// digestFor maps a digest algorithm identifier.
func digestFor(oid asn1.ObjectIdentifier) (digestAlg, error) {
	switch {
	case oid.Equal(oidSHA256):
		return digestAlg{"SHA-256", sha256.New, crypto.SHA256, false}, nil
	case oid.Equal(oidSHA384):
		return digestAlg{"SHA-384", sha512.New384, crypto.SHA384, false}, nil
	case oid.Equal(oidSHA512):
		return digestAlg{"SHA-512", sha512.New, crypto.SHA512, false}, nil
	case oid.Equal(oidSHA224):
		return digestAlg{"SHA-224", sha256.New224, crypto.SHA224, false}, nil
	case oid.Equal(oidSHA3_256):
		return digestAlg{"SHA3-256", func() hash.Hash { return sha3.New256() }, crypto.SHA3_256, false}, nil
	case oid.Equal(oidSHA3_384):
		return digestAlg{"SHA3-384", func() hash.Hash { return sha3.New384() }, crypto.SHA3_384, false}, nil
	case oid.Equal(oidSHA3_512):
		return digestAlg{"SHA3-512", func() hash.Hash { return sha3.New512() }, crypto.SHA3_512, false}, nil
	case oid.Equal(oidShake256):
		return digestAlg{"SHAKE256", func() hash.Hash { return &shakeHash{sha3.NewSHAKE256()} }, 0, false}, nil
	case oid.Equal(oidSM3):
		return digestAlg{"SM3", sm3.New, 0, false}, nil
	case oid.Equal(oidSHA1):
		return digestAlg{"SHA-1", sha1.New, crypto.SHA1, true}, nil
	}
	return digestAlg{name: oid.String()}, errors.New("签名使用本程序不支持的摘要算法（" + oid.String() + "），无法验证")
}

// shakeHash is SHAKE256 with the 512-bit output CMS uses (RFC 8419).
type shakeHash struct{ *sha3.SHAKE }

func (s *shakeHash) Sum(b []byte) []byte {
	out := make([]byte, 64)
	c := *s.SHAKE // reading does not disturb the caller's state
	_, _ = c.Read(out)
	return append(b, out...)
}
func (s *shakeHash) Size() int { return 64 }

// publicKey is a signer's key: a Go key, or one of the kinds Go's x509
// does not know (brainpool, SM2).
type publicKey struct {
	key   any // *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey, ed448.PublicKey, *bpKey, *sm2Key
	kind  string
	curve string
}

type sm2Key struct{ pub *ecdsa.PublicKey }

// keyOf extracts the public key from a certificate, by Go's parse when it
// worked, else from the raw SubjectPublicKeyInfo.
func keyOf(c *certInfo) (publicKey, error) {
	p := &berParser{}
	spki, _, err := p.parse(c.spki, 0)
	if err != nil || len(spki.kids) != 2 {
		return publicKey{}, errors.New("证书中的公钥无法读取")
	}
	alg, ok := spki.kids[0].algorithm()
	if !ok {
		return publicKey{}, errors.New("证书中的公钥无法读取")
	}
	bits := c.keyBits
	switch {
	case alg.oid.Equal(oidECPublicKey):
		var curve asn1.ObjectIdentifier
		if alg.params != nil {
			curve, _ = alg.params.oid()
		}
		switch {
		case curve.Equal(oidSM2Key):
			k, err := sm2.NewPublicKey(bits)
			if err != nil {
				return publicKey{}, errors.New("证书中的 SM2 公钥无效")
			}
			return publicKey{key: &sm2Key{k}, kind: "SM2"}, nil
		case hasPrefix(curve, oidBrainpoolPfx):
			k, err := newBrainpoolKey(curve, bits)
			if err != nil {
				return publicKey{}, err
			}
			return publicKey{key: k, kind: "ECDSA", curve: k.c.name}, nil
		}
	case alg.oid.Equal(oidSM2Key):
		k, err := sm2.NewPublicKey(bits)
		if err != nil {
			return publicKey{}, errors.New("证书中的 SM2 公钥无效")
		}
		return publicKey{key: &sm2Key{k}, kind: "SM2"}, nil
	case alg.oid.Equal(oidRSA), alg.oid.Equal(oidRSAPSS):
		k, err := parseRSAKey(bits)
		if err != nil {
			return publicKey{}, err
		}
		return publicKey{key: k, kind: "RSA"}, nil
	case alg.oid.Equal(oidEd25519):
		if len(bits) != ed25519.PublicKeySize {
			return publicKey{}, errors.New("证书中的 Ed25519 公钥无效")
		}
		return publicKey{key: ed25519.PublicKey(bits), kind: "Ed25519"}, nil
	case alg.oid.Equal(oidEd448):
		if len(bits) != ed448.PublicKeySize {
			return publicKey{}, errors.New("证书中的 Ed448 公钥无效")
		}
		return publicKey{key: ed448.PublicKey(bits), kind: "Ed448"}, nil
	}
	k, err := x509.ParsePKIXPublicKey(c.spki)
	if err != nil {
		return publicKey{}, errors.New("签名人证书的公钥类型本程序不支持（" + alg.oid.String() + "），无法验证")
	}
	switch v := k.(type) {
	case *rsa.PublicKey:
		return publicKey{key: v, kind: "RSA"}, nil
	case *ecdsa.PublicKey:
		return publicKey{key: v, kind: "ECDSA", curve: v.Curve.Params().Name}, nil
	case ed25519.PublicKey:
		return publicKey{key: v, kind: "Ed25519"}, nil
	}
	return publicKey{}, errors.New("签名人证书的公钥类型本程序不支持，无法验证")
}

// parseRSAKey reads an RSAPublicKey leniently (a leading zero too many is
// tolerated, as many validators do).
func parseRSAKey(b []byte) (*rsa.PublicKey, error) {
	p := &berParser{}
	n, _, err := p.parse(b, 0)
	if err != nil || len(n.kids) != 2 || !n.kids[0].is(0, asn1.TagInteger) || !n.kids[1].is(0, asn1.TagInteger) {
		return nil, errors.New("证书中的 RSA 公钥无效")
	}
	mod := new(big.Int).SetBytes(n.kids[0].content)
	e := new(big.Int).SetBytes(n.kids[1].content)
	if mod.Sign() <= 0 || mod.BitLen() < 512 || !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<40 || e.Bit(0) == 0 {
		return nil, errors.New("证书中的 RSA 公钥无效或过短")
	}
	return &rsa.PublicKey{N: mod, E: int(e.Int64())}, nil
}

// verifyCMSSignature checks sig made by key over msg (the signed attributes,
// or with no signed attributes the content digest is given as digest).
// sigAlg is the SignerInfo's signature algorithm, dig its digest algorithm.
// msg is nil when only the digest is known. A non-empty unsupported says
// why the check cannot be made.
func verifyCMSSignature(pk publicKey, sigAlg algorithm, dig digestAlg, msg, digest, sig []byte) (ok bool, unsupported string) {
	oid := sigAlg.oid
	if digest == nil && msg != nil && dig.new != nil {
		h := dig.new()
		h.Write(msg)
		digest = h.Sum(nil)
	}
	// A hash named by the signature algorithm must be the digest
	// algorithm: a signature over another hash than the one the
	// messageDigest was made with is not a signature of this content.
	if named, ok := hashNamedBy(oid); ok && named != dig.ch {
		return false, "签名算法（" + oid.String() + "）的摘要算法与签名的摘要算法（" + dig.name + "）不一致，无法确认未被篡改"
	}
	switch k := pk.key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() > maxRSABits {
			return false, "签名人的 RSA 密钥长度异常（" + strconv.Itoa(k.N.BitLen()) + " 位），无法验证"
		}
		switch {
		case oid.Equal(oidRSAPSS):
			h, salt, err := pssParams(sigAlg.params)
			if err != nil {
				return false, err.Error()
			}
			if h != dig.ch {
				return false, "RSA-PSS 参数中的摘要算法与签名的摘要算法（" + dig.name + "）不一致，无法确认未被篡改"
			}
			if outsideGoRSA(k) {
				return verifyRawPSS(k, h, digest, sig, salt), ""
			}
			return rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: salt, Hash: h}) == nil, ""
		case oid.Equal(oidRSA), oid.Equal(oidSHA256RSA), oid.Equal(oidSHA384RSA), oid.Equal(oidSHA512RSA),
			oid.Equal(oidSHA224RSA), oid.Equal(oidSHA1WithRSA), hasPrefix(oid, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3}):
			if dig.ch == 0 {
				return false, "RSA 签名配合 " + dig.name + " 摘要，本程序不支持"
			}
			if outsideGoRSA(k) {
				return verifyShortRSA(k, dig.ch, digest, sig), ""
			}
			return rsa.VerifyPKCS1v15(k, dig.ch, digest, sig) == nil, ""
		}
	case *ecdsa.PublicKey:
		switch {
		case hasPrefix(oid, oidECDSAPlain):
			return verifyPlainECDSA(k, digest, sig), ""
		case oid.Equal(oidECPublicKey), oid.Equal(oidECDSASHA1), oid.Equal(oidECDSASHA256), oid.Equal(oidECDSASHA384),
			oid.Equal(oidECDSASHA512), oid.Equal(oidECDSASHA224), hasPrefix(oid, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3}):
			return ecdsa.VerifyASN1(k, digest, sig), ""
		}
	case *bpKey:
		switch {
		case hasPrefix(oid, oidECDSAPlain):
			if len(sig)%2 != 0 {
				return false, ""
			}
			r := new(big.Int).SetBytes(sig[:len(sig)/2])
			s := new(big.Int).SetBytes(sig[len(sig)/2:])
			return k.verify(digest, r, s), ""
		case oid.Equal(oidECPublicKey), oid.Equal(oidECDSASHA1), oid.Equal(oidECDSASHA256), oid.Equal(oidECDSASHA384),
			oid.Equal(oidECDSASHA512), oid.Equal(oidECDSASHA224):
			var rs struct{ R, S *big.Int }
			if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) != 0 {
				return false, ""
			}
			return k.verify(digest, rs.R, rs.S), ""
		}
	case ed25519.PublicKey:
		if oid.Equal(oidEd25519) {
			if msg == nil {
				return false, "Ed25519 签名没有签名属性，本程序不支持"
			}
			if dig.ch != crypto.SHA512 {
				// RFC 8419 section 3.1: with signed attributes, SHA-512.
				return false, "Ed25519 签名只能配合 SHA-512 摘要（RFC 8419），本签名用的是 " + dig.name + "，无法确认未被篡改"
			}
			return ed25519.Verify(k, msg, sig), ""
		}
	case ed448.PublicKey:
		if oid.Equal(oidEd448) {
			if msg == nil {
				return false, "Ed448 签名没有签名属性，本程序不支持"
			}
			if dig.name != "SHAKE256" {
				// RFC 8419 section 3.2: Ed448 with signed attributes
				// digests with SHAKE256 (512 bits).
				return false, "Ed448 签名只能配合 SHAKE256 摘要（RFC 8419），本签名用的是 " + dig.name + "，无法确认未被篡改"
			}
			return ed448.Verify(k, msg, sig, ""), ""
		}
	case *sm2Key:
		if oid.Equal(oidSM2Sign) || oid.Equal(oidSM2Sign1) || oid.Equal(oidECPublicKey) || oid.Equal(oidSM2Key) {
			if msg == nil {
				// No signed attributes: GM/T 0010 signs the content, which
				// is only available hashed here.
				return false, "国密签名没有签名属性，本程序不支持"
			}
			if oid.Equal(oidSM2Sign) && dig.name != "SM3" {
				// SM2-with-SM3 names its hash, as the RSA and ECDSA
				// algorithms do.
				return false, "签名算法 SM2-with-SM3 与签名的摘要算法（" + dig.name + "）不一致，无法确认未被篡改"
			}
			return sm2.VerifyASN1WithSM2(k.pub, nil, msg, sig), ""
		}
	}
	if hasPrefix(oid, asn1.ObjectIdentifier{1, 2, 156, 10197}) {
		return false, "签名声明使用国密算法（SM2），但签名人证书的公钥不是 SM2 公钥，无法验证，不能确认未被篡改"
	}
	return false, "签名使用本程序不支持的算法（" + oid.String() + "，" + pk.kind + "），无法验证"
}

func hashNamedBy(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidSHA256RSA), oid.Equal(oidECDSASHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA384RSA), oid.Equal(oidECDSASHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512RSA), oid.Equal(oidECDSASHA512):
		return crypto.SHA512, true
	case oid.Equal(oidSHA224RSA), oid.Equal(oidECDSASHA224):
		return crypto.SHA224, true
	case oid.Equal(oidSHA1WithRSA), oid.Equal(oidECDSASHA1):
		return crypto.SHA1, true
	case hasPrefix(oid, oidSigAlgNIST) && len(oid) == len(oidSigAlgNIST)+1:
		// NIST's signature algorithms (2.16.840.1.101.3.4.3): ECDSA
		// with SHA3 (9-12), RSA PKCS#1 v1.5 with SHA3 (13-16).
		switch oid[len(oid)-1] {
		case 9, 13:
			return crypto.SHA3_224, true
		case 10, 14:
			return crypto.SHA3_256, true
		case 11, 15:
			return crypto.SHA3_384, true
		case 12, 16:
			return crypto.SHA3_512, true
		case 1:
			return crypto.SHA224, true // DSA with SHA-224
		case 2:
			return crypto.SHA256, true // DSA with SHA-256
		}
	case hasPrefix(oid, oidECDSAPlain) && len(oid) == len(oidECDSAPlain)+1:
		switch oid[len(oid)-1] {
		case 1:
			return crypto.SHA1, true
		case 2:
			return crypto.SHA224, true
		case 3:
			return crypto.SHA256, true
		case 4:
			return crypto.SHA384, true
		case 5:
			return crypto.SHA512, true
		}
	}
	return 0, false
}

func verifyPlainECDSA(k *ecdsa.PublicKey, digest, sig []byte) bool {
	if len(sig) == 0 || len(sig)%2 != 0 {
		return false
	}
	r := new(big.Int).SetBytes(sig[:len(sig)/2])
	s := new(big.Int).SetBytes(sig[len(sig)/2:])
	return ecdsa.Verify(k, digest, r, s)
}

// pssParams reads RSASSA-PSS-params (RFC 4055): hash, MGF1 with the same
// hash, salt length (default SHA-1, 20).
func pssParams(p *node) (crypto.Hash, int, error) {
	h, salt := crypto.SHA1, 20
	if p == nil || p.is(0, asn1.TagNull) {
		return h, salt, nil
	}
	for _, k := range p.kids {
		switch {
		case k.is(2, 0) && len(k.kids) == 1:
			a, ok := k.kids[0].algorithm()
			if !ok {
				return 0, 0, errors.New("RSA-PSS 参数无法读取")
			}
			d, err := digestFor(a.oid)
			if err != nil || d.ch == 0 {
				return 0, 0, errors.New("RSA-PSS 使用本程序不支持的摘要算法")
			}
			h = d.ch
		case k.is(2, 1) && len(k.kids) == 1:
			a, ok := k.kids[0].algorithm()
			if !ok || !a.oid.Equal(oidMGF1) {
				return 0, 0, errors.New("RSA-PSS 使用本程序不支持的掩码函数")
			}
		case k.is(2, 2) && len(k.kids) == 1:
			v := new(big.Int).SetBytes(k.kids[0].content)
			if !v.IsInt64() || v.Int64() > 1024 {
				return 0, 0, errors.New("RSA-PSS 参数无效")
			}
			salt = int(v.Int64())
		}
	}
	return h, salt, nil
}

// checkCertSignature: child's signature verifies with parent's key.
func checkCertSignature(child, parent *certInfo) bool {
	if child.tbs == nil || child.signature == nil {
		return false
	}
	pk, err := keyOf(parent)
	if err != nil {
		return false
	}
	alg := child.sigAlg
	var dig digestAlg
	if h, ok := hashNamedBy(alg.oid); ok {
		dig, _ = digestFor(oidForHash(h))
	} else if alg.oid.Equal(oidSM2Sign) {
		dig, _ = digestFor(oidSM3)
	} else if alg.oid.Equal(oidRSAPSS) {
		h, _, err := pssParams(alg.params)
		if err != nil {
			return false
		}
		dig, _ = digestFor(oidForHash(h))
	}
	ok, unsupported := verifyCMSSignature(pk, alg, dig, child.tbs, nil, child.signature)
	return ok && unsupported == ""
}

func oidForHash(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.SHA256:
		return oidSHA256
	case crypto.SHA384:
		return oidSHA384
	case crypto.SHA512:
		return oidSHA512
	case crypto.SHA224:
		return oidSHA224
	case crypto.SHA1:
		return oidSHA1
	}
	return nil
}

// Brainpool curves (RFC 5639), which Go's library lacks: ECDSA verification
// with math/big (public data only, so constant time is not needed).
type bpCurve struct {
	name       string
	p, a, b, n *big.Int
	gx, gy     *big.Int
}

type bpKey struct {
	c    *bpCurve
	x, y *big.Int
}

func hexInt(s string) *big.Int {
	v, _ := new(big.Int).SetString(s, 16)
	return v
}

var brainpoolCurves = map[string]*bpCurve{
	"1.3.36.3.3.2.8.1.1.7": {
		name: "brainpoolP256r1",
		p:    hexInt("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377"),
		a:    hexInt("7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9"),
		b:    hexInt("26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6"),
		gx:   hexInt("8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262"),
		gy:   hexInt("547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997"),
		n:    hexInt("A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7"),
	},
	"1.3.36.3.3.2.8.1.1.11": {
		name: "brainpoolP384r1",
		p:    hexInt("8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53"),
		a:    hexInt("7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826"),
		b:    hexInt("04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11"),
		gx:   hexInt("1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E"),
		gy:   hexInt("8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315"),
		n:    hexInt("8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565"),
	},
	"1.3.36.3.3.2.8.1.1.13": {
		name: "brainpoolP512r1",
		p:    hexInt("AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3"),
		a:    hexInt("7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA"),
		b:    hexInt("3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723"),
		gx:   hexInt("81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822"),
		gy:   hexInt("7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892"),
		n:    hexInt("AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069"),
	},
}

func newBrainpoolKey(curve asn1.ObjectIdentifier, pt []byte) (*bpKey, error) {
	c := brainpoolCurves[curve.String()]
	if c == nil {
		return nil, errors.New("签名人证书使用本程序不支持的椭圆曲线（" + curve.String() + "）")
	}
	l := (c.p.BitLen() + 7) / 8
	if len(pt) != 1+2*l || pt[0] != 4 {
		return nil, errors.New("证书中的椭圆曲线公钥无效")
	}
	k := &bpKey{c: c, x: new(big.Int).SetBytes(pt[1 : 1+l]), y: new(big.Int).SetBytes(pt[1+l:])}
	if !c.onCurve(k.x, k.y) {
		return nil, errors.New("证书中的椭圆曲线公钥不在曲线上")
	}
	return k, nil
}

func (c *bpCurve) onCurve(x, y *big.Int) bool {
	if x.Sign() < 0 || x.Cmp(c.p) >= 0 || y.Sign() < 0 || y.Cmp(c.p) >= 0 {
		return false
	}
	l := new(big.Int).Mul(y, y)
	r := new(big.Int).Mul(x, x)
	r.Mul(r, x)
	r.Add(r, new(big.Int).Mul(c.a, x))
	r.Add(r, c.b)
	return l.Mod(l, c.p).Cmp(r.Mod(r, c.p)) == 0
}

// add returns P+Q in affine coordinates; nil stands for the point at infinity.
func (c *bpCurve) add(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
	if x1 == nil {
		return x2, y2
	}
	if x2 == nil {
		return x1, y1
	}
	p := c.p
	var lam *big.Int
	if x1.Cmp(x2) == 0 {
		if new(big.Int).Add(y1, y2).Mod(new(big.Int).Add(y1, y2), p).Sign() == 0 {
			return nil, nil
		}
		num := new(big.Int).Mul(x1, x1)
		num.Mul(num, big.NewInt(3)).Add(num, c.a)
		den := new(big.Int).Lsh(y1, 1)
		lam = num.Mul(num, den.ModInverse(den.Mod(den, p), p))
	} else {
		num := new(big.Int).Sub(y2, y1)
		den := new(big.Int).Sub(x2, x1)
		den.Mod(den, p)
		lam = num.Mul(num, den.ModInverse(den, p))
	}
	lam.Mod(lam, p)
	x3 := new(big.Int).Mul(lam, lam)
	x3.Sub(x3, x1).Sub(x3, x2).Mod(x3, p)
	y3 := new(big.Int).Sub(x1, x3)
	y3.Mul(y3, lam).Sub(y3, y1).Mod(y3, p)
	return x3, y3
}

// jacPoint is a point in Jacobian coordinates (X/Z², Y/Z³); Z = 0 is the
// point at infinity.
type jacPoint struct{ x, y, z *big.Int }

// double sets P to 2P (a general: brainpool's a is not -3):
// S = 4XY², M = 3X² + aZ⁴, X' = M² - 2S, Y' = M(S - X') - 8Y⁴, Z' = 2YZ.
func (c *bpCurve) double(P *jacPoint, t *[4]big.Int) {
	if P.z.Sign() == 0 || P.y.Sign() == 0 {
		P.z.SetInt64(0)
		return
	}
	p := c.p
	yy, s, m, x3 := &t[0], &t[1], &t[2], &t[3]
	yy.Mul(P.y, P.y).Mod(yy, p)
	s.Mul(P.x, yy).Lsh(s, 2).Mod(s, p)
	m.Mul(P.z, P.z).Mod(m, p)
	m.Mul(m, m).Mod(m, p).Mul(m, c.a)
	x3.Mul(P.x, P.x)
	m.Add(m, x3).Add(m, x3).Add(m, x3).Mod(m, p)
	P.z.Mul(P.y, P.z).Lsh(P.z, 1).Mod(P.z, p)
	x3.Mul(m, m).Sub(x3, s).Sub(x3, s).Mod(x3, p)
	yy.Mul(yy, yy).Lsh(yy, 3)
	P.y.Sub(s, x3).Mul(P.y, m).Sub(P.y, yy).Mod(P.y, p)
	P.x.Set(x3)
}

// addAffine sets P to P + (x, y), an affine point:
// H = xZ² - X, R = yZ³ - Y, X' = R² - H³ - 2XH², Y' = R(XH² - X') - YH³, Z' = ZH.
func (c *bpCurve) addAffine(P *jacPoint, x, y *big.Int, t *[4]big.Int) {
	if P.z.Sign() == 0 {
		P.x.Set(x)
		P.y.Set(y)
		P.z.SetInt64(1)
		return
	}
	p := c.p
	h, r, hh, hhh := &t[0], &t[1], &t[2], &t[3]
	hh.Mul(P.z, P.z).Mod(hh, p)
	h.Mul(x, hh).Sub(h, P.x).Mod(h, p)
	r.Mul(hh, P.z).Mod(r, p).Mul(r, y).Sub(r, P.y).Mod(r, p)
	if h.Sign() == 0 {
		if r.Sign() == 0 {
			c.double(P, t)
		} else {
			P.z.SetInt64(0)
		}
		return
	}
	hh.Mul(h, h).Mod(hh, p)
	hhh.Mul(hh, h).Mod(hhh, p)
	hh.Mul(hh, P.x).Mod(hh, p) // XH²
	P.z.Mul(P.z, h).Mod(P.z, p)
	P.x.Mul(r, r).Sub(P.x, hhh).Sub(P.x, hh).Sub(P.x, hh).Mod(P.x, p)
	P.y.Mul(P.y, hhh)
	hh.Sub(hh, P.x).Mul(hh, r).Sub(hh, P.y).Mod(hh, p)
	P.y.Set(hh)
}

// mulAdd returns u1·(x1, y1) + u2·(x2, y2) (nil for the point at infinity)
// with one chain of doublings for both (Shamir's trick), in Jacobian
// coordinates: one modular inverse at the end instead of one per step.
func (c *bpCurve) mulAdd(u1, x1, y1, u2, x2, y2 *big.Int) (*big.Int, *big.Int) {
	sx, sy := c.add(x1, y1, x2, y2)
	P := jacPoint{new(big.Int), new(big.Int), new(big.Int)}
	var t [4]big.Int
	for i := max(u1.BitLen(), u2.BitLen()) - 1; i >= 0; i-- {
		c.double(&P, &t)
		switch b1, b2 := u1.Bit(i), u2.Bit(i); {
		case b1 == 1 && b2 == 1:
			if sx != nil {
				c.addAffine(&P, sx, sy, &t)
			}
		case b1 == 1:
			c.addAffine(&P, x1, y1, &t)
		case b2 == 1:
			c.addAffine(&P, x2, y2, &t)
		}
	}
	if P.z.Sign() == 0 {
		return nil, nil
	}
	zi := new(big.Int).ModInverse(P.z, c.p)
	if zi == nil {
		return nil, nil
	}
	z2 := new(big.Int).Mul(zi, zi)
	z2.Mod(z2, c.p)
	x := new(big.Int).Mul(P.x, z2)
	z2.Mul(z2, zi)
	y := new(big.Int).Mul(P.y, z2)
	return x.Mod(x, c.p), y.Mod(y, c.p)
}

// verify is ECDSA verification (SEC 1, 4.1.4).
func (k *bpKey) verify(digest []byte, r, s *big.Int) bool {
	c := k.c
	if r == nil || s == nil || r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(c.n) >= 0 || s.Cmp(c.n) >= 0 {
		return false
	}
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - c.n.BitLen(); excess > 0 {
		e.Rsh(e, uint(excess))
	}
	w := new(big.Int).ModInverse(s, c.n)
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, c.n)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, c.n)
	x, _ := c.mulAdd(u1, c.gx, c.gy, u2, k.x, k.y)
	if x == nil {
		return false
	}
	return x.Mod(x, c.n).Cmp(r) == 0
}

// DigestInfo prefixes (RFC 8017 9.2 note 1).
var pkcs1Prefix = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA224: {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// outsideGoRSA: keys Go's crypto/rsa refuses although their signatures can
// be checked: shorter than 1024 bits (old certificates), or a public
// exponent above 2^31-1 (some CAs issue such keys).
func outsideGoRSA(k *rsa.PublicKey) bool { return k.N.BitLen() < 1024 || k.E > 1<<31-1 }

func rsaOpen(k *rsa.PublicKey, sig []byte) ([]byte, bool) {
	size := (k.N.BitLen() + 7) / 8
	s := new(big.Int).SetBytes(sig)
	if len(sig) != size || s.Cmp(k.N) >= 0 {
		return nil, false
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(k.E)), k.N)
	return m.FillBytes(make([]byte, size)), true
}

// verifyRawPSS is EMSA-PSS-VERIFY (RFC 8017 9.1.2) with MGF1 over h.
func verifyRawPSS(k *rsa.PublicKey, h crypto.Hash, mHash, sig []byte, sLen int) bool {
	em, ok := rsaOpen(k, sig)
	if !ok || !h.Available() {
		return false
	}
	emBits := k.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	em = em[len(em)-emLen:]
	hLen := h.Size()
	if len(mHash) != hLen || emLen < hLen+sLen+2 || em[emLen-1] != 0xbc {
		return false
	}
	db := append([]byte{}, em[:emLen-hLen-1]...)
	hh := em[emLen-hLen-1 : emLen-1]
	if x := 8*emLen - emBits; x > 0 && db[0]>>(8-x) != 0 {
		return false
	}
	// MGF1
	mask := make([]byte, 0, len(db))
	for c := uint32(0); len(mask) < len(db); c++ {
		d := h.New()
		d.Write(hh)
		d.Write([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
		mask = d.Sum(mask)
	}
	for i := range db {
		db[i] ^= mask[i]
	}
	db[0] &= 0xff >> (8*emLen - emBits)
	ps := len(db) - sLen - 1
	for _, b := range db[:ps] {
		if b != 0 {
			return false
		}
	}
	if db[ps] != 1 {
		return false
	}
	salt := db[len(db)-sLen:]
	d := h.New()
	d.Write(make([]byte, 8))
	d.Write(mHash)
	d.Write(salt)
	return subtle.ConstantTimeCompare(d.Sum(nil), hh) == 1
}

// verifyShortRSA checks a PKCS #1 v1.5 signature made with a key Go's
// library refuses (see outsideGoRSA).
func verifyShortRSA(k *rsa.PublicKey, h crypto.Hash, digest, sig []byte) bool {
	prefix, ok := pkcs1Prefix[h]
	size := (k.N.BitLen() + 7) / 8
	if !ok || size < len(prefix)+len(digest)+11 {
		return false
	}
	em, ok := rsaOpen(k, sig)
	if !ok {
		return false
	}
	want := make([]byte, size)
	want[1] = 1
	t := append(append([]byte{}, prefix...), digest...)
	for i := 2; i < size-len(t)-1; i++ {
		want[i] = 0xff
	}
	copy(want[size-len(t):], t)
	return subtle.ConstantTimeCompare(em, want) == 1
}
