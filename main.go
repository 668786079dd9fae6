// Command baohan is the desk of a guarantee firm (担保公司) on the Fuzhou
// construction e-guarantee platform (福州市建设工程电子保函服务平台): a terminal
// desk with the callback listener inside it, and the same actions as
// commands for scripts. shared/interface.md is the promise it keeps.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"

	"baohan/listener"
	"baohan/listener/loadtest"
	"baohan/pdfsign"
	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
	"baohan/ui"
	"baohan/ui/cli"
	"baohan/ui/cli/doctor"
	"baohan/ui/cli/export"
	"baohan/ui/cli/initcmd"
	"baohan/ui/cli/issuecmd"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Exit codes of shared/interface.md.
const (
	exitOK    = 0
	exitNo    = 1 // the platform or the check said no
	exitUsage = 2 // usage, configuration or local input error
)

// exitError carries an exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, a...)}
}

func checkFailed(format string, a ...any) error {
	return &exitError{exitNo, fmt.Errorf(format, a...)}
}

// exitCode maps an error to the interface's exit status.
func exitCode(err error) int {
	var ee *exitError
	var ce *platform.ConfigError
	var pe *platform.Error
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ce), platform.IsInputError(err):
		return exitUsage
	case errors.As(err, &pe):
		return exitNo
	}
	return exitNo
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// app holds the global flags and what the commands open lazily.
type app struct {
	configPath string
	dataDir    string
	jsonOut    bool
	stdout     io.Writer
	stderr     io.Writer

	cfg        *platform.Config
	store      *store.Store
	listenAddr string // where startListener bound
	printed    bool   // a JSON document is already on stdout
	firstStart bool   // the desk opens a data folder without a database yet
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := a.commands()
	// After commands(): defining the flag resets it to its default.
	a.jsonOut = wantsJSON(args)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if a.store != nil {
		_ = a.store.Close()
	}
	if err != nil {
		code := exitCode(err)
		fmt.Fprintln(stderr, "baohan:", cli.Message(err))
		if a.jsonOut && !a.printed {
			b, _ := json.MarshalIndent(cli.ErrorDocument(code, err), "", "  ")
			fmt.Fprintln(stdout, string(b))
		}
		return code
	}
	return exitOK
}

// wantsJSON finds --json among the arguments before cobra parses them, so
// that a usage error (an unknown flag) is answered in JSON too.
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--json" || a == "--json=true" || a == "--json=1" {
			return true
		}
	}
	return false
}

func (a *app) commands() *cobra.Command {
	root := &cobra.Command{
		Use:           "baohan",
		Short:         "福州市建设工程电子保函服务平台 担保公司工作台",
		Long:          "baohan: the desk of a guarantee firm on the Fuzhou construction e-guarantee platform.\nWithout a command it opens the desk (TUI) with the callback listener inside it.",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          a.runDesk,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.configPath, "config", "", "config file (default $BAOHAN_CONFIG, else $XDG_CONFIG_HOME/baohan/config.toml)")
	pf.StringVar(&a.dataDir, "data", "", "data folder (default [store] dir, else $XDG_DATA_HOME/baohan)")
	pf.BoolVar(&a.jsonOut, "json", false, "print exactly one JSON document on stdout")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{exitUsage, errors.New(cli.FlagError(c.CommandPath(), err))}
	})

	root.AddCommand(a.sandboxCmd(), a.serveCmd(), a.keygenCmd(), a.tokenCmd(), a.hashCmd(), a.verifyCmd(),
		a.orderCmd(), a.guaranteeCmd(), a.claimCmd(), a.fileCmd(), a.listCmd(), a.exportCmd(), a.backupCmd(), a.restoreCmd(),
		a.reconcileCmd(), a.loadtestCmd(), a.initCmd(), a.doctorCmd(), a.heldCmd())
	setArgsUsage(root)
	a.strictHelp(root)
	return root
}

// strictHelp makes `baohan help TOPIC` exit 2 for a command that does not
// exist, as every unknown command does (cobra's prints a note and exits 0).
func (a *app) strictHelp(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() != "help" {
			continue
		}
		c.Run = nil
		c.RunE = func(_ *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil || target == nil || len(rest) > 0 {
				return usageErr("没有 %s 这个命令（运行 baohan --help 查看全部命令）", strings.Join(args, " "))
			}
			target.InitDefaultHelpFlag()
			return target.Help()
		}
	}
}

// setArgsUsage makes cobra's argument errors usage errors (exit 2).
func setArgsUsage(c *cobra.Command) {
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return &exitError{exitUsage, errors.New(cli.ArgsError(cmd.CommandPath(), cmd.Use, cmd.HasSubCommands(), subNames(cmd), err))}
			}
			return nil
		}
	}
	if c.RunE == nil && c.HasSubCommands() {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("%s 没有子命令 %s（可用：%s）", cmd.CommandPath(), args[0], subNames(cmd))
			}
			return nil
		}
		c.RunE = func(cmd *cobra.Command, args []string) error {
			return usageErr("%s 后面要跟子命令：%s", cmd.CommandPath(), subNames(cmd))
		}
	}
	for _, s := range c.Commands() {
		setArgsUsage(s)
	}
}

func subNames(c *cobra.Command) string {
	var n []string
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() {
			n = append(n, s.Name())
		}
	}
	return strings.Join(n, ", ")
}

// --- opening what commands need ---

func (a *app) config() (*platform.Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	cfg, err := platform.LoadConfig(a.configPath)
	if err != nil {
		return nil, err
	}
	if cfg.PDF.TrustedCertDir != "" {
		// The firm's trusted roots for the signer chains; without them a
		// check still proves integrity and reports trust as unknown.
		if err := pdfsign.Setup(cfg.PDF.TrustedCertDir); err != nil {
			return nil, &platform.ConfigError{File: cfg.Path, Key: "pdf.trusted_cert_dir", Err: err}
		}
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(a.stderr, "baohan: 注意：%s\n", w)
	}
	a.cfg = cfg
	return cfg, nil
}

func (a *app) openStore(dir string) (*store.Store, error) {
	if a.store != nil {
		return a.store, nil
	}
	st, err := store.Open(dir)
	if err != nil {
		return nil, err
	}
	a.store = st
	return st, nil
}

// storeOnly opens the store without needing a full config (list, backup):
// the folder is --data, else the config's [store] dir. Without either it
// refuses (exit 2) rather than open an empty store somewhere.
func (a *app) storeOnly() (*store.Store, error) {
	dir := a.dataDir
	if dir == "" {
		cfg, err := a.config()
		if err != nil {
			if platform.IsConfigNotFound(err) {
				return nil, usageErr("找不到配置文件 %s，也没有给出 --data：不知道读哪个数据文件夹（先运行 baohan init，或用 --config / --data 指定）", a.configFile())
			}
			return nil, err
		}
		dir = cfg.DataDir("")
	}
	return a.openStore(dir)
}

// configFile is the config path the commands read.
func (a *app) configFile() string {
	if a.configPath != "" {
		return a.configPath
	}
	return platform.DefaultConfigPath()
}

// workflows opens config, store and client.
func (a *app) workflows() (*platform.Workflows, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	st, err := a.openStore(cfg.DataDir(a.dataDir))
	if err != nil {
		return nil, err
	}
	client := platform.NewClient(platform.ClientConfigFrom(cfg), st, nil)
	return platform.NewWorkflows(cfg, client, st), nil
}

