package ui

import (
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"baohan/ui/common"
	"baohan/ui/program"
)

// Taking over from a stopped `baohan serve`: the desk asks the serve it
// relies on whether it answers, and starts its own listener once it stops.

// externalEvery is how often the desk asks the `baohan serve` it relies on
// whether it answers (a loopback /healthz: cheap).
const externalEvery = 5 * time.Second

type externalTickMsg struct{}

type takeoverMsg struct {
	addr string
	err  error
}

// ErrListenerRunning is what Options.TakeOver returns while the other
// listener still holds the data folder's lock (it runs but does not answer):
// the desk keeps trying without a message.
var ErrListenerRunning = errors.New("the other listener still holds the lock")

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
			if !errors.Is(msg.err, ErrListenerRunning) {
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
