package pdfsign

import (
	"os"
	"syscall"
)

// maxRSSMB is the peak resident memory of a finished child in MB
// (ru_maxrss, kB on Linux).
func maxRSSMB(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024
	}
	return 0
}
