//go:build !linux

package pdfsign

import (
	"runtime/debug"
	"syscall"
)

// limitSelf caps this process's Go heap at childHeapLimit. Without Linux's
// RLIMIT_AS the cap is soft: the kill at the timeout is what bounds a
// runaway parse here.
func limitSelf() {
	debug.SetMemoryLimit(childHeapLimit)
}

// childProcAttr: no parent-death signal outside Linux; the parent kills
// the child at the timeout.
func childProcAttr() *syscall.SysProcAttr { return nil }
