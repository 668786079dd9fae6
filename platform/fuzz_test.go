package platform

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
)

var (
	fuzzKeyOnce sync.Once
	fuzzKey     *rsa.PrivateKey
)

func fuzzPrivateKey(t testing.TB) *rsa.PrivateKey {
	fuzzKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		fuzzKey = k
	})
	return fuzzKey
}

// FuzzOpen feeds the codec garbage params and well-formed params around
// mutated plaintexts: it must answer with an error, never panic.
func FuzzOpen(f *testing.F) {
	key := fuzzPrivateKey(f)
	f.Add("", []byte(`{"order_no":"1","sign":"X"}`))
	f.Add("AAAA", []byte(`{}`))
	f.Add("%2B%2F%3D", []byte(`{"a":[1,2,{"b":null}],"sign":1}`))
	f.Add("not base64 at all", []byte(`null`))
	f.Fuzz(func(t *testing.T, param string, plain []byte) {
		_, _, _ = Open("secret", key, param, nil)
		enc, err := EncryptParam(&key.PublicKey, plain)
		if err != nil {
			t.Fatal(err)
		}
		var msg ApplyClaim
		_, got, err := Open("secret", key, enc, &msg)
		if err == nil && string(got) != string(plain) {
			t.Fatalf("decrypted %q, sent %q", got, plain)
		}
	})
}
