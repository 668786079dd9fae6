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
