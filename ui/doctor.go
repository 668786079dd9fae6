package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"baohan/ui/cli/doctor"
	"baohan/ui/components/checks"
)

// doctorEvery is how often the desk runs doctor's checks again for the
// status bar.
const doctorEvery = 5 * time.Minute

type doctorMsg struct{ rep *doctor.Report }

// doctorRun runs opt.Doctor (the checks of `baohan doctor`) off the UI loop.
func (m *Model) doctorRun() tea.Cmd {
	run := m.opt.Doctor
	if run == nil || m.doctorRunning {
		return nil
	}
	m.doctorRunning = true
	m.doctorAt = m.pc.Now()
	ctx := m.pc.Ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		return doctorMsg{rep: run(ctx)}
	}
}

// doctorUpdate keeps the report; on the first start with a new config it
// shows the checks at once.
func (m *Model) doctorUpdate(msg doctorMsg) tea.Cmd {
	m.doctorRunning = false
	if m.pc.Ctx.Err() != nil || msg.rep == nil {
		return nil
	}
	m.bar.SetDoctor(msg.rep)
	if m.opt.FirstStart && !m.doctorShown {
		m.doctorShown = true
		return m.pc.Push(checks.New(m.pc, msg.rep))
	}
	return nil
}

// showChecks opens the report of doctor's last run (the status bar's
// 检查N项未过 names it), or says that none is there yet.
func (m *Model) showChecks() tea.Cmd {
	rep := m.bar.Doctor()
	switch {
	case m.opt.Doctor == nil:
		m.pc.Info("这个桌面不做设置检查；请运行 baohan doctor")
		return nil
	case rep == nil:
		m.pc.Info("设置检查还在进行，稍后再按 !")
		return nil
	}
	return m.pc.Push(checks.New(m.pc, rep))
}
