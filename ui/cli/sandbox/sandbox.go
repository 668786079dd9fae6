// Package sandbox is `baohan sandbox`: the desk (or, headless, the
// listener) against a simulated platform in this process.
package sandbox

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"baohan/platform"
	psandbox "baohan/platform/sandbox"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/desk"
	"baohan/ui/cli/serve"
)

// SandboxOptions are the flags of `sandbox`.
type SandboxOptions struct {
	Factory   *cmdutil.Factory
	Context   context.Context
	DataDir   string // --data; "" a throw-away folder
	Headless  bool
	Pace      float64
	Callbacks string
	Mean      bool
}

// NewCmdSandbox is `baohan sandbox`.
func NewCmdSandbox(f *cmdutil.Factory, runF func(*SandboxOptions) error) *cobra.Command {
	opts := &SandboxOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "在本进程中模拟平台并打开工作台；不需要配置",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Context, opts.DataDir = cmd.Context(), f.DataDir
			if opts.Callbacks != "" && !opts.Headless {
				return cli.UsageErr("--callbacks 只能与 --headless 一起使用")
			}
			if runF != nil {
				return runF(opts)
			}
			return sandboxRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Headless, "headless", false, "不打开界面，只运行模拟平台和回调监听；打印供命令行使用的配置文件路径")
	cmd.Flags().Float64Var(&opts.Pace, "pace", 1, "模拟订单流的速度（2 = 快一倍，0.5 = 慢一半）")
	cmd.Flags().StringVar(&opts.Callbacks, "callbacks", "", "与 --headless 一起：只运行模拟平台，把它的回调发到这个网址（例如 baohan serve 前面隧道的公网地址）")
	cmd.Flags().BoolVar(&opts.Mean, "mean", false, "模拟平台像真平台可能的那样出错：重新签名的迟到重发、内容有变的重发、写法不同的名称、未知的保函、异常的 2.9 回答")
	return cmd
}

func sandboxRun(opts *SandboxOptions) error {
	ctx, f := opts.Context, opts.Factory
	dir := opts.DataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "baohan-sandbox-")
		if err != nil {
			return err
		}
		dir = tmp
		if !opts.Headless {
			defer os.RemoveAll(tmp)
		}
	} else if err := refuseRealSetup(dir); err != nil {
		return err
	}
	env, err := Start(dir, strings.TrimRight(opts.Callbacks, "/"), opts.Mean)
	if err != nil {
		return err
	}
	if err := MarkData(filepath.Join(dir, "data")); err != nil {
		env.Close()
		return cli.UsageErr("无法写入沙箱数据文件夹 %s（%s）", dir, platform.FileProblem(err))
	}
	defer env.Close()
	s, err := f.OpenStore(filepath.Join(dir, "data"))
	if err != nil {
		return err
	}
	wf := cmdutil.NewWorkflows(env.Config, s)
	go env.Server.Run(ctx, opts.Pace)
	if !opts.Headless {
		return desk.Run(ctx, desk.Options{Config: env.Config, Store: s, Workflows: wf, Sandbox: true})
	}
	out := f.IOStreams.Out
	logger := slog.New(slog.NewTextHandler(f.IOStreams.ErrOut, nil))
	if opts.Callbacks != "" {
		// The platform alone: its callbacks go to another listener.
		fmt.Fprintln(out, env.Config.Path)
		logger.Info("sandbox platform running", "platform", env.BaseURL, "callbacks", opts.Callbacks, "config", env.Config.Path)
		<-ctx.Done()
		return nil
	}
	l, err := serve.StartListener(env.Config, s, wf, logger)
	if err != nil {
		return err
	}
	defer l.Release()
	fmt.Fprintln(out, env.Config.Path)
	logger.Info("sandbox running", "platform", env.BaseURL, "listener", l.Addr, "config", env.Config.Path, "data", s.Dir())
	<-ctx.Done()
	return l.Shutdown(15 * time.Second)
}

// Env is a simulated platform running, with a config for it.
type Env struct {
	Server  *psandbox.Server
	BaseURL string
	Config  *platform.Config
}

// Close stops the simulated platform.
func (e *Env) Close() { e.Server.Close() }

// Start starts the simulated platform with generated keys and writes a
// config for it in dir (the listener on a free loopback port, data in
// dir/data).
func Start(dir, callbacks string, mean bool) (*Env, error) {
	keys, err := psandbox.NewKeys()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	listenAddr := ln.Addr().String()
	ln.Close()
	opt := keys.Options()
	opt.CallbackBase = "http://" + listenAddr
	if callbacks != "" {
		opt.CallbackBase = callbacks
	}
	opt.Mean = mean
	srv := psandbox.New(opt)
	baseURL, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	// public_url is where the simulated platform sends its callbacks (the
	// listener itself, or --callbacks): doctor's 公网地址 check then proves
	// that path, as it does a tunnel's.
	path, err := keys.WriteConfig(dir, baseURL, listenAddr, psandbox.ConfigExtra{StoreDir: filepath.Join(dir, "data"), PublicURL: opt.CallbackBase})
	if err != nil {
		srv.Close()
		return nil, err
	}
	cfg, err := platform.LoadConfig(path)
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &Env{Server: srv, BaseURL: baseURL, Config: cfg}, nil
}

// markFile is the file `baohan sandbox` leaves in the data folders it
// creates; loadtest loads only those (or --throwaway).
const markFile = "SANDBOX"

// IsData tells whether dir is a data folder `baohan sandbox` created.
func IsData(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, markFile))
	return err == nil
}

// refuseRealSetup refuses a --data folder that holds a config or keys the
// sandbox did not write (a real setup from baohan init): the sandbox writes
// its own config.toml and keys/ there and would replace them.
func refuseRealSetup(dir string) error {
	if IsData(filepath.Join(dir, "data")) {
		return nil
	}
	for _, name := range []string{"config.toml", "keys"} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return cli.UsageErr("文件夹 %s 中已有 %s，不是沙箱创建的：沙箱会覆盖它，请换一个空文件夹或不加 --data", dir, name)
		}
	}
	return nil
}

// MarkData marks dir as throw-away sandbox data.
func MarkData(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, markFile), []byte("created by baohan sandbox: throw-away data\n"), 0o600)
}
