// Package checks shows the report of doctor's checks (设置检查) over the
// panes: on a first start with a new config the desk opens with it.
package checks

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"baohan/ui/cli/doctor"
	"baohan/ui/program"
)

// Report shows doctor's report: each verdict and the fix.
type Report struct {
	oid   int
	lines []string
	off   int
	h     int
}

// New is the report's view (it is pushed on the overlay stack).
func New(pc *program.Context, rep *doctor.Report) *Report {
	var b strings.Builder
	b.WriteString("首次启动：检查设置（与 baohan doctor 相同）\n\n")
	rep.WriteText(&b)
	b.WriteString("\nEsc 关闭")
	return &Report{oid: pc.NextID(), lines: strings.Split(b.String(), "\n")}
}

func (v *Report) ID() int                          { return v.oid }
func (v *Report) Title() string                    { return "设置检查" }
func (v *Report) Init(pc *program.Context) tea.Cmd { return nil }
func (v *Report) Typing() bool                     { return false }
func (v *Report) Busy() bool                       { return false }
func (v *Report) Help(pc *program.Context) []key.Binding {
	return []key.Binding{pc.Keys.Back, pc.Keys.Up, pc.Keys.Down}
}
func (v *Report) Resize(pc *program.Context, w, h int) { v.h = h }
func (v *Report) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
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

func (v *Report) View(pc *program.Context, w, h int) string {
	end := min(v.off+h, len(v.lines))
	return strings.Join(v.lines[v.off:end], "\n")
}
