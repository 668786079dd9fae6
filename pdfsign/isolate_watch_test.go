package pdfsign

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMemoryWatchdog: the macOS child's memory cap (watchMemory) ends a
// process whose Go memory passes the cap. The process is this test binary
// again, capped at 64 MB, allocating up to 1 GB: it must end with
// exitMemoryCap long before.
func TestMemoryWatchdog(t *testing.T) {
	if os.Getenv("BAOHAN_WATCHDOG_CHILD") == "1" {
		go watchMemory(64<<20, time.Millisecond)
		var keep [][]byte
		for i := 0; i < 1024; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = byte(j)
			}
			keep = append(keep, b)
		}
		os.Stdout.WriteString("allocated 1 GB uncapped\n")
		_ = keep
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryWatchdog$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BAOHAN_WATCHDOG_CHILD=1")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitMemoryCap || !strings.Contains(string(out), "over the cap of 67108864") {
		t.Fatalf("watchdog child: %v\n%s", err, out)
	}
}
