package platform

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"path/filepath"
	"strings"
)

// ParsePrivateKey reads an RSA private key from PEM (PKCS#1 or PKCS#8) or
// from bare base64 DER, as the platform's account e-mail gives it.
func ParsePrivateKey(text []byte) (*rsa.PrivateKey, error) {
	der, err := keyDER(text)
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("不是 PKCS#1 或 PKCS#8 格式的 RSA 私钥")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("不是 RSA 私钥")
	}
	return rk, nil
}

// ParsePublicKey reads an RSA public key from PEM (PKIX or PKCS#1), a
// certificate, or bare base64 DER.
func ParsePublicKey(text []byte) (*rsa.PublicKey, error) {
	der, err := keyDER(text)
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, errors.New("不是 RSA 公钥")
		}
		return rk, nil
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	if c, err := x509.ParseCertificate(der); err == nil {
		if rk, ok := c.PublicKey.(*rsa.PublicKey); ok {
			return rk, nil
		}
	}
	return nil, errors.New("不是 PKIX 或 PKCS#1 格式的 RSA 公钥")
}

func keyDER(text []byte) ([]byte, error) {
	s := strings.TrimSpace(string(text))
	if s == "" {
		return nil, errors.New("密钥为空")
	}
	if strings.HasPrefix(s, "-----BEGIN") {
		block, _ := pem.Decode([]byte(s))
		if block == nil {
			return nil, errors.New("PEM 内容无法读取")
		}
		if strings.Contains(block.Type, "ENCRYPTED") || block.Headers["Proc-Type"] != "" {
			return nil, errors.New("PEM 私钥带密码加密，请提供未加密的私钥")
		}
		return block.Bytes, nil
	}
	der, err := DecodeBase64(s)
	if err != nil {
		return nil, errors.New("既不是 PEM 也不是 base64 文本")
	}
	return der, nil
}

// KeyText returns the key text a config value stands for: the content of
// the file it names (relative to baseDir) or, when the value looks like bare
// base64 DER, the value itself. isFile tells which.
func KeyText(value, baseDir string) (text []byte, path string, err error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil, "", errors.New("empty")
	}
	if looksLikeBareKey(v) {
		return []byte(v), "", nil
	}
	path = v
	if !filepath.IsAbs(path) {
		path = filepath.Join(baseDir, path)
	}
	b, err := ReadLimited(path, maxKeyFile)
	if err != nil {
		return nil, path, err
	}
	return b, path, nil
}

// looksLikeBareKey: long, base64 alphabet only, no path separators that a
// file name would have besides '/' (which base64 also has), no dot.
func looksLikeBareKey(v string) bool {
	if strings.HasPrefix(v, "-----BEGIN") {
		return true
	}
	if len(v) < 100 || strings.Contains(v, ".") {
		return false
	}
	for _, r := range v {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9',
			r == '+', r == '/', r == '=', r == '\n', r == '\r', r == ' ':
		default:
			return false
		}
	}
	return true
}

// GenerateKeyPair makes an RSA key of bits and returns PKCS#8 and PKIX PEM.
func GenerateKeyPair(bits int) (privPEM, pubPEM []byte, key *rsa.PrivateKey, err error) {
	key, err = rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, nil, nil, err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, nil, err
	}
	privPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})
	pubPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	return privPEM, pubPEM, key, nil
}
