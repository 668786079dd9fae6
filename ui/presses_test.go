package ui

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"baohan/store"
	"baohan/ui/components/action"
	"baohan/ui/components/pane"
)

// selKey is the key of the active pane's selected record ("" when none).
func selKey(d *desk) string {
	var k string
	d.inspect(func(m *Model) {
		if s := m.panes[m.active].Selection(); s != nil {
			k = s.Key
		}
	})
	return k
}

// Keys that arrive in one read come as one KeyRunes message: each acts as
// its own press, as if typed one by one.
func TestBatchedKeysActAsSeparatePresses(t *testing.T) {
	db := fixtureStore(t)
	one := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	one.keys("2", "j", "j", "j")
	want := selKey(one)

	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	d.keys("2")
	first := selKey(d)
	d.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj")})
	d.settle()
	if got := selKey(d); got != want || got == first {
		t.Fatalf("jjj in one message: selected %q, want %q (three presses of j; first row %q)", got, want, first)
	}
	// GG: the bottom (pressed twice, still the bottom); gg: the top.
	one.keys("G")
	bottom := selKey(one)
	d.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("GG")})
	d.settle()
	if got := selKey(d); got != bottom {
		t.Fatalf("GG: selected %q, want the last row %q", got, bottom)
	}
	d.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("gg")})
	d.settle()
	if got := selKey(d); got != first {
		t.Fatalf("gg: selected %q, want the first row %q", got, first)
	}
	// "/福州" in one read: / opens the search, the rest is its text, whole.
	d.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/福州")})
	d.settle()
	var text string
	var typing bool
	d.inspect(func(m *Model) {
		p := m.panes[m.active].(*pane.Table[store.Order])
		text, typing = p.Search.Value(), p.Typing()
	})
	if !typing || text != "福州" {
		t.Fatalf("/福州 in one message: searching=%v text %q, want the search open with 福州", typing, text)
	}
}

// openPush opens the push form on the order waiting for its guarantee and
// fills the guarantee number and the PDF.
func openPush(d *desk, pdf string) {
	d.keys("2", "j", "j", "j", "p", "text:G2025010", "tab", "text:"+pdf)
}

func attempts(t *testing.T, db *store.Store) int {
	t.Helper()
	a, err := db.AttemptsFor(context.Background(), "G2025010", 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(a)
}

// Enter moves between the form's fields and never confirms: four (or
// ten) Enters from the PDF field leave the push on its summary, unsent.
func TestFourEntersCannotPush(t *testing.T) {
	for _, pdf := range []string{"testdata/pdf/signed.pdf", "../testdata/pdf/unsigned.pdf"} {
		t.Run(pdf, func(t *testing.T) {
			db := fixtureStore(t)
			d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 80, 24)
			openPush(d, pdf)
			before := attempts(t, db)
			d.keys("enter", "enter", "enter", "enter")
			d.tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			d.tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			d.settle()
			var state action.State
			d.inspect(func(m *Model) { state = m.pc.Top().(*action.View).State() })
			if state != action.StateConfirm {
				t.Fatalf("after enters the push is in state %d, want the summary (%d)", state, action.StateConfirm)
			}
			if n := attempts(t, db); n != before {
				t.Fatalf("enters sent a call: %d attempts, were %d", n, before)
			}
		})
	}
}

// A push with a warning needs y and then Y: y alone only arms it, and a
// second y does not send either.
func TestPushWarningNeedsSecondConfirmation(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 80, 24)
	openPush(d, "../testdata/pdf/unsigned.pdf")
	d.keys("enter", "enter", "enter")
	d.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("yy")})
	d.settle()
	var state action.State
	var armed bool
	d.inspect(func(m *Model) { a := m.pc.Top().(*action.View); state, armed = a.State(), a.Armed() })
	if state != action.StateConfirm || !armed {
		t.Fatalf("after yy: state %d armed %v, want the summary armed for the second confirmation", state, armed)
	}
	d.keys("n")
	d.inspect(func(m *Model) { a := m.pc.Top().(*action.View); state, armed = a.State(), a.Armed() })
	if state != action.StateForm || armed {
		t.Fatalf("n: state %d armed %v, want back to the form, disarmed", state, armed)
	}
	// Y without the first y does nothing.
	d.keys("enter", "Y")
	d.inspect(func(m *Model) { a := m.pc.Top().(*action.View); state, armed = a.State(), a.Armed() })
	if state != action.StateConfirm || armed {
		t.Fatalf("Y before y: state %d armed %v", state, armed)
	}
	// y then Y sends. These workflows have no platform behind them: the
	// call itself is replaced, after the plan's hold was lifted.
	d.keys("y")
	sent := 0
	d.inspect(func(m *Model) {
		m.pc.Top().(*action.View).Prepared().Run = func(context.Context, func(int64, int64)) (*action.Outcome, error) {
			sent++
			return &action.Outcome{Lines: []string{"保函 G2025010 已推送（测试）"}}, nil
		}
	})
	d.keys("Y")
	var lifted bool
	d.inspect(func(m *Model) {
		a := m.pc.Top().(*action.View)
		state = a.State()
		lifted = !a.Prepared().Override() // lifted already: a second Override has nothing to do
	})
	if state != action.StateResult || sent != 1 || !lifted {
		t.Fatalf("y Y: state %d, sent %d, hold lifted %v; want the result of one call", state, sent, lifted)
	}
}
