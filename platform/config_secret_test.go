package platform

import (
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A private key pasted into the config as bare text with a stray
// character is taken for a file name; the error must not echo it.
func TestKeyValueNeverEchoed(t *testing.T) {
	path, dir := writeConfig(t, goodConfig)
	pemText, err := os.ReadFile(filepath.Join(dir, "keys", "sk.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemText)
	bare := base64.StdEncoding.EncodeToString(block.Bytes)
	for _, broken := range []string{
		bare[:200] + "\t" + bare[200:],     // a tab from the e-mail
		strings.ReplaceAll(bare, "+", "-"), // URL-safe alphabet
		bare[:300] + "!",
	} {
		cfg := strings.Replace(goodConfig, `private_key = "keys/sk.pem"`, `private_key = "`+strings.ReplaceAll(broken, "\t", `\t`)+`"`, 1)
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadConfig(path)
		if err == nil {
			t.Fatal("a broken key was accepted")
		}
		msg := err.Error()
		if !strings.Contains(msg, "platform.private_key") || !strings.Contains(msg, path) {
			t.Errorf("error does not name the key and file: %s", msg)
		}
		for _, secret := range []string{bare, broken} {
			for i := 0; i+32 <= len(secret); i += 16 {
				if strings.Contains(msg, secret[i:i+32]) {
					t.Fatalf("error echoes the private key: %s", msg)
				}
			}
		}
	}
	// A plain missing file is still named.
	cfg := strings.Replace(goodConfig, "keys/sk.pem", "keys/missing.pem", 1)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Fatalf("missing key file not named: %v", err)
	}
}
