package sandbox

import (
	"bytes"
	"crypto"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/digitorus/timestamp"
)

// The sandbox's TSA answers OpenSSL's own request (openssl ts -query), and
// OpenSSL verifies the token against the data and the certificate the
// sandbox publishes.
func TestTSAWithOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed (.ci/run installs it)")
	}
	s := New(Options{})
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	root := strings.TrimSuffix(base, APIPath)
	dir := t.TempDir()
	data := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(data, []byte("the signature value of a guarantee letter"), 0o600); err != nil {
		t.Fatal(err)
	}
	sh := func(name string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return out
	}
	sh("openssl", "ts", "-query", "-data", data, "-sha256", "-cert", "-out", "req.tsq")
	q, _ := os.ReadFile(filepath.Join(dir, "req.tsq"))
	resp, err := http.Post(root+TSAPath, "application/timestamp-query", bytes.NewReader(q))
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/timestamp-reply" {
		t.Fatalf("TSA answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := os.WriteFile(filepath.Join(dir, "resp.tsr"), reply, 0o600); err != nil {
		t.Fatal(err)
	}
	certResp, err := http.Get(root + TSAPath + ".pem")
	if err != nil {
		t.Fatal(err)
	}
	pem, _ := io.ReadAll(certResp.Body)
	certResp.Body.Close()
	if err := os.WriteFile(filepath.Join(dir, "tsa.pem"), pem, 0o600); err != nil {
		t.Fatal(err)
	}
	out := sh("openssl", "ts", "-verify", "-in", "resp.tsr", "-queryfile", "req.tsq", "-CAfile", "tsa.pem")
	if !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify: %s", out)
	}
	// Other data does not verify.
	if err := os.WriteFile(data, []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("openssl", "ts", "-verify", "-in", "resp.tsr", "-data", data, "-CAfile", "tsa.pem")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("openssl verified the token over other data: %s", b)
	}
}

// Requests the TSA cannot grant get a TimeStampResp that says so
// (RFC 3161 2.4.2), not a token.
func TestTSARefuses(t *testing.T) {
	s := New(Options{})
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	url := strings.TrimSuffix(base, APIPath) + TSAPath
	post := func(ct string, body []byte) (int, []byte) {
		resp, err := http.Post(url, ct, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	sha1Req, err := timestamp.CreateRequest(strings.NewReader("x"), &timestamp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"sha1": sha1Req, "garbage": []byte("not DER")} {
		code, b := post("application/timestamp-query", body)
		if code != 200 {
			t.Errorf("%s: HTTP %d", name, code)
		}
		if _, err := timestamp.ParseResponse(b); err == nil {
			t.Errorf("%s: a token was granted", name)
		}
	}
	if code, _ := post("text/plain", sha1Req); code != http.StatusUnsupportedMediaType {
		t.Errorf("wrong content type: HTTP %d", code)
	}
	if code, _ := post("application/timestamp-query", bytes.Repeat([]byte{0x30}, maxTSARequest+10)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized request: HTTP %d", code)
	}
}
