package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ValidSHA256 reports whether s is 64 lower-case hex digits.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// FilePath is where the file with this SHA-256 lives (DIR/files/ab/<sha256>),
// whether or not it exists; "" if sha is not 64 lower-case hex digits.
func (s *Store) FilePath(sha string) string {
	if !ValidSHA256(sha) {
		return ""
	}
	return filepath.Join(s.files, sha[:2], sha)
}

// OpenFile opens the stored file with this SHA-256 for reading. The error
// wraps ErrBadHash for a malformed sha and ErrNotFound if there is no such
// file.
func (s *Store) OpenFile(sha string) (*os.File, error) {
	p := s.FilePath(sha)
	if p == "" {
		return nil, fmt.Errorf("open stored file %q: %w", sha, ErrBadHash)
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open stored file %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open stored file %s: %w", sha, err)
	}
	return f, nil
}

// HasFile reports whether the file with this SHA-256 is stored.
func (s *Store) HasFile(sha string) bool {
	p := s.FilePath(sha)
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err == nil
}

// PutFile streams r into the file store and returns its SHA-256 and size.
// The content goes to a temp file in DIR/files/tmp (never whole in memory),
// hashed while written, fsynced, and renamed to DIR/files/ab/<sha256>; if that
// file exists already the temp is dropped (deduplication). If r yields more
// than limit bytes (limit > 0), PutFile stops reading, removes the temp and
// returns an error wrapping ErrTooLarge. Stored files are read-only (0400).
//
// A file is written before the transaction that refers to it; a file whose
// transaction failed is left unreferenced (harmless: same content, same name).
func (s *Store) PutFile(r io.Reader, limit int64) (FileRef, error) {
	tmpDir := filepath.Join(s.files, "tmp")
	// The temp stays open, and so locked (templock.go), until it is renamed
	// or removed: a sweep by any process leaves it alone meanwhile.
	f, err := CreateOwned(tmpDir, "put-*")
	if err != nil {
		return FileRef{}, fmt.Errorf("store file: create temp: %w", err)
	}
	tmp := f.Name()
	keep := false
	defer func() {
		if !keep {
			if !renameOpen {
				f.Close()
			}
			os.Remove(tmp)
			f.Close()
		}
	}()

	h := sha256.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(io.MultiWriter(f, h), src)
	if err != nil {
		return FileRef{}, fmt.Errorf("store file: write: %w", err)
	}
	if limit > 0 && n > limit {
		return FileRef{}, fmt.Errorf("store file: more than %d bytes: %w", limit, ErrTooLarge)
	}
	if err := f.Chmod(0o400); err != nil {
		return FileRef{}, fmt.Errorf("store file: chmod: %w", err)
	}
	if err := f.Sync(); err != nil {
		return FileRef{}, fmt.Errorf("store file: sync: %w", err)
	}
	if !renameOpen {
		if err := f.Close(); err != nil {
			return FileRef{}, fmt.Errorf("store file: close: %w", err)
		}
	}
	ref := FileRef{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	dst := s.FilePath(ref.SHA256)
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return FileRef{}, fmt.Errorf("store file %s: %w", ref.SHA256, err)
	}
	if fi, err := os.Stat(dst); err == nil && fi.Size() == n {
		return ref, nil // already stored; the deferred cleanup drops the temp
	}
	if err := os.Rename(tmp, dst); err != nil {
		return FileRef{}, fmt.Errorf("store file %s: %w", ref.SHA256, err)
	}
	keep = true
	if renameOpen {
		if err := f.Close(); err != nil {
			return FileRef{}, fmt.Errorf("store file: close: %w", err)
		}
	}
	syncDir(dir)
	return ref, nil
}

// syncDir fsyncs a directory so that a rename or create in it is durable.
// Best effort: some platforms cannot sync directories.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
