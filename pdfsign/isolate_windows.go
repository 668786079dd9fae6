//go:build windows

package pdfsign

import (
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows: the parent puts the waiting child in a Job Object with a
// process memory limit (committed memory; an allocation past it fails and
// the Go runtime exits with "out of memory"), one active process, and
// kill-on-close, so that the child ends with the parent's job handle,
// when the parent ends, whichever way. The child checks that it is in
// such a job before it reads the file.

func limitSelf() { debug.SetMemoryLimit(childHeapLimit) }

// childProcAttr: the child is a console program with no window of its own.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{HideWindow: true}
}

func confineProcess(p *os.Process) (func(), error) {
	return confineInJob(winJobs{}, p.Pid, childJobLimits())
}

// checkConfined reads the limits of the job this process is in.
func checkConfined() error {
	got, err := winJobs{}.limits(0) // 0: the job of the calling process
	if err != nil {
		return err
	}
	return checkJobLimits(got, childJobLimits())
}

// winJobs is jobAPI on golang.org/x/sys/windows.
type winJobs struct{}

func (winJobs) CreateJob() (jobHandle, error) {
	h, err := windows.CreateJobObject(nil, nil)
	return jobHandle(h), err
}

func (winJobs) SetLimits(job jobHandle, l jobLimits) error {
	var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
	if l.ProcessMemory > 0 {
		info.BasicLimitInformation.LimitFlags |= windows.JOB_OBJECT_LIMIT_PROCESS_MEMORY
		info.ProcessMemoryLimit = uintptr(l.ProcessMemory)
	}
	if l.ActiveProcesses > 0 {
		info.BasicLimitInformation.LimitFlags |= windows.JOB_OBJECT_LIMIT_ACTIVE_PROCESS
		info.BasicLimitInformation.ActiveProcessLimit = l.ActiveProcesses
	}
	if l.KillOnClose {
		info.BasicLimitInformation.LimitFlags |= windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	}
	if l.DieOnUnhandledException {
		info.BasicLimitInformation.LimitFlags |= windows.JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
	}
	_, err := windows.SetInformationJobObject(windows.Handle(job), windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)))
	return err
}

// limits reads a job's limits back (job 0: the caller's own job).
func (winJobs) limits(job jobHandle) (jobLimits, error) {
	var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
	if err := windows.QueryInformationJobObject(windows.Handle(job), windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)), nil); err != nil {
		return jobLimits{}, fmt.Errorf("query job limits: %w", err)
	}
	f := info.BasicLimitInformation.LimitFlags
	var l jobLimits
	if f&windows.JOB_OBJECT_LIMIT_PROCESS_MEMORY != 0 {
		l.ProcessMemory = uint64(info.ProcessMemoryLimit)
	}
	if f&windows.JOB_OBJECT_LIMIT_ACTIVE_PROCESS != 0 {
		l.ActiveProcesses = info.BasicLimitInformation.ActiveProcessLimit
	}
	l.KillOnClose = f&windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE != 0
	l.DieOnUnhandledException = f&windows.JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION != 0
	return l, nil
}

func (winJobs) OpenProcess(pid int) (jobHandle, error) {
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(pid))
	return jobHandle(h), err
}

func (winJobs) Assign(job, process jobHandle) error {
	return windows.AssignProcessToJobObject(windows.Handle(job), windows.Handle(process))
}

func (winJobs) Terminate(process jobHandle) error {
	return windows.TerminateProcess(windows.Handle(process), 1)
}

func (winJobs) Close(h jobHandle) error { return windows.CloseHandle(windows.Handle(h)) }
