package platform

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The sign test vector of protocol.md (a real integration of the platform).
func TestSignVector(t *testing.T) {
	secret := "761f56b84529ec6c38192608d304cb05006da3aaf7c6793b74fea4f1f52b3e8a"
	plain := `{"block_name":"深施工（EPC）工程总承包（标段五）-(二次)-十二","block_number":"811111181616518699-012",
	"btc_id":223,"creditor":"谢谢谢谢有限公司","enter_institution_type":4,"guarantee_end_date":"2021-02-28",
	"method":"insurer_apply_guarantee_result","note":"","order_do_type":1,"order_no":"1813037628","price":240,
	"principal":"测试焕换一有限公司","real_pay":240,"status":1,"timestamp":"20201109162639"}`
	var f Fields
	if err := json.Unmarshal([]byte(plain), &f); err != nil {
		t.Fatal(err)
	}
	const want = "E92002AFB68021E901FD2255CC1D2A78"
	if got := Sign(secret, f, false); got != want {
		t.Fatalf("sign = %s, want %s", got, want)
	}
	// Numbers sent as strings sign the same.
	f["btc_id"] = json.RawMessage(`"223"`)
	if got := Sign(secret, f, false); got != want {
		t.Fatalf("sign with string btc_id = %s, want %s", got, want)
	}
	f["sign"] = json.RawMessage(`"` + strings.ToLower(want) + `"`)
	if !VerifySign(secret, f) {
		t.Fatal("VerifySign refused the vector (lower-case sign)")
	}
	f["sign"] = json.RawMessage(`"E92002AFB68021E901FD2255CC1D2A79"`)
	if VerifySign(secret, f) {
		t.Fatal("VerifySign accepted a wrong sign")
	}
}

// A sender that leaves empty fields out of its sign is accepted too.
func TestVerifySignTolerant(t *testing.T) {
	f := Fields{"a": json.RawMessage(`"1"`), "b": json.RawMessage(`""`), "c": json.RawMessage(`null`)}
	s := Sign("k", f, true)
	f["sign"], _ = json.Marshal(s)
	if !VerifySign("k", f) {
		t.Fatal("sign without empty fields refused")
	}
	delete(f, "sign")
	if VerifySign("k", f) {
		t.Fatal("missing sign accepted")
	}
}

func TestSealOpen(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	msg := PushGuaranteeRequest{
		Common:  Common{Method: MethodPushGuarantee, Timestamp: "20261127101010", BtcID: 123, EnterInstitutionType: 2},
		OrderNo: "1813037628", GuaranteeNo: "BH<&>001", Principal: "福州某建设有限公司",
	}
	param, err := Seal("secret", &key.PublicKey, msg)
	if err != nil {
		t.Fatal(err)
	}
	var got PushGuaranteeRequest
	f, plain, err := Open("secret", key, param, &got)
	if err != nil {
		t.Fatal(err)
	}
	if got != msg {
		t.Fatalf("round trip: %+v != %+v", got, msg)
	}
	if !bytes.Contains(plain, []byte(`"btc_id":123`)) || !bytes.Contains(plain, []byte("BH<&>001")) ||
		!bytes.Contains(plain, []byte("福州某建设有限公司")) {
		t.Fatalf("plaintext not as protocol.md says: %s", plain)
	}
	if FieldText(f["enter_institution_type"]) != "2" {
		t.Fatal("enter_institution_type lost")
	}
	if _, _, err := Open("other", key, param, nil); !errors.Is(err, ErrSign) {
		t.Fatalf("wrong secret: %v", err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	if _, _, err := Open("secret", other, param, nil); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("other key: %v", err)
	}
	if _, _, err := Open("secret", key, "!!!not base64!!!", nil); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("not base64: %v", err)
	}
	notJSON, _ := EncryptParam(&key.PublicKey, []byte("hello"))
	if _, _, err := Open("secret", key, notJSON, nil); !errors.Is(err, ErrJSON) {
		t.Fatalf("not JSON: %v", err)
	}
}

func TestRSARoundTrip(t *testing.T) {
	for _, bits := range []int{1024, 2048, 4096} {
		if testing.Short() && bits == 4096 {
			continue
		}
		key, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 1, 244, 245, 246, 10000} {
			plain := make([]byte, n)
			_, _ = rand.Read(plain)
			param, err := EncryptParam(&key.PublicKey, plain)
			if err != nil {
				t.Fatalf("%d bits, %d bytes: %v", bits, n, err)
			}
			raw, _ := base64.StdEncoding.DecodeString(param)
			blocks := max(1, (n+key.Size()-12)/(key.Size()-11))
			if len(raw) != blocks*key.Size() {
				t.Fatalf("%d bits, %d bytes: %d cipher bytes, want %d blocks", bits, n, len(raw), blocks)
			}
			// Accept line breaks and URL escaping as protocol.md says.
			variants := []string{param, wrap(param, 64), strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(param)}
			for _, v := range variants {
				got, err := DecryptParam(key, v)
				if err != nil || !bytes.Equal(got, plain) {
					t.Fatalf("%d bits, %d bytes: round trip failed: %v", bits, n, err)
				}
			}
		}
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\r\n")
		s = s[n:]
	}
	return b.String() + s
}

