//go:build !windows

package service

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// newSystem: a launchd agent on macOS, a systemd user unit elsewhere.
func newSystem() (system, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, cli.UsageErr("找不到用户主目录：%v", err)
	}
	if runtime.GOOS == "darwin" {
		return launchd{dir: filepath.Join(home, "Library", "LaunchAgents"), uid: os.Getuid(), run: execRunner}, nil
	}
	return systemd{dir: systemdUserDir(os.Getenv("XDG_CONFIG_HOME"), home), run: execRunner}, nil
}

// systemdUserDir is where systemd looks for a user's own units.
func systemdUserDir(xdgConfig, home string) string {
	if xdgConfig == "" {
		xdgConfig = filepath.Join(home, ".config")
	}
	return filepath.Join(xdgConfig, "systemd", "user")
}

func execRunner(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).CombinedOutput()
}

// runService: only Windows starts serve through `service run`.
func runService(context.Context, *cmdutil.Factory) error {
	return cli.UsageErr("%v", errors.New("baohan service run 只由 Windows 服务管理器启动；这里请用 baohan serve"))
}