// print writes v as JSON with --json, else the text from human.
func (a *app) print(v any, human func(w io.Writer)) error {
	if a.jsonOut {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		a.printed = true
		_, err = fmt.Fprintln(a.stdout, string(b))
		return err
	}
	human(a.stdout)
	return nil
}

// --- desk, sandbox, serve ---

func (a *app) runDesk(cmd *cobra.Command, _ []string) error {
	cfg, err := a.config()
	if err != nil {
		return err
	}
	dir := cfg.DataDir(a.dataDir)
	_, statErr := os.Stat(filepath.Join(dir, store.DBName))
	a.firstStart = errors.Is(statErr, os.ErrNotExist)
	st, err := a.openStore(dir)
	if err != nil {
		return err
	}
	client := platform.NewClient(platform.ClientConfigFrom(cfg), st, nil)
	wf := platform.NewWorkflows(cfg, client, st)
	return a.desk(cmd.Context(), cfg, st, client, wf, false)
}

// desk runs the TUI with the listener inside it, unless a listener for this
// data dir already runs in another process: then the desk uses that one.
func (a *app) desk(ctx context.Context, cfg *platform.Config, st *store.Store, client *platform.Client, wf *platform.Workflows, sandboxMode bool) error {
	logger, closer, err := listener.FileLogger(st.Dir(), slog.LevelInfo)
	if err != nil {
		return err
	}
	defer closer.Close()
	opt := ui.Options{Store: st, Workflows: wf, Client: client, PublicURL: cfg.Listener.PublicURL,
		Sandbox: sandboxMode, Now: time.Now, Logger: logger,
		DecideHeld: listener.New(listener.Config{Logger: logger}, st).DecideHeld}
	if !sandboxMode {
		// The checks of `baohan doctor`: shown at once on the first start
		// with a new config, then in the status bar.
		opt.FirstStart = a.firstStart
		opt.Doctor = func(ctx context.Context) *doctor.Report {
			return doctor.Run(ctx, doctor.Options{Config: cfg, DataDir: st.Dir()})
		}
	}
	if addr, running := externalListener(st.Dir()); running {
		opt.ExternalListener = addr // the status bar names it
		// When that `baohan serve` stops, the desk takes over listening.
		var mu sync.Mutex
		var srv *listener.Server
		var release func()
		opt.TakeOver = func(context.Context) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			if srv != nil {
				return a.listenAddr, nil
			}
			if _, running := externalListener(st.Dir()); running {
				return "", ui.ErrListenerRunning
			}
			s, r, err := a.startListener(cfg, st, wf, logger)
			if err != nil {
				return "", errors.New(cli.Message(err))
			}
			srv, release = s, r
			return a.listenAddr, nil
		}
		uiErr := ui.Run(ctx, opt)
		mu.Lock()
		defer mu.Unlock()
		if srv != nil {
			sctx, cancel := context.WithTimeout(context.Background(), listener.DrainTimeout)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				logger.Error("listener shutdown", "err", err)
			}
			release()
		}
		return uiErr
	}
	srv, release, err := a.startListener(cfg, st, wf, logger)
	if err != nil {
		return err
	}
	defer release()
	opt.ListenerAddr = a.listenAddr
	errc := make(chan error, 1)
	go func() { errc <- ui.Run(ctx, opt) }()
	var uiErr error
	select {
	case uiErr = <-errc:
	case <-ctx.Done():
		uiErr = <-errc
	}
	sctx, cancel := context.WithTimeout(context.Background(), listener.DrainTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Error("listener shutdown", "err", err)
	}
	return uiErr
}

// externalListener tells whether a listener for dataDir already runs in
// another process (`baohan serve`) and where: the desk then uses it instead
// of starting a second one.
func externalListener(dataDir string) (addr string, running bool) {
	info, running := listener.Running(dataDir)
	if !running {
		return "", false
	}
	if info.Addr == "" {
		return fmt.Sprintf("（进程 %d，地址未知）", info.PID), true
	}
	return info.Addr, true
}

// startListener binds the listener, takes the data dir's listener lock and
// serves in the background.
func (a *app) startListener(cfg *platform.Config, st *store.Store, wf *platform.Workflows, logger *slog.Logger) (*listener.Server, func(), error) {
	lcfg := listener.Config{
		Addr: cfg.Listener.Addr, APISecret: cfg.Platform.APISecret, PrivateKey: cfg.PrivateKey, Apply: cfg.Apply,
		AllowFrom: cfg.Listener.AllowFrom, TrustedProxy: cfg.Listener.TrustedProxy,
		PDF:    pdfsign.Options{Revocation: cfg.PDF.RevocationCheck, Timeout: cfg.PDF.Timeout.Duration},
		Logger: logger,
	}
	if wf != nil {
		lcfg.Fetcher = wf
	}
	srv := listener.New(lcfg, st)
	ln, err := net.Listen("tcp", cfg.Listener.Addr)
	if err != nil {
		return nil, nil, usageErr("配置文件 %s 中的 listener.addr %s 无法监听（%s）", cfg.Path, cfg.Listener.Addr, cli.NetProblem(err))
	}
	a.listenAddr = ln.Addr().String()
	release, err := listener.Lock(st.Dir(), listener.Info{PID: os.Getpid(), Addr: ln.Addr().String(), PublicURL: cfg.Listener.PublicURL, StartedAt: time.Now()})
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, listener.ErrServerClosed) {
			logger.Error("listener stopped", "err", err)
		}
	}()
	stopKeeper := func() {}
	if wf != nil {
		// The files of new orders, kept before their URLs expire (platform/wf_keepfiles.go).
		kctx, cancel := context.WithCancel(context.Background())
		go (&platform.FileKeeper{W: wf, Logger: logger}).Run(kctx)
		stopKeeper = cancel
	}
	return srv, func() { stopKeeper(); release() }, nil
}

func (a *app) serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "the callback listener alone, headless; logs to stderr; SIGINT/SIGTERM drain and exit 0",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			st, err := a.openStore(cfg.DataDir(a.dataDir))
			if err != nil {
				return err
			}
			if info, running := listener.Running(st.Dir()); running {
				return usageErr("数据文件夹 %s 的回调监听已在运行（进程 %d，%s），不能再启动一个", st.Dir(), info.PID, info.Addr)
			}
			logger := slog.New(slog.NewTextHandler(a.stderr, nil))
			client := platform.NewClient(platform.ClientConfigFrom(cfg), st, nil)
			wf := platform.NewWorkflows(cfg, client, st)
			srv, release, err := a.startListener(cfg, st, wf, logger)
			if err != nil {
				return err
			}
			defer release()
			logger.Info("listening", "addr", a.listenAddr, "public_url", cfg.Listener.PublicURL, "data", st.Dir())
			<-cmd.Context().Done()
			logger.Info("shutting down: draining in-flight callbacks")
			sctx, cancel := context.WithTimeout(context.Background(), listener.DrainTimeout)
			defer cancel()
			return srv.Shutdown(sctx)
		},
	}
}

