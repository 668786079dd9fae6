// Package program is the desk's program context (after gh-dash's
// ProgramContext): what every component of the desk may use — the store,
// the workflows, the keys, the clock, the screen size, the message line,
// the bell, the overlay stack and the task starter — handed to each component instead of the
// root model. Components read and write it only inside Update; the I/O they
// need runs in the tea.Cmd that Run makes.
package program

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/keys"
)

// Context is the program context.
type Context struct {
	// Ctx is cancelled when the desk quits; every task runs under it.
	Ctx   context.Context
	Store *store.Store
	// Workflows is nil on a read-only desk (actions say why they are
	// unavailable).
	Workflows *platform.Workflows
	Keys      keys.KeyMap
	Now       func() time.Time
	Log       *slog.Logger // file logger; never writes to the screen
	// Tick arms a timer (tea.Tick; benchmarks replace it to run reads
	// without waiting).
	Tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	// Width and Height are the screen's size in cells.
	Width, Height int
	// Flash is the message line above the status bar.
	Flash Flash
	// NewRefs are the order and claim numbers that arrived while the desk
	// ran (or before, kept in the store): their rows show '*'.
	NewRefs map[string]bool
	// Term is where the bell rings (nil: it only counts, in tests).
	Term *termenv.Output
	// Bells counts the times the bell rang (tests read it).
	Bells int
	// DecideHeld accepts or dismisses a held callback; nil: the desk says to
	// use baohan held accept|dismiss.
	DecideHeld func(ctx context.Context, id int64, accept bool, note string) (store.Held, error)

	// Stack holds the overlays (detail views, action forms, help); the
	// last is on top.
	Stack []Overlay
	seq   int
	// Spinner turns while an overlay is busy.
	Spinner spinner.Model
}

// Flash is the message line: a note, or an error (drawn red).
type Flash struct {
	Text string
	Err  bool
}

// Info puts a note on the message line.
func (c *Context) Info(format string, a ...any) {
	c.Flash = Flash{Text: fmt.Sprintf(format, a...)}
}

// Errorf puts an error on the message line and logs it.
func (c *Context) Errorf(format string, a ...any) {
	c.Flash = Flash{Text: fmt.Sprintf(format, a...), Err: true}
	c.Log.Error("desk", "message", c.Flash.Text)
}

// Alarm puts an error on the message line, logs it as a warning and rings
// the bell.
func (c *Context) Alarm(what, text string) tea.Cmd {
	c.Flash = Flash{Text: text, Err: true}
	c.Log.Warn(what, "message", text)
	return c.Bell()
}

// IsNew tells whether a record arrived while the desk ran ('*').
func (c *Context) IsNew(ref string) bool { return c.NewRefs[ref] }

// DeadlineAlert is "" for an order with no deadline alert now, else its
// words (platform.OrderDeadlineAlert).
func (c *Context) DeadlineAlert(o store.Order) string {
	switch a, _ := platform.OrderDeadlineAlert(o, c.Now()); a {
	case platform.AlertHours:
		return "不到2小时"
	case platform.AlertDay:
		return "不到24小时"
	}
	return ""
}

// Bell rings the terminal's bell.
func (c *Context) Bell() tea.Cmd {
	c.Bells++
	if c.Term == nil {
		return nil
	}
	out := c.Term
	return func() tea.Msg {
		_, _ = out.WriteString("\a")
		return nil
	}
}

// Run is the task starter: a command that runs task off the UI loop with
// the desk's context and store, its answer coming back as a message.
func (c *Context) Run(task func(ctx context.Context, db *store.Store) tea.Msg) tea.Cmd {
	ctx, db := c.Ctx, c.Store
	return func() tea.Msg { return task(ctx, db) }
}
