package ui

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"baohan/platform"
	"baohan/store"
)

// desk runs the desk on a teatest program of w x h cells.
type desk struct {
	t  *testing.T
	tm *teatest.TestModel
	// prog and in, for a desk made by newRawDesk (tm is nil then): the
	// program reads in as it reads a terminal.
	prog *tea.Program
	in   *io.PipeWriter
	// changed has a value after the desk took a message (tests wait on
	// it between looks, no fixed sleeps).
	changed chan struct{}
}

// testModel is the desk's model on the test clock, with the channel that
// has a value after it took a message.
func testModel(opt Options) (*Model, chan struct{}) {
	if opt.Now == nil {
		opt.Now = clockNow
	}
	m := newModel(opt)
	changed := make(chan struct{}, 1)
	m.updated = func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	return m, changed
}

func newDesk(t *testing.T, opt Options, w, h int) *desk {
	t.Helper()
	m, changed := testModel(opt)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	d := &desk{t: t, tm: tm, changed: changed}
	t.Cleanup(func() { _ = tm.Quit() })
	d.settle()
	return d
}

// send gives the desk a message.
func (d *desk) send(msg tea.Msg) {
	if d.prog != nil {
		d.prog.Send(msg)
		return
	}
	d.tm.Send(msg)
}

// newRawDesk runs the desk as a program reading a pipe as it reads a
// terminal: each write is one read, parsed by Bubble Tea's own input
// reader (keys typed together arrive as a terminal gives them).
func newRawDesk(t *testing.T, opt Options, w, h int) *desk {
	t.Helper()
	m, changed := testModel(opt)
	pr, pw := io.Pipe()
	p := tea.NewProgram(m, tea.WithInput(pr), tea.WithOutput(io.Discard), tea.WithoutSignalHandler(), tea.WithoutRenderer())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := p.Run(); err != nil {
			t.Errorf("run the desk: %v", err)
		}
	}()
	t.Cleanup(func() {
		p.Quit()
		<-done
		_ = pw.Close()
	})
	d := &desk{t: t, prog: p, in: pw, changed: changed}
	p.Send(tea.WindowSizeMsg{Width: w, Height: h})
	d.settle()
	return d
}

// write writes raw terminal input in one write (one read of the desk's),
// then waits until the desk settled.
func (d *desk) write(raw string) {
	d.t.Helper()
	if _, err := d.in.Write([]byte(raw)); err != nil {
		d.t.Fatal(err)
	}
	// The pipe hands this empty write to the reader only when it reads
	// again, that is after it gave the desk (an unbuffered channel) every
	// key of the write before: the keys are in before the next look.
	if _, err := d.in.Write(nil); err != nil {
		d.t.Fatal(err)
	}
	d.settle()
}

// inspect runs fn on the model inside its Update and waits for it.
func (d *desk) inspect(fn func(m *Model)) {
	d.t.Helper()
	done := make(chan struct{})
	d.send(inspectMsg(func(m *Model) { fn(m); close(done) }))
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		d.t.Fatal("the desk did not answer")
	}
}

// settle waits until nothing on screen waits for a read.
func (d *desk) settle() {
	d.t.Helper()
	d.waitFor("settled", func(m *Model) bool { return m.settled() })
}

// waitFor waits until cond holds on the model (checked inside Update),
// looking again each time the desk took a message.
func (d *desk) waitFor(what string, cond func(m *Model) bool) {
	d.t.Helper()
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		var ok bool
		d.inspect(func(m *Model) { ok = cond(m) })
		if ok {
			return
		}
		select {
		case <-d.changed:
		case <-timeout.C:
			var view string
			d.inspect(func(m *Model) { view = m.View() })
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, view)
		}
	}
}

// keys presses keys: "tab", "enter", "esc", "ctrl+o", "up", "down", ...
// or runs of text written as "text:..." typed one rune at a time.
func (d *desk) keys(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		if s, ok := strings.CutPrefix(k, "text:"); ok {
			for _, r := range s {
				d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			}
		} else {
			d.send(keyMsg(k))
		}
		// Like a clerk, look at the screen before the next key.
		d.settle()
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "ctrl+o":
		return tea.KeyMsg{Type: tea.KeyCtrlO}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	case "ctrl+r":
		return tea.KeyMsg{Type: tea.KeyCtrlR}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// view is the screen now.
func (d *desk) view() string {
	d.t.Helper()
	var v string
	d.inspect(func(m *Model) { v = m.View() })
	return v
}

// final quits and returns the last screen.
func (d *desk) final() string {
	d.t.Helper()
	v := d.view()
	if err := d.tm.Quit(); err != nil {
		d.t.Fatal(err)
	}
	fm := d.tm.FinalModel(d.t, teatest.WithFinalTimeout(10*time.Second))
	if fv := fm.View(); fv != v {
		d.t.Fatalf("final screen differs from the settled one:\n%s\n---\n%s", v, fv)
	}
	return v
}

// testWorkflows are workflows over db with no platform behind them: plans
// can be built (and shown), nothing can be sent.
func testWorkflows(db *store.Store) *platform.Workflows {
	return &platform.Workflows{Store: db, Guarantor: "福州某某融资担保有限公司", Now: clockNow}
}