func (a *app) sandboxCmd() *cobra.Command {
	var headless bool
	var pace float64
	var callbacks string
	var mean bool
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "the desk against a simulated platform in this process; needs no config",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			dir := a.dataDir
			if dir == "" {
				tmp, err := os.MkdirTemp("", "baohan-sandbox-")
				if err != nil {
					return err
				}
				dir = tmp
				if !headless {
					defer os.RemoveAll(tmp)
				}
			}
			if callbacks != "" && !headless {
				return usageErr("--callbacks 只能与 --headless 一起使用")
			}
			env, err := startSandbox(dir, strings.TrimRight(callbacks, "/"), mean)
			if err != nil {
				return err
			}
			if err := markSandboxData(filepath.Join(dir, "data")); err != nil {
				env.close()
				return usageErr("无法写入沙箱数据文件夹 %s（%s）", dir, cli.FileProblem(err))
			}
			defer env.close()
			st, err := a.openStore(filepath.Join(dir, "data"))
			if err != nil {
				return err
			}
			client := platform.NewClient(platform.ClientConfigFrom(env.cfg), st, nil)
			wf := platform.NewWorkflows(env.cfg, client, st)
			go env.server.Run(ctx, pace)
			if !headless {
				return a.desk(ctx, env.cfg, st, client, wf, true)
			}
			logger := slog.New(slog.NewTextHandler(a.stderr, nil))
			if callbacks != "" {
				// The platform alone: its callbacks go to another listener.
				fmt.Fprintln(a.stdout, env.cfg.Path)
				logger.Info("sandbox platform running", "platform", env.baseURL, "callbacks", callbacks, "config", env.cfg.Path)
				<-ctx.Done()
				return nil
			}
			srv, release, err := a.startListener(env.cfg, st, wf, logger)
			if err != nil {
				return err
			}
			defer release()
			fmt.Fprintln(a.stdout, env.cfg.Path)
			logger.Info("sandbox running", "platform", env.baseURL, "listener", a.listenAddr, "config", env.cfg.Path, "data", st.Dir())
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		},
	}
	cmd.Flags().BoolVar(&headless, "headless", false, "run the simulated platform and the listener without the TUI; print the config path for the CLI")
	cmd.Flags().Float64Var(&pace, "pace", 1, "speed of the simulated stream (2 = twice as fast, 0.5 = half)")
	cmd.Flags().StringVar(&callbacks, "callbacks", "", "with --headless: run the simulated platform only and send its callbacks to this URL (e.g. a tunnel's public URL in front of baohan serve)")
	cmd.Flags().BoolVar(&mean, "mean", false, "the platform misbehaves as a real one may: re-signed and late retries, changed repeats, names in other forms, unknown guarantees, odd 2.9 answers")
	return cmd
}

type sandboxEnv struct {
	server  *sandbox.Server
	baseURL string
	cfg     *platform.Config
}

func (e *sandboxEnv) close() { e.server.Close() }

// startSandbox starts the simulated platform with generated keys and writes
// a config for it in dir (the listener on a free loopback port, data in
// dir/data).
func startSandbox(dir, callbacks string, mean bool) (*sandboxEnv, error) {
	keys, err := sandbox.NewKeys()
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
	srv := sandbox.New(opt)
	baseURL, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	path, err := keys.WriteConfig(dir, baseURL, listenAddr, sandbox.ConfigExtra{StoreDir: filepath.Join(dir, "data")})
	if err != nil {
		srv.Close()
		return nil, err
	}
	cfg, err := platform.LoadConfig(path)
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &sandboxEnv{server: srv, baseURL: baseURL, cfg: cfg}, nil
}

// --- keys, token, hash, verify ---

func (a *app) keygenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen DIR",
		Short: "write an RSA-2048 pair DIR/private.pem (0600) and DIR/public.pem",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			dir := args[0]
			priv, pub, _, err := platform.GenerateKeyPair(2048)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return usageErr("无法创建文件夹 %s（%s）", dir, cli.FileProblem(err))
			}
			pp, pu := filepath.Join(dir, "private.pem"), filepath.Join(dir, "public.pem")
			for _, p := range []string{pp, pu} {
				if _, err := os.Stat(p); err == nil {
					return usageErr("%s 已存在，不覆盖已有的密钥", p)
				}
			}
			if err := os.WriteFile(pp, priv, 0o600); err != nil {
				return usageErr("无法写入 %s（%s）", pp, cli.FileProblem(err))
			}
			if err := os.WriteFile(pu, pub, 0o644); err != nil {
				return usageErr("无法写入 %s（%s）", pu, cli.FileProblem(err))
			}
			return a.print(map[string]string{"private_key": pp, "public_key": pu}, func(w io.Writer) {
				fmt.Fprintf(w, "私钥 %s（权限 0600）\n公钥 %s\n", pp, pu)
			})
		},
	}
}

func (a *app) tokenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "token",
		Short: "get or reuse the access token; print when it expires",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			wf, err := a.workflows()
			if err != nil {
				return err
			}
			_, exp, err := wf.Client.Token(cmd.Context())
			if err != nil {
				return err
			}
			left := time.Until(exp)
			return a.print(map[string]any{"expired_at": exp.Unix(), "expires": exp.In(platform.CST).Format(platform.DateTimeLayout), "seconds_left": int64(left.Seconds())},
				func(w io.Writer) {
					fmt.Fprintf(w, "access_token 有效，至 %s（剩 %s）\n", exp.In(platform.CST).Format(platform.DateTimeLayout), platform.Span(left))
				})
		},
	}
}

func (a *app) hashCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "hash FILE",
		Short: "SHA-256 of FILE in lower-case hex (the form guarantee_pdf_hash takes)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			sum, size, err := pdfsign.HashFile(args[0])
			if err != nil {
				return usageErr("无法读取文件 %s（%s）", args[0], cli.FileProblem(err))
			}
			return a.print(map[string]any{"file": args[0], "sha256": sum, "size": size}, func(w io.Writer) {
				fmt.Fprintln(w, sum)
			})
		},
	}
}

func (a *app) pdfOptions() pdfsign.Options {
	if cfg, err := a.config(); err == nil {
		return pdfsign.Options{Revocation: cfg.PDF.RevocationCheck, Timeout: cfg.PDF.Timeout.Duration}
	}
	return pdfsign.Options{}
}

func (a *app) verifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify FILE",
		Short: "PDF structure and each signature; exit 0 only for a valid PDF whose signatures are intact",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := os.Stat(args[0]); err != nil {
				return usageErr("无法读取文件 %s（%s）", args[0], cli.FileProblem(err))
			}
			rep, err := pdfsign.CheckFile(cmd.Context(), args[0], a.pdfOptions())
			if err != nil {
				return usageErr("无法检查文件 %s（%s）", args[0], cli.Message(err))
			}
			if err := a.print(rep, func(w io.Writer) { _ = pdfsign.WriteText(w, rep) }); err != nil {
				return err
			}
			if !rep.Intact() {
				return checkFailed("%s 未通过检查", args[0])
			}
			return nil
		},
	}
}

// --- order ---

