package issue

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"unicode/utf16"

	"github.com/emmansun/gmsm/pkcs"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"
	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

// Certificate is the firm's signing identity from its PKCS#12 file: the
// private key, the certificate it belongs to, and the chain up to (not
// necessarily including) the root. The password that opened it is never
// kept.
type Certificate struct {
	Key   crypto.Signer
	Leaf  *smx509.Certificate
	Chain []*smx509.Certificate // issuers, nearest first
}

// SM2 tells whether the key is an SM2 (国密) key.
func (c *Certificate) SM2() bool {
	pub, ok := c.Key.Public().(*ecdsa.PublicKey)
	return ok && pub.Curve == sm2.P256()
}

// Algorithm names the key for the clerk: "RSA 2048", "SM2", "ECDSA P-256".
func (c *Certificate) Algorithm() string {
	switch k := c.Key.Public().(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		if k.Curve == sm2.P256() {
			return "SM2"
		}
		return "ECDSA " + k.Curve.Params().Name
	}
	return fmt.Sprintf("%T", c.Key.Public())
}

// ErrPassword is a PKCS#12 file whose password is wrong.
var ErrPassword = errors.New("证书密码不正确")

// MaxPKCS12 bounds the certificate file read.
const MaxPKCS12 = 1 << 20

// LoadPKCS12 opens a PKCS#12 (.p12/.pfx) file with its password. RSA and
// ECDSA files of every usual encryption (the legacy RC2/3DES of Windows and
// OpenSSL 1.x, AES with PBKDF2) are read by software.sslmate.com/src/go-pkcs12;
// an SM2 file, which that library cannot parse, by readSM2PKCS12 (PBES2 with
// AES or SM4, as OpenSSL 3 and the Chinese tools write them). The chain is
// ordered from the leaf's issuer up.
func LoadPKCS12(data []byte, password string) (*Certificate, error) {
	if len(data) > MaxPKCS12 {
		return nil, fmt.Errorf("证书文件超过 %d 字节，不是 PKCS#12 证书", MaxPKCS12)
	}
	key, leaf, cas, err := gopkcs12.DecodeChain(data, password)
	if err == nil {
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("证书文件中的私钥类型 %T 不能签名", key)
		}
		c := &Certificate{Key: signer}
		if c.Leaf, err = smx509.ParseCertificate(leaf.Raw); err != nil {
			return nil, fmt.Errorf("证书无法解析：%v", err)
		}
		for _, ca := range cas {
			p, err := smx509.ParseCertificate(ca.Raw)
			if err != nil {
				return nil, fmt.Errorf("证书链中的证书无法解析：%v", err)
			}
			c.Chain = append(c.Chain, p)
		}
		return c.ordered()
	}
	if errors.Is(err, gopkcs12.ErrIncorrectPassword) {
		return nil, ErrPassword
	}
	c, err2 := readSM2PKCS12(data, password)
	if err2 == nil {
		return c.ordered()
	}
	if errors.Is(err2, ErrPassword) {
		return nil, ErrPassword
	}
	return nil, fmt.Errorf("证书文件无法读取（%v；国密解析：%v）", err, err2)
}

// ordered checks that the key belongs to the leaf and orders the chain
// from the leaf's issuer up, dropping certificates that are not on it.
func (c *Certificate) ordered() (*Certificate, error) {
	if !publicKeysEqual(c.Key.Public(), c.Leaf.PublicKey) {
		return nil, errors.New("证书文件中的私钥与证书不是一对")
	}
	var chain []*smx509.Certificate
	cur := c.Leaf
	pool := append([]*smx509.Certificate(nil), c.Chain...)
	for len(pool) > 0 && !bytes.Equal(cur.RawIssuer, cur.RawSubject) {
		found := -1
		for i, p := range pool {
			if bytes.Equal(cur.RawIssuer, p.RawSubject) && cur.CheckSignatureFrom(p) == nil {
				found = i
				break
			}
		}
		if found < 0 {
			break
		}
		cur = pool[found]
		chain = append(chain, cur)
		pool = append(pool[:found], pool[found+1:]...)
	}
	c.Chain = chain
	return c, nil
}

