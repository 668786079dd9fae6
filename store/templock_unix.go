//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// TryLock tries a non-blocking flock on f, exclusive or shared; held is
// false when another open file holds it.
func TryLock(f *os.File, exclusive bool) (held bool, err error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// Unlock releases TryLock's lock.
func Unlock(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// renameOpen: a temp may be renamed while it is open (and locked).
const renameOpen = true