func (a *app) orderCmd() *cobra.Command {
	c := &cobra.Command{Use: "order", Short: "保函申请订单: info (2.2), status (2.3), cancel (2.11)"}
	c.AddCommand(&cobra.Command{
		Use:   "info ORDER_NO",
		Short: "get_guarantee_info (2.2); stores what comes back",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			wf, err := a.workflows()
			if err != nil {
				return err
			}
			o, err := wf.FetchOrder(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			j := orderJSON(*o)
			if err := addOrderFiles(cmd.Context(), wf.Store, []map[string]any{j}); err != nil {
				return err
			}
			return a.print(j, func(w io.Writer) { printOrder(w, *o) })
		},
	})
	var amount, statement string
	var withdraw bool
	status := &cobra.Command{
		Use:   "status ORDER_NO STATUS",
		Short: "notify_order_status (2.3); --amount is required for WAIT_OUT_GUARANTEE",
		Long:  orderStatusHelp(),
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.planAndExecute(cmd.Context(), func(ctx context.Context, wf *platform.Workflows) (*platform.Plan, error) {
				return wf.PlanNotifyStatus(ctx, platform.StatusInput{OrderNo: args[0], Status: args[1], Amount: amount, Withdraw: withdraw, Statement: statement})
			})
		},
	}
	status.Flags().StringVar(&amount, "amount", "", "order_amount (元, two decimals at most)")
	status.Flags().BoolVar(&withdraw, "withdraw", false, "is_withdraw=1: 审批退回 (needs --statement)")
	status.Flags().StringVar(&statement, "statement", "", "statement (说明)")
	var reason string
	cancel := &cobra.Command{
		Use:   "cancel ORDER_NO --reason TEXT",
		Short: "cancel_order (2.11)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.planAndExecute(cmd.Context(), func(ctx context.Context, wf *platform.Workflows) (*platform.Plan, error) {
				return wf.PlanCancelOrder(ctx, args[0], reason)
			})
		},
	}
	cancel.Flags().StringVar(&reason, "reason", "", "cancel_reason (取消订单原因)")
	c.AddCommand(status, cancel)
	return c
}

// planAndExecute opens the workflows, plans a call and executes it.
func (a *app) planAndExecute(ctx context.Context, plan func(context.Context, *platform.Workflows) (*platform.Plan, error)) error {
	wf, err := a.workflows()
	if err != nil {
		return err
	}
	p, err := plan(ctx, wf)
	if err != nil {
		return err
	}
	return a.execute(ctx, wf, p)
}

// execute runs a plan and prints the platform's answer.
func (a *app) execute(ctx context.Context, wf *platform.Workflows, p *platform.Plan) error {
	for _, w := range p.Warnings {
		fmt.Fprintf(a.stderr, "baohan: 注意：%s\n", w)
	}
	res, err := wf.Execute(ctx, p)
	if err != nil {
		return err
	}
	out := map[string]any{"status": platform.StatusOK, "method": p.Method, "ref": p.Ref, "summary": res.Summary}
	if res.SerialNum != "" {
		out["serial_num"] = string(res.SerialNum)
	}
	if res.Reconciled {
		out["reconciled"] = true
	}
	if res.RemoveErrors != nil {
		out["errors"] = res.RemoveErrors
	}
	return a.print(out, func(w io.Writer) {
		fmt.Fprintln(w, res.Summary)
		for _, e := range res.RemoveErrors {
			fmt.Fprintf(w, "  %s %s：%s\n", e.ErrorInfo.GuaranteeNo, e.ErrorInfo.SerialNum, e.ErrorMsg)
		}
	})
}

// --- guarantee ---

func (a *app) guaranteeCmd() *cobra.Command {
	c := &cobra.Command{Use: "guarantee", Short: "电子保函: issue (签发), push (2.5), release (2.9)"}
	var in platform.PushInput
	push := &cobra.Command{
		Use:   "push ORDER_NO --no GUARANTEE_NO --pdf FILE",
		Short: "check the PDF, then guarantor_push_guarantee (2.5); prints the serial_num",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			wf, err := a.workflows()
			if err != nil {
				return err
			}
			in.OrderNo = args[0]
			p, err := wf.PlanPush(cmd.Context(), in)
			if err != nil {
				if p != nil && p.Report != nil && !a.jsonOut {
					_ = pdfsign.WriteText(a.stderr, p.Report)
				}
				if p != nil && p.Report != nil {
					return checkFailed("%v", err) // the check said no: exit 1
				}
				return err
			}
			return a.execute(cmd.Context(), wf, p)
		},
	}
	push.Flags().StringVar(&in.GuaranteeNo, "no", "", "guarantee_no (保函编号)")
	push.Flags().StringVar(&in.PDFPath, "pdf", "", "the guarantee PDF (电子保函原件)")
	push.Flags().StringVar(&in.OutTime, "out-time", "", "out_guarantee_time \"YYYY-MM-DD HH:MM:SS\" (default now, UTC+8)")
	push.Flags().StringVar(&in.TransNo, "trans-no", "", "trans_no (传输流水号)")
	push.Flags().BoolVar(&in.Force, "force", false, "push even though the PDF failed its check")
	var date string
	release := &cobra.Command{
		Use:   "release GUARANTEE_NO...",
		Short: "remove_guarantee (2.9), one call per block; prints the platform's per-item errors",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			wf, err := a.workflows()
			if err != nil {
				return err
			}
			plans, err := wf.PlanRelease(cmd.Context(), args, date)
			if err != nil {
				return err
			}
			var results []map[string]any
			failed := 0
			for _, p := range plans {
				res, err := wf.Execute(cmd.Context(), p)
				if err != nil {
					return err
				}
				failed += len(res.RemoveErrors)
				results = append(results, map[string]any{"block_number": p.Ref, "summary": res.Summary, "errors": res.RemoveErrors})
			}
			err = a.print(results, func(w io.Writer) {
				for _, r := range results {
					fmt.Fprintln(w, r["summary"])
					for _, e := range r["errors"].([]platform.RemoveError) {
						if e.ErrorInfo.GuaranteeNo == "" && e.ErrorInfo.SerialNum == "" && e.ErrorMsg == "" {
							fmt.Fprintln(w, "  （平台报告了一个未指明保函、也无说明的错误）")
							continue
						}
						fmt.Fprintf(w, "  %s %s：%s\n", e.ErrorInfo.GuaranteeNo, e.ErrorInfo.SerialNum, e.ErrorMsg)
					}
				}
			})
			if err == nil && failed > 0 {
				return checkFailed("平台拒绝了 %d 笔解保", failed)
			}
			return err
		},
	}
	release.Flags().StringVar(&date, "date", "", "remove_guarantee_date \"YYYY-MM-DD HH:MM:SS\" (default now, UTC+8)")
	c.AddCommand(push, release, issuecmd.New(issuecmd.Deps{
		Workflows: a.workflows, Print: a.print, JSON: func() bool { return a.jsonOut }, Stderr: a.stderr,
	}))
	return c
}

// --- claim ---

func (a *app) claimCmd() *cobra.Command {
	c := &cobra.Command{Use: "claim", Short: "理赔: result (3.2), info (3.3)"}
	var in platform.ClaimResultInput
	result := &cobra.Command{
		Use:   "result CLAIM_NO --do-type N --status N --note TEXT",
		Short: "guarantor_update_claim_result (3.2)",
		Long:  claimResultHelp(),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.ClaimNo = args[0]
			return a.planAndExecute(cmd.Context(), func(ctx context.Context, wf *platform.Workflows) (*platform.Plan, error) {
				return wf.PlanClaimResult(ctx, in)
			})
		},
	}
	result.Flags().StringVar(&in.DoType, "do-type", "", "do_type: 1 受理, 2 理赔, 3 追偿")
	result.Flags().StringVar(&in.Status, "status", "", "status for the do_type (see the manual 3.2)")
	result.Flags().StringVar(&in.Note, "note", "", "note (备注)")
	info := &cobra.Command{
		Use:   "info CLAIM_NO",
		Short: "guarantor_get_lp_info (3.3); stores what comes back",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			wf, err := a.workflows()
			if err != nil {
				return err
			}
			cl, err := wf.RefreshClaim(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.print(claimJSON(*cl), func(w io.Writer) { printClaim(w, *cl) })
		},
	}
	c.AddCommand(result, info)
	return c
}