func publicKeysEqual(a, b any) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if e, ok := a.(equaler); ok {
		return e.Equal(b)
	}
	return false
}

// --- SM2 PKCS#12 (RFC 7292) ---

var (
	oidDataContent      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidKeyBag           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Certificate  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidSHA1             = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256           = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSM3              = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 401}
	errNotPKCS12        = errors.New("不是 PKCS#12 文件")
	errUnsupportedCrypt = errors.New("加密方式不受支持（国密证书只支持 PBES2：PBKDF2 加 AES 或 SM4）")
)

type pfxPDU struct {
	Version  int
	AuthSafe contentInfo
	MacData  macData `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type macData struct {
	Mac        digestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type encryptedData struct {
	Version              int
	EncryptedContentInfo encryptedContentInfo
}

type encryptedContentInfo struct {
	ContentType                asn1.ObjectIdentifier
	ContentEncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedContent           []byte `asn1:"tag:0,optional"`
}

type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue     `asn1:"tag:0,explicit"`
	Attributes []pkcs12Attribute `asn1:"set,optional"`
}

type pkcs12Attribute struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

type certBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

// readSM2PKCS12 reads a DER PKCS#12 file whose key or certificates the Go
// standard library cannot parse (SM2). It verifies the MAC (HMAC with
// SHA-1, SHA-256 or SM3 and the PKCS#12 key derivation), decrypts PBES2
// content, and returns the key with the certificate whose public key
// matches it.
func readSM2PKCS12(data []byte, password string) (*Certificate, error) {
	var pfx pfxPDU
	rest, err := asn1.Unmarshal(data, &pfx)
	if err != nil || len(rest) > 0 || pfx.Version != 3 || !pfx.AuthSafe.ContentType.Equal(oidDataContent) {
		return nil, errNotPKCS12
	}
	var authSafe []byte
	if _, err := asn1.Unmarshal(pfx.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return nil, errNotPKCS12
	}
	if len(pfx.MacData.Mac.Digest) > 0 {
		if err := verifyMAC(pfx.MacData, authSafe, password); err != nil {
			return nil, err
		}
	}
	var infos []contentInfo
	if _, err := asn1.Unmarshal(authSafe, &infos); err != nil {
		return nil, errNotPKCS12
	}
	var keys []crypto.Signer
	var certs []*smx509.Certificate
	for _, ci := range infos {
		var contents []byte
		switch {
		case ci.ContentType.Equal(oidDataContent):
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &contents); err != nil {
				return nil, errNotPKCS12
			}
		case ci.ContentType.Equal(oidEncryptedData):
			var ed encryptedData
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &ed); err != nil {
				return nil, errNotPKCS12
			}
			contents, err = pbes2Decrypt(ed.EncryptedContentInfo.ContentEncryptionAlgorithm, ed.EncryptedContentInfo.EncryptedContent, password)
			if err != nil {
				return nil, err
			}
		default:
			continue // public-key encrypted content: not for a password file
		}
		var bags []safeBag
		if _, err := asn1.Unmarshal(contents, &bags); err != nil {
			return nil, errNotPKCS12
		}
		for _, bag := range bags {
			switch {
			case bag.ID.Equal(oidCertBag):
				var cb certBag
				if _, err := asn1.Unmarshal(bag.Value.Bytes, &cb); err != nil || !cb.ID.Equal(oidX509Certificate) {
					continue
				}
				c, err := smx509.ParseCertificate(cb.Data)
				if err != nil {
					return nil, fmt.Errorf("证书无法解析：%v", err)
				}
				certs = append(certs, c)
			case bag.ID.Equal(oidShroudedKeyBag), bag.ID.Equal(oidKeyBag):
				der := bag.Value.Bytes
				if bag.ID.Equal(oidShroudedKeyBag) {
					var epki encryptedPrivateKeyInfo
					if _, err := asn1.Unmarshal(der, &epki); err != nil {
						return nil, errNotPKCS12
					}
					if der, err = pbes2Decrypt(epki.Algorithm, epki.EncryptedData, password); err != nil {
						return nil, err
					}
				}
				k, err := smx509.ParsePKCS8PrivateKey(der)
				if err != nil {
					return nil, fmt.Errorf("私钥无法解析：%v", err)
				}
				s, ok := k.(crypto.Signer)
				if !ok {
					return nil, fmt.Errorf("私钥类型 %T 不能签名", k)
				}
				keys = append(keys, s)
			}
		}
	}
	if len(keys) != 1 {
		return nil, fmt.Errorf("证书文件中有 %d 个私钥，应当正好一个", len(keys))
	}
	c := &Certificate{Key: keys[0]}
	for _, cert := range certs {
		if c.Leaf == nil && publicKeysEqual(c.Key.Public(), cert.PublicKey) {
			c.Leaf = cert
		} else {
			c.Chain = append(c.Chain, cert)
		}
	}
	if c.Leaf == nil {
		return nil, errors.New("证书文件中没有与私钥对应的证书")
	}
	return c, nil
}

func pbes2Decrypt(alg pkix.AlgorithmIdentifier, ciphertext []byte, password string) ([]byte, error) {
	if !pkcs.IsPBES2(alg) && !pkcs.IsSMPBES(alg) {
		return nil, errUnsupportedCrypt
	}
	var params pkcs.PBES2Params
	if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &params); err != nil {
		return nil, errUnsupportedCrypt
	}
	// PBES2 inside PKCS#12 takes the password as its UTF-8 bytes (RFC 7292
	// appendix B.1 names BMPString only for the PKCS#12 derivation).
	plain, _, err := params.Decrypt([]byte(password), ciphertext)
	if err != nil {
		if errors.Is(err, pkcs.ErrPBEDecryption) {
			return nil, ErrPassword
		}
		return nil, errUnsupportedCrypt
	}
	return plain, nil
}

func verifyMAC(md macData, content []byte, password string) error {
	var newHash func() hash.Hash
	switch alg := md.Mac.Algorithm.Algorithm; {
	case alg.Equal(oidSHA1):
		newHash = sha1.New
	case alg.Equal(oidSHA256):
		newHash = sha256.New
	case alg.Equal(oidSM3):
		newHash = sm3.New
	default:
		return fmt.Errorf("证书文件的完整性校验算法 %v 不受支持", alg)
	}
	if md.Iterations < 1 || md.Iterations > 10_000_000 {
		return errNotPKCS12
	}
	key := pkcs12KDF(newHash, 3, bmpPassword(password), md.MacSalt, md.Iterations, newHash().Size())
	mac := hmac.New(newHash, key)
	mac.Write(content)
	if !hmac.Equal(mac.Sum(nil), md.Mac.Digest) {
		return ErrPassword
	}
	return nil
}

// bmpPassword is the password as a BMPString with two zero bytes at the
// end (RFC 7292 appendix B.1).
func bmpPassword(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u)+2)
	for _, r := range u {
		b = append(b, byte(r>>8), byte(r))
	}
	return append(b, 0, 0)
}

// pkcs12KDF is the key derivation of RFC 7292 appendix B.2.
func pkcs12KDF(newHash func() hash.Hash, id byte, password, salt []byte, iterations, size int) []byte {
	h := newHash()
	u, v := h.Size(), h.BlockSize()
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		n := v * ((len(b) + v - 1) / v)
		out := make([]byte, n)
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	D := bytes.Repeat([]byte{id}, v)
	I := append(fill(salt), fill(password)...)
	var out []byte
	one := big.NewInt(1)
	for len(out) < size {
		h.Reset()
		h.Write(D)
		h.Write(I)
		A := h.Sum(nil)
		for i := 1; i < iterations; i++ {
			h.Reset()
			h.Write(A)
			A = h.Sum(A[:0])
		}
		out = append(out, A...)
		if len(out) >= size {
			break
		}
		B := new(big.Int).SetBytes(fill(A[:u]))
		B.Add(B, one)
		mod := new(big.Int).Lsh(one, uint(8*v))
		for j := 0; j < len(I); j += v {
			Ij := new(big.Int).SetBytes(I[j : j+v])
			Ij.Add(Ij, B).Mod(Ij, mod)
			b := Ij.Bytes()
			blk := I[j : j+v]
			clear(blk)
			copy(blk[v-len(b):], b)
		}
	}
	return out[:size]
}
