package ui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// 新 marks: the orders and claims that arrived while the desk ran show '*'
// until opened; the marks are kept in the store, so a restart keeps them.

type newMarksMsg struct {
	marks map[string]bool
	err   error
}

func (m *Model) readNewMarks() tea.Cmd {
	db, ctx := m.pc.Store, m.pc.Ctx
	return func() tea.Msg {
		marks, err := db.NewMarks(ctx)
		return newMarksMsg{marks, err}
	}
}

// markNew marks records new, on screen and in the store.
func (m *Model) markNew(refs ...string) tea.Cmd {
	for _, r := range refs {
		m.pc.NewRefs[r] = true
	}
	db, ctx, log := m.pc.Store, m.pc.Ctx, m.pc.Log
	return func() tea.Msg {
		if err := db.MarkNew(ctx, refs...); err != nil && ctx.Err() == nil {
			log.Warn("mark new", "err", err)
		}
		return nil
	}
}

// seen clears a record's 新 mark.
func (m *Model) seen(ref string) tea.Cmd {
	if !m.pc.NewRefs[ref] {
		return nil
	}
	delete(m.pc.NewRefs, ref)
	db, ctx, log := m.pc.Store, m.pc.Ctx, m.pc.Log
	return func() tea.Msg {
		if err := db.ClearNew(ctx, ref); err != nil && ctx.Err() == nil {
			log.Warn("clear new", "err", err)
		}
		return nil
	}
}