// --- file ---

func (a *app) fileCmd() *cobra.Command {
	c := &cobra.Command{Use: "file", Short: "文件: url (4.1)"}
	var download string
	u := &cobra.Command{
		Use:   "url FILE_ID",
		Short: "get_file_url (4.1): a fresh URL, valid 2 hours",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			wf, err := a.workflows()
			if err != nil {
				return err
			}
			url, err := wf.FileURL(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			out := map[string]any{"file_id": args[0], "file_url": url}
			if download != "" {
				ref, name, err := wf.Download(cmd.Context(), url, nil)
				if err != nil {
					return err
				}
				if err := copyFile(wf.Store.FilePath(ref.SHA256), download); err != nil {
					return err
				}
				out["saved"], out["name"], out["sha256"], out["size"] = download, name, ref.SHA256, ref.Size
			}
			return a.print(out, func(w io.Writer) {
				fmt.Fprintln(w, url)
				if download != "" {
					fmt.Fprintf(w, "已下载到 %s（%s，SHA-256 %s）\n", download, platform.Size(out["size"].(int64)), out["sha256"])
				}
			})
		},
	}
	u.Flags().StringVar(&download, "download", "", "also download the file to this path")
	c.AddCommand(u)
	return c
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
	if err != nil {
		return usageErr("无法写入 %s（%s）", dst, cli.FileProblem(err))
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// --- list ---

// listLimit bounds what list prints; the store holds more than a terminal.
const listLimit = 100000

func (a *app) listCmd() *cobra.Command {
	c := &cobra.Command{Use: "list", Short: "what the local store holds: orders, guarantees, revocations, claims, held"}
	for _, kind := range []string{"orders", "guarantees", "revocations", "claims", "held"} {
		var status, search, since, until string
		sub := &cobra.Command{
			Use:   kind,
			Short: "list " + kind,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				var f platform.LedgerFilter
				if kind != "held" {
					var err error
					if f, err = platform.ParseLedgerFilter(kind, status, search, since, until); err != nil {
						return err
					}
				} else if since != "" || until != "" {
					return usageErr("list held 不支持 --since/--until")
				} else if status != "" && !slices.Contains([]string{store.HeldHeld, store.HeldAccepted, store.HeldDismissed}, status) {
					return usageErr("list held 的 --status 只能是 held、accepted 或 dismissed")
				}
				st, err := a.storeOnly()
				if err != nil {
					return err
				}
				if kind == "held" {
					f.Search, f.Status = search, nil
					if status != "" {
						f.Status = []string{status}
					}
				}
				if err := a.list(cmd.Context(), st, kind, f); err != nil {
					return err
				}
				a.noteUnresolved(cmd.Context(), st)
				return nil
			},
		}
		filterFlags(sub, &status, &search, &since, &until)
		c.AddCommand(sub)
	}
	return c
}

// filterFlags are the filters list and export share (interface.md).
func filterFlags(c *cobra.Command, status, search, since, until *string) {
	c.Flags().StringVar(status, "status", "", "state code or its Chinese meaning (orders, claims: several joined by commas; guarantees: unreleased|released; held: held|accepted|dismissed)")
	c.Flags().StringVar(search, "search", "", "substring of a number (订单编号, 保函编号, 标段编号, 序列号) or a name")
	c.Flags().StringVar(since, "since", "", "received on or after DATE (YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\", 北京时间)")
	c.Flags().StringVar(until, "until", "", "received on or before DATE (a date counts whole)")
}

// --- export ---

func (a *app) exportCmd() *cobra.Command {
	var opt export.Options
	c := &cobra.Command{
		Use:       "export orders|guarantees|revocations|claims --out FILE.xlsx|FILE.csv",
		Short:     "the ledger (台账) as an Excel workbook or CSV: Chinese headers, amounts as numbers, dates as dates",
		Args:      cobra.ExactArgs(1),
		ValidArgs: platform.LedgerKinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(platform.LedgerKinds, args[0]) {
				return usageErr("没有 %q 台账，可用：%s", args[0], strings.Join(platform.LedgerKinds, "、"))
			}
			opt.Kind, opt.Store = args[0], a.storeOnly
			res, err := export.Run(cmd.Context(), opt)
			if err != nil {
				return err
			}
			if res.Truncated {
				fmt.Fprintf(a.stderr, "baohan: 注意：超过 %d 行，只导出了前 %d 行；请用 --since/--until 等条件分批导出\n", platform.MaxLedgerRows, res.Rows)
			}
			return a.print(res, func(w io.Writer) {
				fmt.Fprintf(w, "已导出%s %d 行到 %s\n", platform.LedgerTitle(res.Kind), res.Rows, res.Path)
			})
		},
	}
	c.Flags().StringVar(&opt.Out, "out", "", "FILE.xlsx or FILE.csv (required)")
	filterFlags(c, &opt.Status, &opt.Search, &opt.Since, &opt.Until)
	return c
}

