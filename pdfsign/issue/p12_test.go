package issue

import (
	"crypto/sha1"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestLoadPKCS12(t *testing.T) {
	for _, kind := range []string{"rsa", "rsa-legacy", "sm2"} {
		t.Run(kind, func(t *testing.T) {
			id := makeIdentity(t, kind)
			data, err := os.ReadFile(id.P12)
			if err != nil {
				t.Fatal(err)
			}
			c, err := LoadPKCS12(data, testPassword)
			if err != nil {
				if kind == "rsa-legacy" && strings.Contains(err.Error(), "unsupported") {
					t.Skipf("this OpenSSL cannot write -legacy files: %v", err)
				}
				t.Fatal(err)
			}
			if c.Leaf.Subject.CommonName != testFirm {
				t.Errorf("leaf CN = %q", c.Leaf.Subject.CommonName)
			}
			if len(c.Chain) != 1 || c.Chain[0].Subject.CommonName == testFirm {
				t.Errorf("chain = %d certificates, want the CA", len(c.Chain))
			}
			if got, want := c.SM2(), kind == "sm2"; got != want {
				t.Errorf("SM2() = %v (%s)", got, c.Algorithm())
			}
			if _, err := LoadPKCS12(data, testPassword+"x"); !errors.Is(err, ErrPassword) {
				t.Errorf("wrong password: %v, want ErrPassword", err)
			}
			if _, err := LoadPKCS12(data[:len(data)/2], testPassword); err == nil {
				t.Error("a truncated file was read")
			}
		})
	}
}

// RFC 7292's derivation against a value computed with OpenSSL's
// PKCS12_key_gen_uni (openssl pkcs12 -info prints the MAC it checks with
// it; here a known vector from the Go x/crypto/pkcs12 tests: SHA-1, ID 1,
// password "sesame", salt 0xc7 0x3f ..., 2048 iterations).
func TestPKCS12KDF(t *testing.T) {
	// x/crypto/pkcs12 pbkdf_test.go: TestThatPBKDFWorksCorrectlyForLongKeys.
	pw := bmpPassword("sesame")
	salt := []byte("\xff\xff\xff\xff\xff\xff\xff\xff")
	got := pkcs12KDF(sha1.New, 1, pw, salt, 2048, 24)
	want := []byte("\x7c\xd9\xfd\x3e\x2b\x3b\xe7\x69\x1a\x44\xe3\xbe\xf0\xf9\xea\x0f\xb9\xb8\x97\xd4\xe3\x25\xd9\xd1")
	if string(got) != string(want) {
		t.Errorf("key = %x, want %x", got, want)
	}
}
