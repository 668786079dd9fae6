package filetype

import "testing"

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