func (a *app) list(ctx context.Context, st *store.Store, kind string, f platform.LedgerFilter) error {
	var out []map[string]any
	var err error
	var header string
	var line func(map[string]any) string
	switch kind {
	case "orders":
		out, err = collect(func(c store.Cursor) ([]store.Order, store.Cursor, error) {
			q := f.OrderQuery()
			q.After, q.Limit = c, 500
			return st.ListOrders(ctx, q)
		}, orderJSON)
		if err == nil {
			err = addOrderFiles(ctx, st, out)
		}
		header = "订单编号\t订单状态\t标段编号\t被保证人\t受益人\t担保金额\t投标截止"
		line = func(o map[string]any) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s", o["order_no"], platform.OrderStateText(o["order_status"].(string)),
				o["block_number"], o["principal"], o["creditor"], o["guarantee_amount"], o["bid_deadline"])
		}
	case "guarantees":
		out, err = collect(func(c store.Cursor) ([]store.Guarantee, store.Cursor, error) {
			q := f.GuaranteeQuery()
			q.After, q.Limit = c, 500
			return st.ListGuarantees(ctx, q)
		}, guaranteeJSON)
		header = "保函编号\t保函序列号\t订单编号\t解保状态\tSHA-256"
		line = func(g map[string]any) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%s", g["guarantee_no"], g["serial_num"], g["order_no"],
				platform.ReleaseStatusText(g["release_status"].(int)), g["pdf_sha256"])
		}
	case "revocations":
		out, err = collect(func(c store.Cursor) ([]store.Revocation, store.Cursor, error) {
			q := f.RevocationQuery()
			q.After, q.Limit = c, 500
			return st.ListRevocations(ctx, q)
		}, revocationJSON)
		header = "批次号\t标段编号\t受益人\t当次撤销\t已发起撤销\t罚没"
		line = func(r map[string]any) string {
			n := func(k string) int { return len(r[k].([]map[string]string)) }
			return fmt.Sprintf("%s\t%s\t%s\t%d\t%d\t%d", r["revoke_no"], r["block_number"], r["creditor"],
				n("current_revoke_data"), n("revoke_success_data"), n("penalty_data"))
		}
	case "claims":
		out, err = collect(func(c store.Cursor) ([]store.Claim, store.Cursor, error) {
			q := f.ClaimQuery()
			q.After, q.Limit = c, 500
			return st.ListClaims(ctx, q)
		}, claimJSON)
		header = "理赔序列号\t保函编号\t理赔状态\t索赔金额\t附件"
		line = func(c map[string]any) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%d", c["claim_no"], c["guarantee_no"], platform.ClaimStateText(c["status"].(string)),
				c["claim_amount"], len(c["attachments"].([]map[string]any)))
		}
	case "held":
		var hs []store.Held
		hq := store.HeldQuery{Limit: store.MaxLimit, Filter: f.Search}
		if len(f.Status) > 0 {
			hq.State = f.Status[0]
		}
		hs, err = st.ListHeld(ctx, hq)
		for _, h := range hs {
			out = append(out, heldJSON(h))
		}
		if out == nil {
			out = []map[string]any{}
		}
		header = "编号\t接口\t编号(业务)\t状态\t重发次数\t收到时间\t原因"
		line = func(h map[string]any) string {
			return fmt.Sprintf("%d\t%s\t%s\t%s\t%d\t%s\t%s", h["id"], h["method"], h["ref"], listener.HeldStateText(h["state"].(string)),
				h["repeats"], time.UnixMilli(h["received_at"].(int64)).In(platform.CST).Format(platform.DateTimeLayout), h["reason"])
		}
	}
	if err != nil {
		return err
	}
	return a.print(out, func(w io.Writer) {
		lines := []string{header}
		for _, r := range out {
			lines = append(lines, line(r))
		}
		writeTable(w, lines)
	})
}

// writeTable aligns tab-separated lines by display width: a Chinese
// character takes two terminal cells (text/tabwriter counts it as one).
func writeTable(w io.Writer, lines []string) {
	var rows [][]string
	var widths []int
	for _, l := range lines {
		cells := strings.Split(l, "\t")
		for i, c := range cells {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
		rows = append(rows, cells)
	}
	for _, cells := range rows {
		var b strings.Builder
		for i, c := range cells {
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-runewidth.StringWidth(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// collect walks a keyset-paged list to its end (at most listLimit rows),
// turning each record into its `list --json` object.
func collect[T any](page func(store.Cursor) ([]T, store.Cursor, error), obj func(T) map[string]any) ([]map[string]any, error) {
	out := []map[string]any{}
	var c store.Cursor
	for {
		rows, next, err := page(c)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, obj(r))
		}
		if next == "" || len(rows) == 0 || len(out) >= listLimit {
			return out, nil
		}
		c = next
	}
}

// noteUnresolved tells on stderr (so that --json stays one document) of
// outbound calls whose outcome is unknown (结果未知), until reconciled.
func (a *app) noteUnresolved(ctx context.Context, st *store.Store) {
	atts, err := st.Unresolved(ctx)
	if err != nil || len(atts) == 0 {
		return
	}
	fmt.Fprintf(a.stderr, "baohan: 注意：%d 个调用结果未知，运行 baohan reconcile 核对：\n", len(atts))
	for _, at := range atts {
		fmt.Fprintf(a.stderr, "  %s %s（%s）\n", platform.MethodTitle(at.Method), at.Ref, time.UnixMilli(at.StartedAt).In(platform.CST).Format(platform.DateTimeLayout))
	}
}

// The JSON shapes of `list --json` (shared/interface.md): the manual's
// field names where one exists.

func orderJSON(o store.Order) map[string]any {
	m := map[string]any{"order_no": o.OrderNo, "order_status": o.OrderStatus, "block_number": o.BlockNumber,
		"block_name": o.BlockName, "principal": o.Principal, "creditor": o.Creditor,
		"guarantee_amount": o.GuaranteeAmount, "bid_deadline": o.BidDeadline, "valid_day": o.ValidDay,
		"order_amount": o.OrderAmount, "flagged": o.Flagged}
	return m
}

// addOrderFiles adds to each order's JSON its attach_files and
// guarantee_sign_files (interface.md): file_id, file_name, and sha256 once
// downloaded into the file store.
func addOrderFiles(ctx context.Context, st *store.Store, out []map[string]any) error {
	nos := make([]string, 0, len(out))
	for _, o := range out {
		nos = append(nos, o["order_no"].(string))
	}
	fields, err := st.OrderFields(ctx, nos)
	if err != nil {
		return err
	}
	lists := make([][2][]platform.SignFile, len(out))
	var ids []string
	for i, no := range nos {
		sign, attach := platform.OrderFiles(fields[no])
		lists[i] = [2][]platform.SignFile{sign, attach}
		for _, f := range append(append([]platform.SignFile{}, sign...), attach...) {
			ids = append(ids, string(f.FileID))
		}
	}
	dl, err := st.Downloads(ctx, ids)
	if err != nil {
		return err
	}
	for i, o := range out {
		o["guarantee_sign_files"] = fileListJSON(lists[i][0], dl)
		o["attach_files"] = fileListJSON(lists[i][1], dl)
	}
	return nil
}

func fileListJSON(files []platform.SignFile, dl map[string]store.Download) []map[string]string {
	out := []map[string]string{}
	for _, f := range files {
		j := map[string]string{"file_id": string(f.FileID), "file_name": string(f.FileName)}
		if d, ok := dl[string(f.FileID)]; ok {
			j["sha256"] = d.SHA256
		}
		out = append(out, j)
	}
	return out
}

func guaranteeJSON(g store.Guarantee) map[string]any {
	return map[string]any{"guarantee_no": g.GuaranteeNo, "serial_num": g.SerialNum, "order_no": g.OrderNo,
		"release_status": g.ReleaseStatus, "pdf_sha256": g.PDFSHA256, "block_number": g.BlockNumber,
		"out_guarantee_time": g.OutGuaranteeTime, "release_date": g.ReleaseDate, "pushed": g.PushedAt > 0}
}

func revocationJSON(r store.Revocation) map[string]any {
	lists := map[string][]map[string]string{store.ListSuccess: {}, store.ListCurrent: {}, store.ListPenalty: {}}
	for _, it := range r.Items {
		lists[it.List] = append(lists[it.List], map[string]string{"guarantee_no": it.GuaranteeNo, "principal": it.Principal, "serial_num": it.SerialNum})
	}
	return map[string]any{"revoke_no": r.RevokeNo, "block_number": r.BlockNumber, "block_name": r.BlockName,
		"creditor": r.Creditor, "note": r.Note, "revoke_success_data": lists[store.ListSuccess],
		"current_revoke_data": lists[store.ListCurrent], "penalty_data": lists[store.ListPenalty]}
}

func claimJSON(c store.Claim) map[string]any {
	att := []map[string]any{}
	for _, x := range c.Attachments {
		att = append(att, map[string]any{"name": x.Name, "size": x.Size, "sha256": x.SHA256, "field": x.Field})
	}
	return map[string]any{"claim_no": c.ClaimNo, "guarantee_no": c.GuaranteeNo, "status": c.Status,
		"claim_amount": c.ClaimAmount, "claim_reason": c.ClaimReason, "block_number": c.BlockNumber,
		"principal": c.Principal, "creditor": c.Creditor, "attachments": att}
}

func printOrder(w io.Writer, o store.Order) {
	fmt.Fprintf(w, "订单 %s：%s\n标段 %s %s\n被保证人 %s\n受益人 %s\n担保金额 %s 元，投标截止 %s\n",
		o.OrderNo, orderState(o.OrderStatus), o.BlockNumber, o.BlockName, o.Principal, o.Creditor, o.GuaranteeAmount, o.BidDeadline)
}

func printClaim(w io.Writer, c store.Claim) {
	fmt.Fprintf(w, "理赔 %s：%s\n保函编号 %s\n索赔金额 %s 元\n索赔理由 %s\n", c.ClaimNo, claimState(c.Status), c.GuaranteeNo, c.ClaimAmount, c.ClaimReason)
}

func orderState(code string) string {
	if t := platform.OrderStateText(code); t != "" {
		return t + "（" + code + "）"
	}
	return code
}

func claimState(code string) string {
	if t := platform.ClaimStateText(code); t != "" {
		return t + "（" + code + "）"
	}
	return code
}

// --- reconcile ---

func (a *app) reconcileCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "reconcile",
		Short: "settle calls whose answer never came (结果未知) by asking the platform",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			wf, err := a.workflows()
			if err != nil {
				return err
			}
			rs, err := wf.Reconcile(cmd.Context())
			out := []map[string]any{}
			for _, r := range rs {
				out = append(out, map[string]any{"method": r.Attempt.Method, "ref": r.Attempt.Ref, "state": r.State, "summary": r.Summary})
			}
			if perr := a.print(out, func(w io.Writer) {
				if len(rs) == 0 {
					fmt.Fprintln(w, "没有结果未知的调用")
				}
				for _, r := range rs {
					fmt.Fprintln(w, r.Summary)
				}
			}); perr != nil {
				return perr
			}
			return err
		},
	}
}

