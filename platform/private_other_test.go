//go:build !windows

package platform

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOthersCanRead: group or other bits open a secret file; the fix is
// chmod 600 (Windows reads the access list instead: private_windows.go).
func TestOthersCanRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "rsa_sk.pem")
	if err := os.WriteFile(p, []byte("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	if open, how := OthersCanRead(p); open || how != "权限 600" {
		t.Errorf("0600: %v %q", open, how)
	}
	for _, m := range []os.FileMode{0o640, 0o604, 0o644} {
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
		if open, _ := OthersCanRead(p); !open {
			t.Errorf("%o: not open", m)
		}
	}
	if fix := PrivateFix(p); fix != "chmod 600 "+p {
		t.Errorf("fix %q", fix)
	}
}
