package service

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// system installs, removes, starts and stops the service on one kind of
// system. Install returns the file it wrote ("" on Windows) and the
// lines to tell the clerk.
type system interface {
	Install(s Spec) (file string, next []string, err error)
	Uninstall() error
	Start() error
	Stop() error
}

// runner runs a program and returns its combined output.
type runner func(name string, args ...string) ([]byte, error)

// run runs name with args through r, and turns a failure into one
// sentence naming the command and what it said.
func (r runner) do(name string, args ...string) error {
	out, err := r(name, args...)
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("%s %s 失败：%s", name, strings.Join(args, " "), msg)
	}
	return nil
}

// writeNew writes b to path (mode perm) through a temporary file, and
// refuses when path exists already.
func writeNew(path string, b []byte, perm os.FileMode) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("服务已安装（%s 已存在）；要重装请先运行 baohan service uninstall", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".baohan-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	if err := errors.Join(werr, tmp.Chmod(perm), tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

func removeInstalled(path string) error {
	if err := os.Remove(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("服务未安装（没有 %s）", path)
		}
		return err
	}
	return nil
}

// systemd is a systemd user unit in dir (~/.config/systemd/user).
type systemd struct {
	dir string
	run runner
}

const unitName = Name + ".service"

func (d systemd) path() string { return filepath.Join(d.dir, unitName) }

func (d systemd) Install(s Spec) (string, []string, error) {
	if err := writeNew(d.path(), []byte(SystemdUnit(s)), 0o644); err != nil {
		return "", nil, err
	}
	next := []string{"已写入 systemd 用户服务 " + d.path()}
	if err := d.run.do("systemctl", "--user", "daemon-reload"); err != nil {
		return d.path(), append(next, err.Error(), "请手动运行：systemctl --user daemon-reload && systemctl --user enable --now "+unitName), nil
	}
	if err := d.run.do("systemctl", "--user", "enable", unitName); err != nil {
		return d.path(), append(next, err.Error()), nil
	}
	return d.path(), append(next,
		"已设为登录后自动启动；现在启动：baohan service start",
		"日志：journalctl --user -u "+unitName,
		"未登录时也要运行：loginctl enable-linger "+currentUser()), nil
}

func (d systemd) Uninstall() error {
	if _, err := os.Stat(d.path()); err != nil {
		return removeInstalled(d.path())
	}
	// Stopped and disabled first; a failure there (no user manager)
	// does not keep the unit file.
	_ = d.run.do("systemctl", "--user", "disable", "--now", unitName)
	if err := removeInstalled(d.path()); err != nil {
		return err
	}
	_ = d.run.do("systemctl", "--user", "daemon-reload")
	return nil
}

func (d systemd) Start() error { return d.run.do("systemctl", "--user", "start", unitName) }
func (d systemd) Stop() error  { return d.run.do("systemctl", "--user", "stop", unitName) }

// launchd is a launchd agent in dir (~/Library/LaunchAgents) of the
// user uid.
type launchd struct {
	dir string
	uid int
	run runner
}

func (l launchd) path() string   { return filepath.Join(l.dir, Label+".plist") }
func (l launchd) domain() string { return "gui/" + strconv.Itoa(l.uid) }

func (l launchd) Install(s Spec) (string, []string, error) {
	if err := writeNew(l.path(), []byte(LaunchdPlist(s)), 0o644); err != nil {
		return "", nil, err
	}
	return l.path(), []string{
		"已写入 launchd 代理 " + l.path() + "（登录后自动启动）",
		"现在启动：baohan service start",
		"日志：" + s.Log,
	}, nil
}

func (l launchd) Uninstall() error {
	if _, err := os.Stat(l.path()); err != nil {
		return removeInstalled(l.path())
	}
	_ = l.Stop()
	return removeInstalled(l.path())
}

func (l launchd) Start() error {
	if _, err := os.Stat(l.path()); err != nil {
		return fmt.Errorf("服务未安装（没有 %s）；先运行 baohan service install", l.path())
	}
	return l.run.do("launchctl", "bootstrap", l.domain(), l.path())
}

func (l launchd) Stop() error { return l.run.do("launchctl", "bootout", l.domain()+"/"+Label) }

// winManager is what the Windows service needs of the service control
// manager and the Event Log (svc/mgr and svc/eventlog in
// service_windows.go).
type winManager interface {
	Exists(name string) (bool, error)
	// Create registers exe with args as an automatically started
	// service that restarts after a failure.
	Create(name, exe string, args []string) error
	Delete(name string) error
	Start(name string) error
	// Stop asks the service to stop and waits until it has.
	Stop(name string) error
	InstallEventSource(name string) error
	RemoveEventSource(name string) error
	Close() error
}

// windowsService is the Windows service through a winManager.
type windowsService struct {
	open func() (winManager, error)
}

// RunArgs are what the service control manager starts: the hidden
// `service run`, which serves under the service dispatcher.
func RunArgs(s Spec) []string {
	return []string{"service", "run", "--config", s.Config, "--data", s.Data}
}

func (w windowsService) with(f func(m winManager) error) error {
	m, err := w.open()
	if err != nil {
		return fmt.Errorf("无法连接 Windows 服务管理器（需要以管理员身份运行）：%v", err)
	}
	defer m.Close()
	return f(m)
}

func (w windowsService) Install(s Spec) (string, []string, error) {
	err := w.with(func(m winManager) error {
		if ok, err := m.Exists(Name); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("服务 %s 已安装；要重装请先运行 baohan service uninstall", Name)
		}
		if err := m.Create(Name, s.Exe, RunArgs(s)); err != nil {
			return fmt.Errorf("创建服务 %s 失败：%v", Name, err)
		}
		if err := m.InstallEventSource(Name); err != nil {
			// No half-installed service: without its Event Log source
			// its start and stop would go unrecorded.
			derr := m.Delete(Name)
			return errors.Join(fmt.Errorf("登记事件日志来源失败：%v", err), derr)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return "", []string{
		"已安装 Windows 服务 " + Name + "（开机自动启动，出错后自动重启）",
		"现在启动：baohan service start",
		"日志：" + s.Log + "；启动与停止另记入 Windows 事件日志（应用程序，来源 " + Name + "）",
	}, nil
}

func (w windowsService) Uninstall() error {
	return w.with(func(m winManager) error {
		if ok, err := m.Exists(Name); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("服务 %s 未安装", Name)
		}
		_ = m.Stop(Name) // a stopped service says so; deleting goes on
		if err := m.Delete(Name); err != nil {
			return fmt.Errorf("删除服务 %s 失败：%v", Name, err)
		}
		_ = m.RemoveEventSource(Name)
		return nil
	})
}

func (w windowsService) Start() error {
	return w.with(func(m winManager) error {
		if err := m.Start(Name); err != nil {
			return fmt.Errorf("启动服务 %s 失败：%v", Name, err)
		}
		return nil
	})
}

func (w windowsService) Stop() error {
	return w.with(func(m winManager) error {
		if err := m.Stop(Name); err != nil {
			return fmt.Errorf("停止服务 %s 失败：%v", Name, err)
		}
		return nil
	})
}

func currentUser() string {
	for _, k := range []string{"USER", "LOGNAME"} {
		if u := os.Getenv(k); u != "" {
			return u
		}
	}
	return "$USER"
}