// --- backup, restore, loadtest ---

func (a *app) backupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "a consistent copy of the database while the listener runs (VACUUM INTO)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.storeOnly()
			if err != nil {
				return err
			}
			if err := backupPrivate(cmd.Context(), st, args[0]); err != nil {
				return err
			}
			return a.print(map[string]string{"backup": args[0], "data": st.Dir()}, func(w io.Writer) {
				fmt.Fprintf(w, "已备份 %s 到 %s（文件夹 %s 中的附件另需复制）\n", filepath.Join(st.Dir(), store.DBName), args[0], filepath.Join(st.Dir(), "files"))
			})
		},
	}
}

// backupPrivate writes the backup with mode 0600: VACUUM INTO creates its
// file with the process umask, so it is made inside a fresh 0700 folder
// beside dest, narrowed, then linked to dest (which never overwrites).
func backupPrivate(ctx context.Context, st *store.Store, dest string) error {
	if _, err := os.Lstat(dest); err == nil {
		return usageErr("%s 已存在，不覆盖", dest)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), ".baohan-backup-")
	if err != nil {
		return usageErr("无法在 %s 中写备份（%s）", filepath.Dir(dest), cli.FileProblem(err))
	}
	defer os.RemoveAll(tmp)
	part := filepath.Join(tmp, "backup.db")
	if err := st.Backup(ctx, part); err != nil {
		return fmt.Errorf("备份到 %s 失败：%s", dest, cli.Message(err))
	}
	if err := os.Chmod(part, 0o600); err != nil {
		return usageErr("无法设置 %s 的权限（%s）", dest, cli.FileProblem(err))
	}
	if err := os.Link(part, dest); err != nil {
		if errors.Is(err, os.ErrExist) {
			return usageErr("%s 已存在，不覆盖", dest)
		}
		return usageErr("无法写入 %s（%s）", dest, cli.FileProblem(err))
	}
	return nil
}

// restoreSteps is how to go back to a backup.
var restoreSteps = []string{
	"停止本数据文件夹上的工作台和所有 baohan serve。",
	"把数据文件夹中的 baohan.db、baohan.db-wal 和 baohan.db-shm 移到别处。",
	"把备份文件复制为 <数据文件夹>/baohan.db（权限 0600）。",
	"重新启动 baohan。备份之后平台发来的回调，平台只在重试期内（约 3 小时）重发；订单和理赔可用 baohan order info / baohan claim info 重新获取。",
}

func (a *app) restoreCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "restore",
		Short: "how to go back to a backup",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.print(map[string]any{"steps": restoreSteps}, func(w io.Writer) {
				fmt.Fprintln(w, "恢复备份：")
				for i, s := range restoreSteps {
					fmt.Fprintf(w, "  %d. %s\n", i+1, s)
				}
			})
		},
	}
}

func (a *app) loadtestCmd() *cobra.Command {
	var n, c int
	var url, kind string
	var throwaway bool
	cmd := &cobra.Command{
		Use:   "loadtest",
		Short: "send N signed callbacks at concurrency C to a listener (use against a sandbox or test listener)",
		Long: "loadtest sends N signed callbacks at concurrency C to the configured listener. They are stored\n" +
			"like real ones, so it refuses a data folder that `baohan sandbox` did not create, unless --throwaway.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			dir := cfg.DataDir(a.dataDir)
			if !throwaway && !isSandboxData(dir) {
				return usageErr("数据文件夹 %s 不是 baohan sandbox 创建的：压力测试的回调会像真回调一样存入，只能对沙箱或临时数据使用（确属临时数据时加 --throwaway）", dir)
			}
			if url == "" {
				url = "http://" + cfg.Listener.Addr
			}
			res, err := loadtest.Run(cmd.Context(), loadtest.Options{URL: url, N: n, Concurrency: c, APISecret: cfg.Platform.APISecret, PublicKey: cfg.PublicKey, Kind: kind})
			if err != nil {
				return err
			}
			return a.print(res, func(w io.Writer) {
				fmt.Fprintf(w, "%d 个回调，%d 个出错，每秒 %.0f 个；耗时 p50 %s，p90 %s，p99 %s，最长 %s\n", res.N, res.Errors, res.PerSecond, ms(res.P50), ms(res.P90), ms(res.P99), ms(res.Max))
			})
		},
	}
	cmd.Flags().IntVarP(&n, "n", "n", 1000, "number of callbacks")
	cmd.Flags().IntVarP(&c, "concurrency", "c", 8, "concurrent senders")
	cmd.Flags().StringVar(&url, "url", "", "listener base URL (default http://[listener] addr)")
	cmd.Flags().StringVar(&kind, "kind", "", "callback kind (see listener/loadtest)")
	cmd.Flags().BoolVar(&throwaway, "throwaway", false, "the data folder is throw-away data not made by sandbox; load it anyway")
	return cmd
}

// ms is a latency in milliseconds, as the clerk reads it.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f 毫秒", float64(d)/float64(time.Millisecond))
}

// sandboxMark is the file `baohan sandbox` leaves in the data folders it
// creates; loadtest loads only those (or --throwaway).
const sandboxMark = "SANDBOX"

func isSandboxData(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, sandboxMark))
	return err == nil
}

func markSandboxData(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, sandboxMark), []byte("created by baohan sandbox: throw-away data\n"), 0o600)
}

