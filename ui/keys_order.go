package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"baohan/ui/components/action"
	"baohan/ui/program"
)

// What arrives in one read of the terminal (typed fast, sent over a slow
// link, repeated under load, pasted) acts as if typed one key at a time,
// each on the screen the key before it left:
//
//   - Bubble Tea gives the runes of one read as one KeyRunes message
//     ("jjj"): each rune is a press of its own, matched on its own, unless
//     a text field or search has the keys then (it takes the rest whole).
//   - It reads Esc followed by a key as that key with Alt ("\x1b2" is
//     alt+2, "\x1b\x1b" alt+esc). The desk binds no Alt key: such a message
//     is Esc, then the key.
//   - A key that opens a screen whose content is still being read (a
//     detail view, an action form, 签发, a list pane shown for the first
//     time) leaves the keys after it to that screen: they are held until
//     it has opened (program.Opener), then pressed in order.
//
// The keys are held only while a screen reads what it shows, never while a
// call runs or a plan is built: a y typed before a summary was on screen
// does not confirm it.

// maxHeld bounds the keys held while a screen opens; more are refused,
// with a word, rather than piling up.
const maxHeld = 256

// keyPresses queues a key message and presses what can be pressed now.
func (m *Model) keyPresses(k tea.KeyMsg) tea.Cmd {
	if len(m.held) >= maxHeld {
		m.pc.Errorf("按键太多，正在打开的画面还没有显示：后面的按键未处理")
		return nil
	}
	m.held = append(m.held, k)
	return m.pressHeld()
}

// pressHeld presses the held keys one at a time, until none is left or a
// screen is opening.
func (m *Model) pressHeld() tea.Cmd {
	var cmds []tea.Cmd
	for len(m.held) > 0 && !m.screenOpening() {
		cmds = append(cmds, m.key(m.nextPress()))
	}
	return tea.Batch(cmds...)
}

// nextPress takes the next single press off the held keys.
func (m *Model) nextPress() tea.KeyMsg {
	k := m.held[0]
	if k.Alt && !k.Paste {
		// Esc read together with the key after it.
		m.held[0].Alt = false
		return tea.KeyMsg{Type: tea.KeyEsc}
	}
	if k.Type == tea.KeyRunes && len(k.Runes) > 1 && !k.Paste && !m.textFocus() {
		r := k.Runes[0]
		m.held[0].Runes = k.Runes[1:]
		if r == ' ' {
			return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{r}}
		}
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}
	}
	m.held = m.held[1:]
	return k
}

// screenOpening tells whether the screen on top is still reading what its
// keys act on.
func (m *Model) screenOpening() bool {
	if m.opening > 0 {
		return true
	}
	if top := m.pc.Top(); top != nil {
		if o, ok := top.(program.Opener); ok {
			return o.Opening()
		}
		return false
	}
	// No overlay: a pane shown for the first time reads its first rows.
	if o, ok := m.panes[m.active].(program.Opener); ok {
		return o.Opening()
	}
	return false
}

// textFocus tells whether the keys go to a text input now (a form's text
// field, a pane's search).
func (m *Model) textFocus() bool {
	if o := m.pc.Top(); o != nil {
		switch o := o.(type) {
		case *action.View:
			f := o.Form().Focused()
			return o.State() == action.StateForm && f != nil && f.Typing()
		case interface{ TextFocus() bool }:
			return o.TextFocus()
		}
		return o.Typing()
	}
	return m.panes[m.active].Typing()
}
