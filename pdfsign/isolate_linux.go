//go:build linux

package pdfsign

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

// limitSelf caps this process: address space at what is mapped now plus
// ChildMemoryLimit, Go heap at childHeapLimit.
func limitSelf() {
	debug.SetMemoryLimit(childHeapLimit)
	vm := int64(0)
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmSize:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				vm = kb << 10
			}
		}
	}
	lim := uint64(vm + ChildMemoryLimit)
	_ = syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
}

// childProcAttr kills the child when the parent dies.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// confineProcess: on Linux the child caps itself (limitSelf, RLIMIT_AS);
// the parent has nothing to do.
func confineProcess(*os.Process) (func(), error) { return func() {}, nil }

// checkConfined: the child's cap is its own RLIMIT_AS, set next.
func checkConfined() error { return nil }
