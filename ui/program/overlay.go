package program

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Overlay is a view over the panes: a record's detail, an action, the help
// page, doctor's report. Overlays stack; keys go to the top one.
type Overlay interface {
	ID() int
	Title() string
	Init(pc *Context) tea.Cmd
	Update(pc *Context, msg tea.Msg) tea.Cmd
	Resize(pc *Context, w, h int)
	View(pc *Context, w, h int) string
	Help(pc *Context) []key.Binding
	// Typing: a text field has the keys (q and ? are text then).
	Typing() bool
	// Busy: waiting for a command (the spinner turns).
	Busy() bool
}

// OverlayMsg is a message addressed to one overlay.
type OverlayMsg interface{ OverlayID() int }

// ContentHeight is the height of the pane area: the screen less the tab
// line, the message line, the status bar and the help bar.
func (c *Context) ContentHeight() int { return max(c.Height-4, 3) }

// Push puts an overlay on top.
func (c *Context) Push(o Overlay) tea.Cmd {
	c.Stack = append(c.Stack, o)
	o.Resize(c, c.Width, c.ContentHeight())
	return o.Init(c)
}

// Pop takes the top overlay off.
func (c *Context) Pop() {
	if len(c.Stack) > 0 {
		c.Stack = c.Stack[:len(c.Stack)-1]
	}
}

// Top is the overlay on top (nil: the panes show).
func (c *Context) Top() Overlay {
	if len(c.Stack) == 0 {
		return nil
	}
	return c.Stack[len(c.Stack)-1]
}

// NextID is a new id for an overlay (its messages carry it).
func (c *Context) NextID() int {
	c.seq++
	return c.seq
}

// Opener is an overlay that may be on screen before what its keys act on
// is there (its first read). While Opening, the desk holds the keys that
// follow and gives them to it, in order, once it has opened: a key typed
// right after the one that opened a screen belongs to that screen.
type Opener interface {
	Opening() bool
}
