// Package serve is `baohan serve`: the callback listener alone, and how
// every command that runs a listener starts it.
package serve

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"baohan/listener"
	"baohan/pdfsign"
	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// ServeOptions are what `serve` needs.
type ServeOptions struct {
	Config    func() (*platform.Config, error)
	Store     func() (*store.Store, error)
	Logger    *slog.Logger
	Context   context.Context
	Workflows func(*platform.Config, *store.Store) *platform.Workflows
}

// NewCmdServe is `baohan serve`.
func NewCmdServe(f *cmdutil.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{Config: f.Config, Store: f.Store, Workflows: cmdutil.NewWorkflows}
	return &cobra.Command{
		Use:   "serve",
		Short: "只运行回调监听，无界面；日志写到 stderr；收到 SIGINT/SIGTERM 时处理完进行中的请求后以 0 退出",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Context = cmd.Context()
			opts.Logger = slog.New(NewLogHandler(slog.NewTextHandler(f.IOStreams.ErrOut, nil)))
			if runF != nil {
				return runF(opts)
			}
			return serveRun(opts)
		},
	}
}

func serveRun(opts *ServeOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	s, err := opts.Store()
	if err != nil {
		return err
	}
	if info, running := listener.Running(s.Dir()); running {
		return cli.UsageErr("数据文件夹 %s 的回调监听已在运行（进程 %d，%s），不能再启动一个", s.Dir(), info.PID, info.Addr)
	}
	l, err := StartListener(cfg, s, opts.Workflows(cfg, s), opts.Logger)
	if err != nil {
		return err
	}
	defer l.Release()
	opts.Logger.Info("listening", "addr", l.Addr, "public_url", cfg.Listener.PublicURL, "data", s.Dir())
	<-opts.Context.Done()
	opts.Logger.Info("shutting down: draining in-flight callbacks")
	return l.Shutdown(listener.DrainTimeout)
}

// Listener is a listener serving in the background.
type Listener struct {
	Server  *listener.Server
	Addr    string // where it is bound
	Release func() // gives the data folder's listener lock back
}

// Shutdown drains the listener within d.
func (l *Listener) Shutdown(d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return l.Server.Shutdown(ctx)
}

// ListenerConfig is the listener's configuration from cfg.
func ListenerConfig(cfg *platform.Config, wf *platform.Workflows, logger *slog.Logger) listener.Config {
	lcfg := listener.Config{
		Addr: cfg.Listener.Addr, APISecret: cfg.Platform.APISecret, PrivateKey: cfg.PrivateKey, Apply: cfg.Apply,
		AllowFrom: cfg.Listener.AllowFrom, TrustedProxy: cfg.Listener.TrustedProxy,
		PDF:    pdfsign.Options{Revocation: cfg.PDF.RevocationCheck, Timeout: cfg.PDF.Timeout.Duration},
		Logger: logger,
	}
	if wf != nil {
		lcfg.Fetcher = wf
	}
	return lcfg
}

// StartListener binds the listener, takes the data folder's listener lock
// and serves in the background.
func StartListener(cfg *platform.Config, s *store.Store, wf *platform.Workflows, logger *slog.Logger) (*Listener, error) {
	srv := listener.New(ListenerConfig(cfg, wf, logger), s)
	ln, err := net.Listen("tcp", cfg.Listener.Addr)
	if err != nil {
		return nil, cli.UsageErr("配置文件 %s 中的 listener.addr %s 无法监听（%s）", cfg.Path, cfg.Listener.Addr, cli.NetProblem(err))
	}
	release, err := listener.Lock(s.Dir(), listener.Info{PID: os.Getpid(), Addr: ln.Addr().String(), PublicURL: cfg.Listener.PublicURL, StartedAt: time.Now()})
	if err != nil {
		ln.Close()
		return nil, err
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
	return &Listener{Server: srv, Addr: ln.Addr().String(), Release: func() { stopKeeper(); release() }}, nil
}
