//go:build !unix

package listener

import "errors"

// limitFileSize: there is no RLIMIT_FSIZE here (TestDiskFull skips).
func limitFileSize(uint64) (func() error, error) {
	return nil, errors.New("no RLIMIT_FSIZE on this system")
}
