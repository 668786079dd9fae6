//go:build windows

package open

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// systemOpen: the shell's "open" verb on the file (ShellExecuteW), which
// starts the application registered for its type; no command line is
// built, so nothing in the name is parsed as an argument.
func systemOpen(path string) error {
	verb, err := windows.UTF16PtrFromString("open")
	if err != nil {
		return err
	}
	file, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return fmt.Errorf("无法打开 %s：%v", path, err)
	}
	if err := windows.ShellExecute(0, verb, file, nil, nil, windows.SW_SHOWNORMAL); err != nil {
		return fmt.Errorf("无法用系统查看器打开：%v", err)
	}
	return nil
}
