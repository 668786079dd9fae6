//go:build windows

package listener

import (
	"os"

	"golang.org/x/sys/windows"
)

// waitLockFile takes a LockFileEx on f's first byte, waiting for it.
func waitLockFile(f *os.File, exclusive bool) error {
	var flags uint32
	if exclusive {
		flags = windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	return windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, new(windows.Overlapped))
}
