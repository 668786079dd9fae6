package listener

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"baohan/store"
)

// upload is one file of a multipart callback, spooled to disk.
type upload struct {
	field  string   // form field, e.g. "attach_file0"
	name   string   // sanitised original file name
	path   string   // spool file
	f      *os.File // the spool file, open and locked until the request ends
	size   int64
	sha256 string // lower-case hex
	head   []byte // the first sniffLen bytes
	// omitted: over the listener's bound, not spooled (path empty); size
	// and sha256 are the whole part's.
	omitted bool
	// stored: a repeat's file equal to the first delivery's, which is in
	// the file store under sha256; not spooled (path empty).
	stored bool
}

// isPDF tells whether the file starts like a PDF (%PDF- within its first
// kilobyte, as PDF readers accept).
func (u *upload) isPDF() bool { return bytes.Contains(u.head, []byte("%PDF-")) }

// put copies the spooled file into the content-addressed file store.
func (u *upload) put(st *store.Store, limit int64) (store.FileRef, error) {
	if u.stored {
		if !st.HasFile(u.sha256) {
			return store.FileRef{}, fmt.Errorf("store %s: file %s of the first delivery is gone", u.field, u.sha256)
		}
		return store.FileRef{SHA256: u.sha256, Size: u.size}, nil
	}
	f, err := os.Open(u.path)
	if err != nil {
		return store.FileRef{}, fmt.Errorf("store %s: %w", u.field, err)
	}
	defer f.Close()
	ref, err := st.PutFile(f, limit)
	if err != nil {
		return store.FileRef{}, fmt.Errorf("store %s: %w", u.field, err)
	}
	if ref.SHA256 != u.sha256 {
		return store.FileRef{}, fmt.Errorf("store %s: spooled file changed (sha256 %s, was %s)", u.field, ref.SHA256, u.sha256)
	}
	return ref, nil
}

const sniffLen = 1024

// errFileTooLarge is returned by spoolFile when the file exceeds its limit.
var errFileTooLarge = errors.New("file too large")

// spoolError is a failure of our own disk while spooling (folder missing,
// disk full, read-only), as opposed to a body that could not be read: the
// callback is then answered as a system fault (HTTP 500, fault event) so
// that the platform repeats it, not refused as malformed.
type spoolError struct{ err error }

func (e *spoolError) Error() string { return "spool file: " + e.err.Error() }
func (e *spoolError) Unwrap() error { return e.err }

// spoolFile streams r into a new spool file owned by c, hashing on the
// way, and stops with errFileTooLarge after limit bytes, or with
// errSpoolBudget or errDiskLow at the spool's bounds (spool.go). Nothing is
// kept on error; a failure of the spool folder itself is a *spoolError. The
// file stays open, and so locked against sweeps, until c ends.
func (s *Server) spoolFile(c *call, r io.Reader, limit int64) (u *upload, err error) {
	if err := s.checkFree(0); err != nil {
		return nil, err
	}
	f, err := store.CreateOwned(s.spool, "in-*")
	if err != nil {
		return nil, &spoolError{err}
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
			f.Close()
		}
	}()
	u, err = hashPart(&spoolWriter{f: f, s: s, c: c}, r, limit)
	if err != nil {
		return u, err
	}
	u.path, u.f = f.Name(), f
	return u, nil
}

// hashPart copies a file part r into w, hashing it and keeping its head on
// the way. Past limit bytes nothing more is written: its size and SHA-256
// are taken from the rest of the part (within the body limit), for a
// callback held with it (protocol.md), and the upload is omitted, with
// errFileTooLarge.
func hashPart(w io.Writer, r io.Reader, limit int64) (*upload, error) {
	h := sha256.New()
	hd := &headWriter{max: sniffLen}
	n, err := io.Copy(io.MultiWriter(w, h, hd), io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		m, err := io.Copy(h, r)
		if err != nil {
			return nil, err
		}
		return &upload{size: n + m, sha256: hex.EncodeToString(h.Sum(nil)), head: hd.b, omitted: true}, errFileTooLarge
	}
	return &upload{size: n, sha256: hex.EncodeToString(h.Sum(nil)), head: hd.b}, nil
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	b   []byte
	max int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if room := w.max - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// maxNameBytes bounds a kept file name.
const maxNameBytes = 200

// sanitizeName makes a file name as sent safe to keep and to show: GB18030
// names (sent by Windows PHP) become UTF-8, only the base name is kept
// (both / and \ separate), control and bidi-override characters go, the
// characters Windows forbids become '_', leading dots and spaces go (no
// "..", no hidden files), and the name is cut to maxNameBytes keeping its
// extension. An empty result becomes fallback. The name is only recorded:
// files are stored under their SHA-256, never under this name.
func sanitizeName(raw, fallback string) string {
	name := raw
	if !utf8.ValidString(name) {
		if d, err := simplifiedchinese.GB18030.NewDecoder().String(name); err == nil && utf8.ValidString(d) {
			name = d
		} else {
			name = strings.ToValidUTF8(name, "")
		}
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r == utf8.RuneError, r == '\u2028', r == '\u2029',
			r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r == '\u200e', r == '\u200f', r == '\ufeff':
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ". ")
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return fallback
	}
	if len(name) > maxNameBytes {
		ext := filepath.Ext(name)
		if len(ext) > 20 || !utf8.ValidString(ext) {
			ext = ""
		}
		base := name[:len(name)-len(ext)]
		cut := maxNameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		name = base[:cut] + ext
	}
	return name
}

// remove deletes the spool file (while still locked, where the OS lets
// an open file be removed) and closes it.
func (u *upload) remove() {
	if runtime.GOOS == "windows" && u.f != nil {
		u.f.Close()
		u.f = nil
	}
	os.Remove(u.path)
	if u.f != nil {
		u.f.Close()
		u.f = nil
	}
}
