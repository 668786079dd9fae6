// Package open hands a stored file to the system's viewer, one function
// per system (open_*.go), and only a file of a type the platform's manual
// lists for attachments (doc, docx, ppt, pdf, xls, zip, rar, tar, gzip,
// jpg, png, gif, bmp) whose first bytes match that type: never an
// executable, a shortcut, a script or a page, whatever its name claims.
package open

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Opener opens the file at path with the system's viewer.
type Opener interface {
	Open(path string) error
}

// OpenerFunc is an Opener made of a function.
type OpenerFunc func(path string) error

func (f OpenerFunc) Open(path string) error { return f(path) }

// System is this system's viewer: xdg-open, macOS's open, or the
// Windows shell's "open" verb (ShellExecuteW).
func System() Opener { return OpenerFunc(systemOpen) }

// ErrUnsafe is returned for a file that is not of a listed type, or whose
// content does not match its extension: it is not opened.
var ErrUnsafe = errors.New("不安全的文件类型，未打开")

// ErrNoViewer is returned when the system has no viewer program.
var ErrNoViewer = errors.New("没有系统查看器")

// headSize is how much of a file Safe needs: the tar magic is at 257.
const headSize = 512

type fileType struct {
	exts  []string
	magic func(head []byte) bool
}

func prefix(p ...string) func([]byte) bool {
	return func(h []byte) bool {
		for _, s := range p {
			if bytes.HasPrefix(h, []byte(s)) {
				return true
			}
		}
		return false
	}
}

// types: the manual's list (附件 of apply_claim), each with its magic.
var types = []fileType{
	{[]string{".pdf"}, prefix("%PDF-")},
	{[]string{".doc", ".xls", ".ppt"}, prefix("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")}, // OLE compound file
	{[]string{".docx", ".zip"}, prefix("PK\x03\x04", "PK\x05\x06")},
	{[]string{".rar"}, prefix("Rar!\x1a\x07")},
	{[]string{".tar"}, func(h []byte) bool { return len(h) >= 262 && string(h[257:262]) == "ustar" }},
	{[]string{".gz", ".gzip", ".tgz"}, prefix("\x1f\x8b")},
	{[]string{".jpg", ".jpeg"}, prefix("\xff\xd8\xff")},
	{[]string{".png"}, prefix("\x89PNG\r\n\x1a\n")},
	{[]string{".gif"}, prefix("GIF87a", "GIF89a")},
	{[]string{".bmp"}, prefix("BM")},
}

// Safe tells whether a file named name whose content starts with head
// may be opened: its extension (case aside) is one of the listed types
// and head matches that type. ext is the extension found, lower case.
func Safe(name string, head []byte) (ext string, ok bool) {
	base := filepath.Base(name)
	// Windows drops trailing dots and spaces and reads "a:b" as a
	// stream: such a name is not the name the check saw.
	if strings.ContainsAny(base, ":\x00") || strings.TrimRight(base, ". ") != base {
		return "", false
	}
	ext = strings.ToLower(filepath.Ext(base))
	if ext == "" || len(ext) == len(base) {
		return ext, false
	}
	for _, t := range types {
		for _, e := range t.exts {
			if e == ext {
				return ext, t.magic(head)
			}
		}
	}
	return ext, false
}

// File hands the file at path (absolute) to o once Safe allows it; otherwise the
// error wraps ErrUnsafe and names the file and its type.
func File(o Opener, path string) error {
	// An absolute path: the viewers take no "--", and a name starting
	// with "-" must not be read as an option.
	if !filepath.IsAbs(path) {
		return fmt.Errorf("打开 %s：不是绝对路径", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	if ext, ok := Safe(path, head[:n]); !ok {
		if ext == "" {
			ext = "无扩展名"
		}
		return fmt.Errorf("%w：%s（%s，或内容与扩展名不符）", ErrUnsafe, filepath.Base(path), ext)
	}
	return o.Open(path)
}
