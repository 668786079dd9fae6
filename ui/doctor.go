package ui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"baohan/ui/cli/doctor"
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
		return m.push(newDoctorView(m, msg.rep))
	}
	return nil
}

// doctorView shows doctor's report: each verdict and the fix.
type doctorView struct {
	oid   int
	lines []string
	off   int
	h     int
}

func newDoctorView(m *Model, rep *doctor.Report) *doctorView {
	var b strings.Builder
	b.WriteString("首次启动：检查设置（与 baohan doctor 相同）\n\n")
	rep.WriteText(&b)
	b.WriteString("\nEsc 关闭")
	return &doctorView{oid: m.nextID(), lines: strings.Split(b.String(), "\n")}
}

func (v *doctorView) id() int               { return v.oid }
func (v *doctorView) title() string         { return "设置检查" }
func (v *doctorView) init(m *Model) tea.Cmd { return nil }
func (v *doctorView) typing() bool          { return false }
func (v *doctorView) busy() bool            { return false }
func (v *doctorView) help(m *Model) []key.Binding {
	return []key.Binding{m.pc.Keys.Back, m.pc.Keys.Up, m.pc.Keys.Down}
}
func (v *doctorView) resize(m *Model, w, h int) { v.h = h }
func (v *doctorView) update(m *Model, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, m.pc.Keys.Back):
		m.pop()
	case key.Matches(k, m.pc.Keys.Down):
		v.off = min(v.off+1, max(len(v.lines)-v.h, 0))
	case key.Matches(k, m.pc.Keys.Up):
		v.off = max(v.off-1, 0)
	}
	return nil
}

func (v *doctorView) view(m *Model, w, h int) string {
	end := min(v.off+h, len(v.lines))
	return strings.Join(v.lines[v.off:end], "\n")
}
