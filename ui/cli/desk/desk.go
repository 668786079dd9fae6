// Package desk runs the desk (the TUI of package ui) with the callback
// listener inside it: `baohan` without a command, and `baohan sandbox`.
package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"baohan/listener"
	"baohan/platform"
	"baohan/store"
	"baohan/ui"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/doctor"
	"baohan/ui/cli/serve"
)

// RunConfigured opens the desk on the config's data folder.
func RunConfigured(ctx context.Context, f *cmdutil.Factory) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	dir := cfg.DataDir(f.DataDir)
	_, statErr := os.Stat(filepath.Join(dir, store.DBName))
	s, err := f.OpenStore(dir)
	if err != nil {
		return err
	}
	return Run(ctx, Options{Config: cfg, Store: s, Workflows: cmdutil.NewWorkflows(cfg, s),
		FirstStart: errors.Is(statErr, os.ErrNotExist)})
}

// Options are what the desk runs on.
type Options struct {
	Config     *platform.Config
	Store      *store.Store
	Workflows  *platform.Workflows
	Sandbox    bool // a simulated platform: no doctor checks, 沙箱模式 shown
	FirstStart bool // the data folder had no database yet
}

// Run runs the TUI with the listener inside it, unless a listener for this
// data folder already runs in another process: then the desk uses that
// one.
func Run(ctx context.Context, o Options) error {
	cfg, s, wf := o.Config, o.Store, o.Workflows
	logger, closer, err := listener.FileLogger(s.Dir(), slog.LevelInfo)
	if err != nil {
		return err
	}
	defer closer.Close()
	opt := ui.Options{Store: s, Workflows: wf, Client: wf.Client, PublicURL: cfg.Listener.PublicURL,
		Sandbox: o.Sandbox, Now: time.Now, Logger: logger,
		DecideHeld: listener.New(listener.Config{Logger: logger}, s).DecideHeld}
	if !o.Sandbox {
		// The checks of `baohan doctor`: shown at once on the first start
		// with a new config, then in the status bar.
		opt.FirstStart = o.FirstStart
		opt.Doctor = func(ctx context.Context) *doctor.Report {
			return doctor.Run(ctx, doctor.Options{Config: cfg, DataDir: s.Dir()})
		}
	}
	if addr, running := ExternalListener(s.Dir()); running {
		opt.ExternalListener = addr // the status bar names it
		// When that `baohan serve` stops, the desk takes over listening.
		var mu sync.Mutex
		var l *serve.Listener
		opt.TakeOver = func(context.Context) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			if l != nil {
				return l.Addr, nil
			}
			if _, running := ExternalListener(s.Dir()); running {
				return "", ui.ErrListenerRunning
			}
			started, err := serve.StartListener(cfg, s, wf, logger)
			if err != nil {
				return "", errors.New(cli.Message(err))
			}
			l = started
			return l.Addr, nil
		}
		uiErr := ui.Run(ctx, opt)
		mu.Lock()
		defer mu.Unlock()
		if l != nil {
			if err := l.Shutdown(listener.DrainTimeout); err != nil {
				logger.Error("listener shutdown", "err", err)
			}
			l.Release()
		}
		return uiErr
	}
	l, err := serve.StartListener(cfg, s, wf, logger)
	if err != nil {
		return err
	}
	defer l.Release()
	opt.ListenerAddr = l.Addr
	errc := make(chan error, 1)
	go func() { errc <- ui.Run(ctx, opt) }()
	var uiErr error
	select {
	case uiErr = <-errc:
	case <-ctx.Done():
		uiErr = <-errc
	}
	if err := l.Shutdown(listener.DrainTimeout); err != nil {
		logger.Error("listener shutdown", "err", err)
	}
	return uiErr
}

// ExternalListener tells whether a listener for dataDir already runs in
// another process (`baohan serve`) and where: the desk then uses it instead
// of starting a second one.
func ExternalListener(dataDir string) (addr string, running bool) {
	info, running := listener.Running(dataDir)
	if !running {
		return "", false
	}
	if info.Addr == "" {
		return fmt.Sprintf("（进程 %d，地址未知）", info.PID), true
	}
	return info.Addr, true
}
