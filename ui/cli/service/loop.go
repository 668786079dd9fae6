package service

import (
	"context"
	"fmt"
)

// The Windows service's life, independent of golang.org/x/sys/windows/svc
// (service_windows.go turns svc's change requests and status into these).

type request int

const (
	reqInterrogate request = iota
	reqStop                // Stop or Shutdown
)

type state int

const (
	stateStartPending state = iota
	stateRunning
	stateStopPending
	stateStopped
)

// eventLog is where the service's start and stop are recorded (the
// Windows Event Log).
type eventLog interface {
	Info(msg string) error
	Error(msg string) error
}

// runLoop runs serve (run) until a stop request arrives on reqs or serve
// ends by itself, tells each state through status and records start and
// stop in elog. It returns the service's exit code: 0 after a requested
// stop with a clean drain, 1 otherwise.
func runLoop(reqs <-chan request, status func(state), run func(ctx context.Context) error, elog eventLog) uint32 {
	status(stateStartPending)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	status(stateRunning)
	_ = elog.Info(Name + " 服务已启动（回调监听）")
	for {
		select {
		case err := <-done:
			// serve ended without being asked: the manager restarts it.
			if err == nil {
				err = fmt.Errorf("serve ended")
			}
			_ = elog.Error(Name + " 服务意外停止：" + err.Error())
			status(stateStopped)
			return 1
		case r := <-reqs:
			switch r {
			case reqInterrogate:
				status(stateRunning)
			case reqStop:
				status(stateStopPending)
				cancel()
				err := <-done
				code := uint32(0)
				if err != nil {
					code = 1
					_ = elog.Error(Name + " 服务已停止，停止时出错：" + err.Error())
				} else {
					_ = elog.Info(Name + " 服务已停止")
				}
				status(stateStopped)
				return code
			}
		}
	}
}