// orderStatusHelp lists the STATUS values notify_order_status takes, in
// Chinese and the manual's codes (5.4).
func orderStatusHelp() string {
	var b strings.Builder
	b.WriteString("订单状态通知（手册 2.3 notify_order_status）。STATUS 可取（手册 5.4 直开式）：\n")
	for _, code := range platform.NotifiableStates {
		fmt.Fprintf(&b, "  %-24s %s\n", code, platform.OrderStateText(code))
	}
	b.WriteString("WAIT_OUT_GUARANTEE（待出函）必须加 --amount 订单金额；审批退回加 --withdraw --statement 说明。\n" +
		"已出函（HAS_OUT_GUARANTEE）请用 baohan guarantee push，取消请用 baohan order cancel。")
	return b.String()
}

// claimResultHelp lists the --do-type/--status pairs of 3.2.
func claimResultHelp() string {
	var b strings.Builder
	b.WriteString("理赔结果更新（手册 3.2 guarantor_update_claim_result）。--do-type 与 --status 的组合：\n")
	for _, d := range platform.ClaimResultChoices {
		fmt.Fprintf(&b, "  --do-type %s（%s）：", d.Code, d.Meaning)
		for i, st := range d.Statuses {
			if i > 0 {
				b.WriteString("，")
			}
			fmt.Fprintf(&b, "--status %s %s", st.Code, st.Meaning)
		}
		b.WriteString("\n")
	}
	b.WriteString("--note 备注必填。")
	return b.String()
}

// --- init, doctor ---

func (a *app) initCmd() *cobra.Command {
	var v initcmd.Values
	var yes, force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "first run: from the platform's account e-mail to a config and key files (mode 0600)",
		Long: "首次设置：填写平台账号邮件中的信息（环境、api_key、api_secret、btc_id、三把密钥），保证人全称、\n" +
			"监听地址和隧道的公网地址；检查 rsa_pk 与 rsa_sk 是一对，写入配置文件和密钥文件（权限 0600），\n" +
			"并列出要提供给平台的 7 个回调地址。在终端中运行时显示表单；加 --yes（或不在终端中）时只用选项。\n" +
			"密钥可粘贴邮件中的 base64 文本，或给出 PEM 文件路径。已有文件不覆盖，除非加 --force。",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := a.configFile()
			if !force {
				if _, err := os.Lstat(path); err == nil {
					return usageErr("配置文件 %s 已存在，不覆盖（确需重写时加 --force，或用 --config 指定新位置）", path)
				}
			}
			if v.APISecret == "" {
				v.APISecret = os.Getenv("BAOHAN_API_SECRET")
			}
			keyDir, _ := os.Getwd()
			var keys *initcmd.Keys
			var err error
			if !yes && isTerminal(os.Stdin) {
				v, keys, err = initcmd.RunForm(cmd.Context(), v, keyDir, os.Stdin, a.stderr)
				if err != nil {
					return usageErr("%s", err.Error())
				}
			} else {
				v.Defaults()
				if keys, err = v.Check(keyDir); err != nil {
					return usageErr("%s", err.Error())
				}
			}
			res, err := initcmd.Write(path, v, keys, force, time.Now())
			if err != nil {
				return usageErr("%s", strings.TrimSuffix(err.Error(), ": "+initcmd.ErrExists.Error()))
			}
			return a.print(res, res.WriteText)
		},
	}
	f := cmd.Flags()
	f.StringVar(&v.Env, "env", "", "环境: test（测试）or production（正式）")
	f.StringVar(&v.BaseURL, "base-url", "", "platform API URL instead of --env's (a sandbox, a proxy)")
	f.StringVar(&v.APIKey, "api-key", "", "api_key of the account e-mail")
	f.StringVar(&v.APISecret, "api-secret", "", "api_secret of the account e-mail (or $BAOHAN_API_SECRET)")
	f.StringVar(&v.BtcID, "btc-id", "", "btc_id of the account e-mail")
	f.StringVar(&v.PlatformKey, "platform-key", "", "api_rsa_pk: base64 text or a PEM file")
	f.StringVar(&v.PublicKey, "public-key", "", "rsa_pk: base64 text or a PEM file")
	f.StringVar(&v.PrivateKey, "private-key", "", "rsa_sk: base64 text or a PEM file")
	f.StringVar(&v.Guarantor, "guarantor", "", "保证人 full name (出函担保公司)")
	f.StringVar(&v.Addr, "addr", "", "listener address (default "+platform.DefaultListenerAddr+")")
	f.StringVar(&v.PublicURL, "public-url", "", "the tunnel's public URL")
	f.BoolVar(&yes, "yes", false, "no form: take every answer from the flags")
	f.BoolVar(&force, "force", false, "overwrite an existing config and key files")
	return cmd
}

// isTerminal tells whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (a *app) doctorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "check config, keys, token, clock, listener, public URL, data folder, pending calls; exit 0 only when all pass",
		Long: "逐项检查并给出结论，未通过时给出一句修复办法：配置文件和密钥（可读、权限、是否一对）、\n" +
			"平台的访问令牌、本机时钟与平台时间、回调监听（运行、可监听）、公网地址（经隧道送出一次性校验值，\n" +
			"必须由本机的这个回调监听正确回答）、数据文件夹（可写、剩余空间）、结果未知的调用。全部通过才返回 0。",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			rep := doctor.Run(cmd.Context(), doctor.Options{Config: cfg, DataDir: cfg.DataDir(a.dataDir)})
			if err := a.print(rep, rep.WriteText); err != nil {
				return err
			}
			if !rep.OK {
				return checkFailed("%d 项检查未通过", rep.Failed())
			}
			return nil
		},
	}
}

// --- held callbacks ---

// heldJSON is a held callback's `list held --json` object (interface.md).
func heldJSON(h store.Held) map[string]any {
	return map[string]any{"id": h.ID, "method": h.Method, "key": h.Key, "ref": h.Ref, "reason": h.Reason,
		"received_at": h.ReceivedAt, "state": h.State, "repeats": h.Repeats, "note": h.Note, "files": h.Files}
}

func (a *app) heldCmd() *cobra.Command {
	c := &cobra.Command{Use: "held", Short: "暂存回调: accept applies one (the platform's next repeat gets 200), dismiss keeps refusing it"}
	for _, verb := range []string{"accept", "dismiss"} {
		var note string
		cmd := &cobra.Command{
			Use:   verb + " ID",
			Short: verb + " a held callback",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil || id <= 0 {
					return usageErr("暂存回调编号 %q 不是正整数", args[0])
				}
				st, err := a.storeOnly()
				if err != nil {
					return err
				}
				srv := listener.New(listener.Config{Logger: slog.New(slog.DiscardHandler)}, st)
				h, err := srv.DecideHeld(cmd.Context(), id, verb == "accept", note)
				if errors.Is(err, store.ErrNotFound) {
					return usageErr("没有编号为 %d 的暂存回调", id)
				}
				if err != nil {
					return usageErr("%v", err)
				}
				return a.print(heldJSON(h), func(w io.Writer) {
					fmt.Fprintf(w, "暂存回调 %d（%s %s）：%s\n", h.ID, h.Method, h.Ref, listener.HeldStateText(h.State))
				})
			},
		}
		cmd.Flags().StringVar(&note, "note", "", "the clerk's note")
		c.AddCommand(cmd)
	}
	return c
}
