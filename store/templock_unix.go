//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// lockTemp tries a non-blocking exclusive flock on f; held is false when
// another open file holds it.
func lockTemp(f *os.File) (held bool, err error) {
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

func unlockTemp(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// renameOpen: a temp may be renamed while it is open (and locked).
const renameOpen = true
