package open

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	pdfHead = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	tarHead = append(make([]byte, 257), []byte("ustar\x0000")...)
)

// TestSafe: a listed type with matching content opens; anything else,
// whatever its name claims, does not.
func TestSafe(t *testing.T) {
	ok := []struct {
		name string
		head []byte
	}{
		{"保函.pdf", pdfHead}, {"A.PDF", pdfHead},
		{"a.doc", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest")}, {"a.xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")},
		{"a.ppt", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")},
		{"a.docx", []byte("PK\x03\x04\x14\x00")}, {"a.zip", []byte("PK\x05\x06")},
		{"a.rar", []byte("Rar!\x1a\x07\x01\x00")}, {"a.tar", tarHead},
		{"a.tar.gz", []byte("\x1f\x8b\x08")}, {"a.gzip", []byte("\x1f\x8b\x08")}, {"a.tgz", []byte("\x1f\x8b")},
		{"a.jpg", []byte("\xff\xd8\xff\xe0")}, {"a.JPEG", []byte("\xff\xd8\xff\xe1")},
		{"a.png", []byte("\x89PNG\r\n\x1a\n")}, {"a.gif", []byte("GIF89a")}, {"a.bmp", []byte("BM6\x00")},
	}
	for _, c := range ok {
		if _, safe := Safe(c.name, c.head); !safe {
			t.Errorf("%s refused", c.name)
		}
	}
	mz := []byte("MZ\x90\x00")
	bad := []struct {
		name string
		head []byte
	}{
		// Executable and active types, even with a PDF's first bytes.
		{"a.exe", pdfHead}, {"a.lnk", pdfHead}, {"a.hta", pdfHead}, {"a.html", pdfHead}, {"a.htm", pdfHead},
		{"a.desktop", pdfHead}, {"a.bat", pdfHead}, {"a.cmd", pdfHead}, {"a.js", pdfHead}, {"a.vbs", pdfHead},
		{"a.scr", pdfHead}, {"a.msi", pdfHead}, {"a.ps1", pdfHead}, {"a.sh", pdfHead}, {"a.app", pdfHead},
		{"a.svg", pdfHead}, {"a.xlsm", []byte("PK\x03\x04")}, {"a.url", pdfHead},
		// A listed extension over other content.
		{"a.pdf", mz}, {"a.hta.pdf", []byte("<html><script>")}, {"a.docx", pdfHead}, {"a.jpg", []byte("<svg")},
		{"a.tar", make([]byte, 100)}, {"a.pdf", nil},
		// Names Windows reads otherwise.
		{"a.pdf.", pdfHead}, {"a.pdf ", pdfHead}, {"a.exe:b.pdf", pdfHead}, {"a.pdf\x00.exe", pdfHead},
		// No type at all.
		{"a", pdfHead}, {".pdf", pdfHead}, {"", pdfHead},
	}
	for _, c := range bad {
		if ext, safe := Safe(c.name, c.head); safe {
			t.Errorf("%q (%s) allowed", c.name, ext)
		}
	}
}

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
