//go:build unix

package listener

import "syscall"

// limitFileSize sets RLIMIT_FSIZE (this process: no file may grow past
// n bytes) and returns the function that puts the old limit back.
func limitFileSize(n uint64) (func() error, error) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		return nil, err
	}
	full := syscall.Rlimit{Cur: n, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full); err != nil {
		return nil, err
	}
	return func() error { return syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old) }, nil
}
