//go:build unix

package listener

import "syscall"

// descriptorLimit is the process's soft RLIMIT_NOFILE (0: unknown).
func descriptorLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return uint64(r.Cur)
}
