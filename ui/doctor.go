package ui

import (
	"baohan/ui/program"
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
		return m.pc.Push(newDoctorView(m, msg.rep))
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
	return &doctorView{oid: m.pc.NextID(), lines: strings.Split(b.String(), "\n")}
}

func (v *doctorView) ID() int                          { return v.oid }
func (v *doctorView) Title() string                    { return "设置检查" }
func (v *doctorView) Init(pc *program.Context) tea.Cmd { return nil }
func (v *doctorView) Typing() bool                     { return false }
func (v *doctorView) Busy() bool                       { return false }
func (v *doctorView) Help(pc *program.Context) []key.Binding {
	return []key.Binding{pc.Keys.Back, pc.Keys.Up, pc.Keys.Down}
}
func (v *doctorView) Resize(pc *program.Context, w, h int) { v.h = h }
func (v *doctorView) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, pc.Keys.Back):
		pc.Pop()
	case key.Matches(k, pc.Keys.Down):
		v.off = min(v.off+1, max(len(v.lines)-v.h, 0))
	case key.Matches(k, pc.Keys.Up):
		v.off = max(v.off-1, 0)
	}
	return nil
}

func (v *doctorView) View(pc *program.Context, w, h int) string {
	end := min(v.off+h, len(v.lines))
	return strings.Join(v.lines[v.off:end], "\n")
}
