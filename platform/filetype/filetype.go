// Package filetype is the one rule for which files may be opened: a type
// the platform's manual lists for attachments (doc, docx, ppt, pdf, xls,
// zip, rar, tar, gzip, jpg, png, gif, bmp) whose first bytes match that
// type. Never an executable, a shortcut, a script or a page, whatever its
// name claims. The listener flags claim attachments with it at intake; the
// desk's opener refuses with it. It imports nothing of the project.
package filetype

import (
	"bytes"
	"path/filepath"
	"strings"
)

// HeadSize is how much of a file Safe needs: the tar magic is at 257.
const HeadSize = 512

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
// (at least its first HeadSize bytes, or all of a shorter file) may be
// opened: its extension (case aside) is one of the listed types and head
// matches that type. ext is the extension found, lower case.
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
