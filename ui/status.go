package ui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// statusTick runs the checks the status bar's timer asks for: faults shown
// long enough leave the bar, deadlines are checked, the token, the skew and
// the addresses are read again, and doctor's checks run every doctorEvery.
func (m *Model) statusTick() tea.Cmd {
	if m.pc.Ctx.Err() != nil {
		return nil
	}
	m.bar.Expire(m.pc.Now())
	var again tea.Cmd
	if m.pc.Now().Sub(m.doctorAt) >= doctorEvery {
		again = m.doctorRun()
	}
	return tea.Batch(m.todo.CheckDeadlines(m.pc), m.bar.Read(m.pc), m.bar.Checks(m.pc), again, m.bar.Tick(m.pc))
}
