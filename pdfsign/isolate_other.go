//go:build !linux && !windows

package pdfsign

import (
	"os"
	"runtime/debug"
	"syscall"
	"time"
)

// macOS (and the other Unix systems): the kernel does not honour
// RLIMIT_AS (macOS accepts it and ignores it), so the cap is the Go heap
// limit plus a watchdog in the child that ends it as soon as all the
// memory the Go runtime has mapped passes ChildMemoryLimit, plus the kill
// at the timeout. The child has no cgo, so the runtime maps all of its
// memory; an allocation can still pass the cap for up to one watchdog
// period before the child ends.

const memoryWatchPeriod = 10 * time.Millisecond

func limitSelf() {
	debug.SetMemoryLimit(childHeapLimit)
	go watchMemory(ChildMemoryLimit, memoryWatchPeriod)
}

// childProcAttr: no parent-death signal here; the go-ahead pipe does that
// work (exitOnEOF).
func childProcAttr() *syscall.SysProcAttr { return nil }

// confineProcess: the child caps itself (limitSelf).
func confineProcess(*os.Process) (func(), error) { return func() {}, nil }

func checkConfined() error { return nil }
