package pdfsign

import (
	"errors"
	"fmt"
)

// The Windows memory cap of the check child: a Job Object. The steps are
// here, behind jobAPI, so that a unit test on any system drives them;
// isolate_windows.go has the real API (golang.org/x/sys/windows).

// jobHandle is a Windows HANDLE (a job or a process).
type jobHandle uintptr

// jobLimits is the part of JOBOBJECT_EXTENDED_LIMIT_INFORMATION the check
// child is given.
type jobLimits struct {
	ProcessMemory           uint64 // JOB_OBJECT_LIMIT_PROCESS_MEMORY: committed bytes; 0 = no limit
	ActiveProcesses         uint32 // JOB_OBJECT_LIMIT_ACTIVE_PROCESS; 0 = no limit
	KillOnClose             bool   // JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: the parent's death ends the child
	DieOnUnhandledException bool   // JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION: no error dialog waits
}

// childJobLimits: ChildMemoryLimit of committed memory, no grandchildren,
// killed with the job's last handle (the parent's).
func childJobLimits() jobLimits {
	return jobLimits{ProcessMemory: ChildMemoryLimit, ActiveProcesses: 1, KillOnClose: true, DieOnUnhandledException: true}
}

// jobAPI is what confineInJob needs of the system.
type jobAPI interface {
	CreateJob() (jobHandle, error)
	SetLimits(job jobHandle, l jobLimits) error
	// OpenProcess opens pid with the rights to assign and terminate it.
	OpenProcess(pid int) (jobHandle, error)
	Assign(job, process jobHandle) error
	Terminate(process jobHandle) error
	Close(h jobHandle) error
}

// confineInJob puts the waiting child pid in a new job with limits lim.
// The job handle stays open until release is called (after the child has
// ended): closing it kills whatever is still in the job. On any failure
// the child is terminated where it could be opened, every handle is
// closed, and the error says which step failed.
func confineInJob(api jobAPI, pid int, lim jobLimits) (release func(), err error) {
	if lim.ProcessMemory == 0 || !lim.KillOnClose {
		return nil, errors.New("job limits without a memory cap or kill-on-close")
	}
	job, err := api.CreateJob()
	if err != nil {
		return nil, fmt.Errorf("create job object: %w", err)
	}
	if err := api.SetLimits(job, lim); err != nil {
		_ = api.Close(job)
		return nil, fmt.Errorf("set job limits: %w", err)
	}
	proc, err := api.OpenProcess(pid)
	if err != nil {
		_ = api.Close(job)
		return nil, fmt.Errorf("open check process %d: %w", pid, err)
	}
	if err := api.Assign(job, proc); err != nil {
		_ = api.Terminate(proc)
		_ = api.Close(proc)
		_ = api.Close(job)
		return nil, fmt.Errorf("assign check process %d to the job: %w", pid, err)
	}
	_ = api.Close(proc)
	done := false
	return func() {
		if !done {
			done = true
			_ = api.Close(job)
		}
	}, nil
}

// checkJobLimits is the child's own look at the job it runs in (got):
// at least as strict as want, else it refuses to read the file.
func checkJobLimits(got, want jobLimits) error {
	switch {
	case got.ProcessMemory == 0 || got.ProcessMemory > want.ProcessMemory:
		return fmt.Errorf("process memory limit %d, want at most %d", got.ProcessMemory, want.ProcessMemory)
	case want.ActiveProcesses > 0 && (got.ActiveProcesses == 0 || got.ActiveProcesses > want.ActiveProcesses):
		return fmt.Errorf("active process limit %d, want at most %d", got.ActiveProcesses, want.ActiveProcesses)
	case want.KillOnClose && !got.KillOnClose:
		return errors.New("the job does not kill on close")
	}
	return nil
}
