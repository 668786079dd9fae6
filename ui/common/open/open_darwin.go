//go:build darwin

package open

import (
	"fmt"
	"os/exec"
)

// systemOpen: macOS's open(1), which picks the file type's application.
func systemOpen(path string) error {
	cmd := exec.Command("/usr/bin/open", path)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("无法用 open 打开：%v", err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
