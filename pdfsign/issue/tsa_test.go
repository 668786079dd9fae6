package issue

import (
	"bytes"
	"context"
	"crypto"
	"encoding/asn1"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/digitorus/timestamp"
)

// opensslTSA is a time-stamp authority made of OpenSSL's `ts -reply`
// behind an HTTP server: a TSA this package did not write.
type opensslTSA struct {
	URL  string
	Cert string // the TSA certificate, PEM
	dir  string
}

func startOpenSSLTSA(t *testing.T) *opensslTSA {
	t.Helper()
	needTool(t, "openssl")
	dir := t.TempDir()
	cnf := `[req]
distinguished_name = dn
[dn]
[tsa_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = ` + filepath.Join(dir, "serial") + `
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
`
	if err := os.WriteFile(filepath.Join(dir, "ts.cnf"), []byte(cnf), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tsa.key",
		"-subj", "/CN=OpenSSL test TSA", "-days", "30", "-config", "ts.cnf", "-extensions", "tsa_ext", "-out", "tsa.pem")
	ts := &opensslTSA{Cert: filepath.Join(dir, "tsa.pem"), dir: dir}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		cmd := exec.Command("openssl", "ts", "-reply", "-config", "ts.cnf", "-section", "tsa_config", "-queryfile", "/dev/stdin",
			"-signer", "tsa.pem", "-inkey", "tsa.key", "-out", "/dev/stdout")
		cmd.Dir = dir
		cmd.Stdin = bytes.NewReader(q)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			http.Error(w, errb.String(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write(out.Bytes())
	}))
	t.Cleanup(srv.Close)
	ts.URL = srv.URL
	return ts
}

// verifyToken checks a time-stamp token with `openssl ts -verify` against
// the data it should stamp (the signature value).
func verifyToken(t *testing.T, token, stamped []byte, tsaCert string) {
	t.Helper()
	dir := t.TempDir()
	tok, data := filepath.Join(dir, "token.der"), filepath.Join(dir, "data.bin")
	if err := os.WriteFile(tok, token, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(data, stamped, 0o600); err != nil {
		t.Fatal(err)
	}
	out := run(t, dir, "openssl", "ts", "-verify", "-token_in", "-in", tok, "-data", data, "-CAfile", tsaCert)
	if !strings.Contains(out, "Verification: OK") {
		t.Errorf("openssl ts -verify: %s", out)
	}
}

func TestTSAClientAgainstOpenSSL(t *testing.T) {
	tsa := startOpenSSLTSA(t)
	sig := []byte("a signature value")
	token, err := (&TSAClient{URL: tsa.URL}).Timestamp(context.Background(), sig)
	if err != nil {
		t.Fatal(err)
	}
	verifyToken(t, token, sig, tsa.Cert)
	// A policy the TSA does not have is refused by it, and we say so.
	if _, err := (&TSAClient{URL: tsa.URL, Policy: asn1.ObjectIdentifier{1, 2, 9}}).Timestamp(context.Background(), sig); err == nil {
		t.Error("a refused request gave a token")
	}
	if _, err := (&TSAClient{URL: "ftp://x"}).Timestamp(context.Background(), sig); err == nil {
		t.Error("an ftp URL was used")
	}
}

func TestTSAClientRefusesOtherHash(t *testing.T) {
	// A TSA that stamps something else than asked (here: a replayed reply
	// to another request) is caught.
	tsa := startOpenSSLTSA(t)
	first, err := http.Post(tsa.URL, "application/timestamp-query", bytes.NewReader(mustRequest(t, []byte("other"))))
	if err != nil {
		t.Fatal(err)
	}
	replay, _ := io.ReadAll(first.Body)
	first.Body.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(replay) }))
	defer srv.Close()
	if _, err := (&TSAClient{URL: srv.URL}).Timestamp(context.Background(), []byte("mine")); err == nil || !strings.Contains(err.Error(), "不是为这个签名") {
		t.Errorf("replayed token: %v", err)
	}
}

func mustRequest(t *testing.T, data []byte) []byte {
	t.Helper()
	b, err := timestamp.CreateRequest(bytes.NewReader(data), &timestamp.RequestOptions{Hash: crypto.SHA256, Certificates: true})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
