//go:build windows

package store

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// TryLock tries a non-blocking LockFileEx on f's first byte, exclusive or
// shared; held is false when another open file holds it.
func TryLock(f *os.File, exclusive bool) (held bool, err error) {
	flags := uint32(windows.LOCKFILE_FAIL_IMMEDIATELY)
	if exclusive {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	ol := new(windows.Overlapped)
	err = windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return false, nil
	}
	return err == nil, err
}

// Unlock releases TryLock's lock.
func Unlock(f *os.File) {
	_ = windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}

// renameOpen: Windows cannot rename a file that is open.
const renameOpen = false
