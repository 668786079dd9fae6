package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"baohan/platform"
	"baohan/ui/components/detail"
)

// boardMsg says the downloads in progress changed.
type boardMsg struct {
	files map[string]platform.FileProgress
}

// watchBoard waits for the next change of the store's downloads.
func (m *Model) watchBoard() tea.Cmd {
	b, ctx := platform.Board(m.pc.Store), m.pc.Ctx
	ch := b.Changed()
	return func() tea.Msg {
		select {
		case <-ch:
		case <-ctx.Done():
			return nil
		}
		return boardMsg{files: b.Snapshot()}
	}
}

// boardChanged shows the new progress in the open details, reads again a
// detail whose file has just come (or failed), and waits for the next change.
func (m *Model) boardChanged(msg boardMsg) tea.Cmd {
	cmds := []tea.Cmd{m.watchBoard()}
	for _, o := range m.pc.Stack {
		if d, ok := o.(*detail.View); ok {
			cmds = append(cmds, d.Board(m.pc, msg.files))
		}
	}
	return tea.Batch(cmds...)
}
