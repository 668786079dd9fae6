//go:build unix

package listener

import (
	"errors"
	"os"
	"syscall"
)

// waitLockFile takes a flock on f, exclusive or shared, waiting for it.
func waitLockFile(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
