// Package service is `baohan service install|uninstall|start|stop`:
// `baohan serve` kept running by the system's service manager. Windows: a
// service of the service control manager (golang.org/x/sys/windows/svc,
// svc/mgr), logging to serve.log in the data folder and recording start
// and stop in the Event Log. Linux: a systemd user unit. macOS: a launchd
// agent.
package service

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/serve"
)

// Options are what the subcommands need.
type Options struct {
	Factory *cmdutil.Factory
	// Exe is the running program (the path the service starts).
	Exe func() (string, error)
	// System is the service manager of this system.
	System func() (system, error)
}

// ServiceJSON is the `--json` document of every subcommand.
type ServiceJSON struct {
	Action string   `json:"action"`
	Name   string   `json:"name"`
	File   string   `json:"file,omitempty"`
	Next   []string `json:"next,omitempty"`
}

// NewCmdService is `baohan service`.
func NewCmdService(f *cmdutil.Factory) *cobra.Command {
	return newCmd(&Options{Factory: f, Exe: executable, System: newSystem})
}

func newCmd(opts *Options) *cobra.Command {
	f := opts.Factory
	cmd := &cobra.Command{
		Use:   "service",
		Short: "让 `baohan serve` 作为系统服务长期运行：install|uninstall|start|stop（Windows 服务、systemd 用户单元、launchd 代理）",
		Args:  cobra.NoArgs,
	}
	var printOnly bool
	install := &cobra.Command{
		Use:   "install",
		Short: "把 serve 登记到系统的服务管理（--print：只显示服务定义，不做任何改动）",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			spec, err := resolveSpec(opts)
			if err != nil {
				return err
			}
			if printOnly {
				return printDefinition(f, spec)
			}
			sys, err := opts.System()
			if err != nil {
				return err
			}
			file, next, err := sys.Install(spec)
			if err != nil {
				return cli.UsageErr("%v", err)
			}
			return report(f, ServiceJSON{Action: "install", Name: Name, File: file, Next: next})
		},
	}
	install.Flags().BoolVar(&printOnly, "print", false, "只显示服务定义（unit、plist 或命令行），不安装")
	simple := func(use, short, done string, act func(system) error) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				sys, err := opts.System()
				if err != nil {
					return err
				}
				if err := act(sys); err != nil {
					return cli.UsageErr("%v", err)
				}
				return report(f, ServiceJSON{Action: use, Name: Name, Next: []string{done}})
			},
		}
	}
	cmd.AddCommand(install,
		simple("uninstall", "停止并卸载服务", "服务 "+Name+" 已卸载", system.Uninstall),
		simple("start", "启动已安装的服务", "服务 "+Name+" 已启动；检查：baohan doctor", system.Start),
		simple("stop", "停止服务（处理完进行中的回调）", "服务 "+Name+" 已停止", system.Stop),
		&cobra.Command{
			Use: "run", Short: "在 Windows 服务控制管理器下运行 serve（由它启动，不要手动运行）",
			Hidden: true, Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error { return runService(c.Context(), f) },
		})
	return cmd
}

func report(f *cmdutil.Factory, doc ServiceJSON) error {
	return f.Print(doc, func(w io.Writer) {
		for _, l := range doc.Next {
			fmt.Fprintln(w, l)
		}
	})
}

// resolveSpec: the running program, the config file and the data folder
// as absolute paths; the config must load, so that a service is never
// installed that cannot start.
func resolveSpec(opts *Options) (Spec, error) {
	f := opts.Factory
	exe, err := opts.Exe()
	if err != nil {
		return Spec{}, cli.UsageErr("找不到正在运行的 baohan 程序的路径：%v", err)
	}
	cfg, err := f.Config()
	if err != nil {
		return Spec{}, err
	}
	config, err := filepath.Abs(cfg.Path)
	if err != nil {
		return Spec{}, err
	}
	data, err := filepath.Abs(cfg.DataDir(f.DataDir))
	if err != nil {
		return Spec{}, err
	}
	spec, err := NewSpec(exe, config, data)
	if err != nil {
		return Spec{}, cli.UsageErr("%v", err)
	}
	return spec, nil
}

func printDefinition(f *cmdutil.Factory, s Spec) error {
	var text string
	switch runtime.GOOS {
	case "windows":
		text = fmt.Sprintf("sc.exe create %s start= auto binPath= %q\n", Name, windowsCommandLine(s.Exe, RunArgs(s)))
	case "darwin":
		text = LaunchdPlist(s)
	default:
		text = SystemdUnit(s)
	}
	return f.Print(struct {
		Definition string `json:"definition"`
	}{text}, func(w io.Writer) { io.WriteString(w, text) })
}

// windowsCommandLine joins a program and its arguments as Windows parses
// them back (syscall.EscapeArg's rules).
func windowsCommandLine(exe string, args []string) string {
	s := escapeArg(exe)
	for _, a := range args {
		s += " " + escapeArg(a)
	}
	return s
}

// escapeArg is syscall.EscapeArg (Windows only in the standard library).
func escapeArg(s string) string {
	if s == "" {
		return `""`
	}
	needs := false
	for _, c := range s {
		if c == ' ' || c == '\t' || c == '"' {
			needs = true
		}
	}
	if !needs {
		return s
	}
	b := []byte{'"'}
	slashes := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			slashes++
		case '"':
			for ; slashes > 0; slashes-- {
				b = append(b, '\\')
			}
			b = append(b, '\\')
		default:
			slashes = 0
		}
		b = append(b, s[i])
	}
	for ; slashes > 0; slashes-- {
		b = append(b, '\\')
	}
	return string(append(b, '"'))
}

func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(exe)
}

// serveIn runs `baohan serve` in this process on f until ctx ends, its
// log appended to the data folder's serve.log.
func serveIn(f *cmdutil.Factory) (func(context.Context) error, func(), error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, nil, err
	}
	data := cfg.DataDir(f.DataDir)
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, nil, err
	}
	logf, err := os.OpenFile(filepath.Join(data, LogName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	f.IOStreams.ErrOut = logf
	// The config's warnings went to a service's stderr, which is nowhere.
	for _, w := range cfg.Warnings {
		f.Warn("%s", w)
	}
	run := func(ctx context.Context) error {
		c := serve.NewCmdServe(f, nil)
		c.SetArgs([]string{})
		c.SetOut(logf)
		c.SetErr(logf)
		c.SilenceUsage, c.SilenceErrors = true, true
		err := c.ExecuteContext(ctx)
		if err != nil {
			fmt.Fprintln(logf, "baohan:", cli.Message(err))
		}
		return err
	}
	return run, func() { logf.Close() }, nil
}
