//go:build unix && !darwin

package open

import (
	"fmt"
	"os/exec"
)

// systemOpen: xdg-open, started and left to run.
func systemOpen(path string) error { return startViewer("xdg-open", path) }

func startViewer(prog string, args ...string) error {
	p, err := exec.LookPath(prog)
	if err != nil {
		return fmt.Errorf("%w（%s）", ErrNoViewer, prog)
	}
	cmd := exec.Command(p, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("无法用 %s 打开：%v", prog, err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
