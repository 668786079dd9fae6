package listener

import (
	"os/exec"
	"syscall"
)

// childCommand is exec.Command for a process the test starts (baohan
// serve, the test binary as a helper): it is killed with the test process,
// so that a test killed on its timeout leaves no stray listener behind.
func childCommand(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}
