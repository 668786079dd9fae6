package ui

import (
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"baohan/ui/common"
	"baohan/ui/program"
)

// Deadlines that call out: when an order not yet issued crosses 24 hours
// and again 2 hours before its bid deadline (platform.OrderDeadlineAlert),
// the bell rings, the message line says which order, its row turns red
// with '!' in front, and the 待办 tab counts such orders. The check runs on
// every read of 待办 and on the status tick, from what 待办 holds (its
// orders come soonest deadline first).

// ---- 新 marks, kept in the store ----

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

// ---- taking over from a stopped `baohan serve` ----

// externalEvery is how often the desk asks the `baohan serve` it relies on
// whether it answers (a loopback /healthz: cheap).
const externalEvery = 5 * time.Second

type externalTickMsg struct{}

type takeoverMsg struct {
	addr string
	err  error
}

// errStillRunning is TakeOver's answer while the other listener still holds
// the data folder's lock (it runs but does not answer).
var errStillRunning = errors.New("the other listener still holds the lock")

// ErrListenerRunning is what Options.TakeOver returns when the other
// listener still holds the data folder: the desk keeps trying.
var ErrListenerRunning = errStillRunning

func (m *Model) externalTick() tea.Cmd {
	if m.bar.ExternalListener() == "" {
		return nil
	}
	return m.pc.Tick(externalEvery, func(time.Time) tea.Msg { return externalTickMsg{} })
}

func (m *Model) externalUpdate(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case externalTickMsg:
		if m.pc.Ctx.Err() != nil || m.bar.ExternalListener() == "" {
			return nil
		}
		return tea.Batch(m.bar.ExternalCheck(m.pc), m.externalTick())
	case takeoverMsg:
		m.takingOver = false
		if msg.err != nil {
			if !errors.Is(msg.err, errStillRunning) {
				m.pc.Errorf("baohan serve 已停止，本桌面接手接收回调失败：%s", common.Clean(msg.err.Error()))
			}
			return nil
		}
		was := m.bar.ExternalListener()
		m.bar.TookOver(msg.addr)
		m.pc.Flash = program.Flash{Text: fmt.Sprintf("baohan serve（%s）已停止：本桌面已接手接收回调，监听 %s", was, msg.addr), Err: true}
		m.pc.Log.Warn("took over listening", "from", was, "addr", msg.addr)
		return tea.Batch(m.pc.Bell(), m.bar.Checks(m.pc))
	}
	return nil
}

// takeOver starts the desk's own listener once the external one stopped.
func (m *Model) takeOver() tea.Cmd {
	if m.opt.TakeOver == nil || m.takingOver {
		return nil
	}
	m.takingOver = true
	take, ctx := m.opt.TakeOver, m.pc.Ctx
	return func() tea.Msg {
		addr, err := take(ctx)
		return takeoverMsg{addr: addr, err: err}
	}
}
