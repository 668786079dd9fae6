//go:build windows

package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"

	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

func newSystem() (system, error) {
	return windowsService{open: func() (winManager, error) {
		m, err := mgr.Connect()
		if err != nil {
			return nil, err
		}
		return scm{m}, nil
	}}, nil
}

// scm is winManager on svc/mgr and svc/eventlog.
type scm struct{ m *mgr.Mgr }

func (s scm) Close() error { return s.m.Disconnect() }

func (s scm) Exists(name string) (bool, error) {
	sv, err := s.m.OpenService(name)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sv.Close()
	return true, nil
}

func (s scm) Create(name, exe string, args []string) error {
	sv, err := s.m.CreateService(name, exe, mgr.Config{
		DisplayName: DisplayName, Description: Description, StartType: mgr.StartAutomatic,
	}, args...)
	if err != nil {
		return err
	}
	defer sv.Close()
	restart := []mgr.RecoveryAction{{Type: mgr.ServiceRestart, Delay: 5 * time.Second}, {Type: mgr.ServiceRestart, Delay: 30 * time.Second}}
	if err := sv.SetRecoveryActions(restart, 24*60*60); err != nil {
		_ = sv.Delete()
		return fmt.Errorf("set recovery actions: %w", err)
	}
	return nil
}

func (s scm) with(name string, f func(*mgr.Service) error) error {
	sv, err := s.m.OpenService(name)
	if err != nil {
		return err
	}
	defer sv.Close()
	return f(sv)
}

func (s scm) Delete(name string) error {
	return s.with(name, func(sv *mgr.Service) error { return sv.Delete() })
}

func (s scm) Start(name string) error {
	return s.with(name, func(sv *mgr.Service) error { return sv.Start() })
}

// stopWait bounds the wait for a drain (serve's DrainTimeout is shorter).
const stopWait = 90 * time.Second

func (s scm) Stop(name string) error {
	return s.with(name, func(sv *mgr.Service) error {
		st, err := sv.Control(svc.Stop)
		if err != nil {
			return err
		}
		deadline := time.Now().Add(stopWait)
		for st.State != svc.Stopped {
			if time.Now().After(deadline) {
				return fmt.Errorf("service still in state %d after %v", st.State, stopWait)
			}
			time.Sleep(300 * time.Millisecond)
			if st, err = sv.Query(); err != nil {
				return err
			}
		}
		return nil
	})
}

func (scm) InstallEventSource(name string) error {
	return eventlog.InstallAsEventCreate(name, eventlog.Error|eventlog.Warning|eventlog.Info)
}

func (scm) RemoveEventSource(name string) error { return eventlog.Remove(name) }

// eventLogger is eventLog on the Windows Event Log.
type eventLogger struct{ l *eventlog.Log }

func (e eventLogger) Info(msg string) error  { return e.l.Info(1, msg) }
func (e eventLogger) Error(msg string) error { return e.l.Error(1, msg) }

// handler is svc.Handler around runLoop.
type handler struct {
	run  func(context.Context) error
	elog eventLog
}

var toSvc = map[state]svc.State{
	stateStartPending: svc.StartPending, stateRunning: svc.Running,
	stateStopPending: svc.StopPending, stateStopped: svc.Stopped,
}

func (h handler) Execute(_ []string, r <-chan svc.ChangeRequest, changes chan<- svc.Status) (bool, uint32) {
	reqs := make(chan request)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case c := <-r:
				var q request
				switch c.Cmd {
				case svc.Interrogate:
					q = reqInterrogate
				case svc.Stop, svc.Shutdown:
					q = reqStop
				default:
					continue
				}
				select {
				case reqs <- q:
				case <-stop:
					return
				}
			case <-stop:
				return
			}
		}
	}()
	status := func(s state) {
		st := svc.Status{State: toSvc[s]}
		if s == stateRunning {
			st.Accepts = svc.AcceptStop | svc.AcceptShutdown
		}
		changes <- st
	}
	code := runLoop(reqs, status, h.run, h.elog)
	return code != 0, code
}

// runService is `baohan service run`, started by the service control
// manager: serve under the service dispatcher.
func runService(_ context.Context, f *cmdutil.Factory) error {
	isSvc, err := svc.IsWindowsService()
	if err != nil || !isSvc {
		return cli.UsageErr("baohan service run 只由 Windows 服务管理器启动；请用 baohan service start，或直接运行 baohan serve")
	}
	l, err := eventlog.Open(Name)
	if err != nil {
		return err
	}
	defer l.Close()
	run, closeLog, err := serveIn(f)
	if err != nil {
		_ = l.Error(1, Name+" 服务无法启动："+cli.Message(err))
		return err
	}
	defer closeLog()
	return svc.Run(Name, handler{run: run, elog: eventLogger{l}})
}
