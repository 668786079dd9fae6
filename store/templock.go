package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Temp files of the file store (DIR/files/tmp) are held locked by the
// process writing them for as long as they are open, so that any process
// can tell a temp in use from one left by a process that died (the kernel
// drops the lock with the process, even on SIGKILL). SweepTemp removes
// the ones nobody holds, whatever their age; Open sweeps once.

// CreateOwned makes a new file in dir, locked for as long as it is open
// (the file store's temps, the listener's spool files). A sweep may find
// the file between its creation and its lock and remove it; it is then
// made again.
func CreateOwned(dir, pattern string) (*os.File, error) {
	var last error
	for range 5 {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		held, err := TryLock(f, true)
		if err == nil && held && sameName(f) {
			return f, nil
		}
		last = err
		f.Close()
		if err != nil {
			os.Remove(f.Name())
		}
	}
	if last == nil {
		last = errors.New("removed by a concurrent sweep")
	}
	return nil, fmt.Errorf("create temp in %s: %w", dir, last)
}

// sameName tells whether f's name still leads to f.
func sameName(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	pi, err := os.Stat(f.Name())
	return err == nil && os.SameFile(fi, pi)
}

// SweepTemp removes the file store's temp files that no process holds, and
// returns how many and their bytes.
func (s *Store) SweepTemp() (files int, bytes int64) {
	return SweepUnowned(filepath.Join(s.files, "tmp"))
}

// SweptAtOpen is what Open's sweep of the temp files removed: how many
// and their bytes.
func (s *Store) SweptAtOpen() (files int, bytes int64) { return s.sweptFiles, s.sweptBytes }

// SweepUnowned removes the regular files of dir that no open file holds
// locked (CreateOwned's), whatever their age, and returns how many and
// their bytes.
func SweepUnowned(dir string) (files int, bytes int64) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		f, err := os.Open(p) // temps are made read-only (0400) before the rename
		if err != nil {
			continue
		}
		held, err := TryLock(f, true)
		if err != nil || !held {
			f.Close()
			continue
		}
		var size int64
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		var rerr error
		if runtime.GOOS != "windows" {
			// Removed while locked: an owner locking it later finds its
			// name gone (CreateOwned) and makes another.
			rerr = os.Remove(p)
			Unlock(f)
			f.Close()
		} else {
			Unlock(f)
			f.Close()
			rerr = os.Remove(p)
		}
		if rerr == nil {
			files++
			bytes += size
		}
	}
	return files, bytes
}
