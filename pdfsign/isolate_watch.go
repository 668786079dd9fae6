package pdfsign

import (
	"fmt"
	"os"
	"runtime/metrics"
	"time"
)

// exitMemoryCap is the watchdog's exit code.
const exitMemoryCap = 5

// watchMemory exits the process when the runtime's mapped memory passes
// limit bytes, looking every period: the macOS child's cap
// (isolate_other.go).
func watchMemory(limit uint64, period time.Duration) {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	for {
		metrics.Read(s)
		if v := s[0].Value; v.Kind() == metrics.KindUint64 && v.Uint64() > limit {
			fmt.Fprintf(os.Stderr, "pdfsign child: memory %d bytes over the cap of %d\n", v.Uint64(), limit)
			os.Exit(exitMemoryCap)
		}
		time.Sleep(period)
	}
}
