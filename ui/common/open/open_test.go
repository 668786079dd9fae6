package open

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var pdfHead = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

// TestFile: File hands a safe file to the opener and keeps an unsafe one
// from it, with the message the clerk sees.
func TestFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var opened []string
	fake := OpenerFunc(func(p string) error { opened = append(opened, p); return nil })

	good := write("3f2a-保函.pdf", append(pdfHead, make([]byte, 2000)...))
	if err := File(fake, good); err != nil || len(opened) != 1 || opened[0] != good {
		t.Fatalf("safe file: %v, opened %q", err, opened)
	}
	tiny := write("t.gif", []byte("GIF87a"))
	if err := File(fake, tiny); err != nil || len(opened) != 2 {
		t.Errorf("short file: %v", err)
	}
	opened = nil
	for _, name := range []string{"invoice.exe", "claim.hta", "x.pdf.lnk", "noext"} {
		err := File(fake, write(name, pdfHead))
		if !errors.Is(err, ErrUnsafe) || !strings.HasPrefix(err.Error(), "不安全的文件类型，未打开：") || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := File(fake, write("fake.pdf", []byte("MZ\x90\x00 this program"))); !errors.Is(err, ErrUnsafe) {
		t.Errorf("executable named .pdf: %v", err)
	}
	// A page under a listed name (the claimant picks the name).
	if err := File(fake, write("a.hta.pdf", []byte("<html><script>"))); !errors.Is(err, ErrUnsafe) {
		t.Errorf("HTML named .hta.pdf: %v", err)
	}
	if len(opened) != 0 {
		t.Errorf("unsafe files reached the opener: %q", opened)
	}
	if err := File(fake, filepath.Join(dir, "missing.pdf")); err == nil || errors.Is(err, ErrUnsafe) {
		t.Errorf("missing file: %v", err)
	}
	if err := File(fake, "-rf.pdf"); err == nil || len(opened) != 0 {
		t.Errorf("relative path: %v", err)
	}
	failing := OpenerFunc(func(string) error { return ErrNoViewer })
	if err := File(failing, good); !errors.Is(err, ErrNoViewer) {
		t.Errorf("viewer error: %v", err)
	}
}