// Interoperability with openssl, the platform's own tool (its PHP utilities
// call openssl_public_encrypt).
func TestOpenSSLInterop(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: interop with an independent RSA implementation not checked")
	}
	dir := t.TempDir()
	privPEM, pubPEM, key, err := GenerateKeyPair(2048)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sk.pem"), privPEM)
	writeFile(t, filepath.Join(dir, "pk.pem"), pubPEM)
	plain := []byte(`{"order_no":"1813037628","principal":"福州某建设有限公司"}`)
	writeFile(t, filepath.Join(dir, "plain"), plain)

	// openssl encrypts one block, we decrypt.
	out, err := exec.Command(openssl, "pkeyutl", "-encrypt", "-pubin", "-inkey", filepath.Join(dir, "pk.pem"),
		"-pkeyopt", "rsa_padding_mode:pkcs1", "-in", filepath.Join(dir, "plain")).Output()
	if err != nil {
		t.Fatalf("openssl encrypt: %v", err)
	}
	got, err := DecryptParam(key, base64.StdEncoding.EncodeToString(out))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("decrypting openssl's block: %v %q", err, got)
	}

	// We encrypt, openssl decrypts.
	param, err := EncryptParam(&key.PublicKey, plain)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(param)
	writeFile(t, filepath.Join(dir, "cipher"), raw)
	dec, err := exec.Command(openssl, "pkeyutl", "-decrypt", "-inkey", filepath.Join(dir, "sk.pem"),
		"-pkeyopt", "rsa_padding_mode:pkcs1", "-in", filepath.Join(dir, "cipher")).Output()
	if err != nil {
		t.Fatalf("openssl decrypt: %v", err)
	}
	if !bytes.Equal(dec, plain) {
		t.Fatalf("openssl decrypted %q", dec)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestParseKeys(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p1 := x509.MarshalPKCS1PrivateKey(key)
	p8, _ := x509.MarshalPKCS8PrivateKey(key)
	pkix, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pk1 := x509.MarshalPKCS1PublicKey(&key.PublicKey)
	privs := [][]byte{
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: p1}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		[]byte(base64.StdEncoding.EncodeToString(p8)),
		[]byte(base64.StdEncoding.EncodeToString(p1)),
	}
	for i, p := range privs {
		k, err := ParsePrivateKey(p)
		if err != nil || !k.Equal(key) {
			t.Fatalf("private form %d: %v", i, err)
		}
	}
	pubs := [][]byte{
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pk1}),
		[]byte(base64.StdEncoding.EncodeToString(pkix)),
	}
	for i, p := range pubs {
		k, err := ParsePublicKey(p)
		if err != nil || !k.Equal(&key.PublicKey) {
			t.Fatalf("public form %d: %v", i, err)
		}
	}
	if _, err := ParsePrivateKey([]byte("garbage")); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestTimestamps(t *testing.T) {
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	if got := Timestamp(at); got != "20261127100000" {
		t.Fatalf("Timestamp = %s", got)
	}
	for _, s := range []string{"20261127100000", "202611271000"} {
		tt, err := ParseTimestamp(s)
		if err != nil || !tt.Equal(at) {
			t.Fatalf("ParseTimestamp(%s) = %v %v", s, tt, err)
		}
	}
	now := at
	if err := CheckTimestamp(Timestamp(now.Add(-23*time.Hour)), now); err != nil {
		t.Fatal(err)
	}
	if err := CheckTimestamp(Timestamp(now.Add(-25*time.Hour)), now); err == nil {
		t.Fatal("stale timestamp accepted")
	}
	if err := CheckTimestamp(Timestamp(now.Add(11*time.Minute)), now); err == nil {
		t.Fatal("future timestamp accepted")
	}
	if _, err := ParseTimestamp("2026-11-27"); err == nil {
		t.Fatal("bad timestamp accepted")
	}
}

func TestLenientTypes(t *testing.T) {
	var r PushResult
	if err := Decode([]byte(`{"serial_num":806097210890174123}`), &r); err != nil || r.SerialNum != "806097210890174123" {
		t.Fatalf("serial from number: %q %v", r.SerialNum, err)
	}
	var o OrderInfo
	if err := Decode([]byte(`{"ktype":2,"creditor_name":null,"valid_day":"15","order_amount":12.5}`), &o); err != nil {
		t.Fatal(err)
	}
	if o.Ktype != "2" || o.CreditorName != "" || o.OrderAmount != "12.5" {
		t.Fatalf("lenient decode: %+v", o)
	}
	var tok TokenData
	if err := Decode([]byte(`{"access_token":"x","expired_at":"1764208800"}`), &tok); err != nil || tok.ExpiredAt != 1764208800 {
		t.Fatalf("int from string: %v %v", tok.ExpiredAt, err)
	}
}
