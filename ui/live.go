package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/detail"
	"baohan/ui/components/pane"
)

// The desk follows the store: every pollEvery it asks SQLite's data_version
// (cheap; it changes when any other connection, in this process or another,
// commits) and, when it changed, reads the events after the last one seen.
// New callbacks thus appear within a second whether the listener runs in the
// desk or in a `baohan serve` of its own. A new order or claim rings the
// bell and is marked '*' until opened.

const pollEvery = 400 * time.Millisecond

// eventBatch is how many events one poll reads at most.
const eventBatch = 500

type liveState struct {
	ready        bool
	version      int64
	lastID       int64
	lastCallback *store.Event
	err          error
}

type liveInitMsg struct {
	version, lastID int64
	last            *store.Event
	err             error
}

type pollMsg struct{}

type liveMsg struct {
	version int64
	events  []store.Event
	err     error
}

// liveInit reads where the journal stands, so that only later events are new.
func (m *Model) liveInit() tea.Cmd {
	db, ctx := m.pc.Store, m.pc.Ctx
	return func() tea.Msg {
		v, err := db.DataVersion(ctx)
		if err != nil {
			return liveInitMsg{err: err}
		}
		id, err := db.LastEventID(ctx)
		if err != nil {
			return liveInitMsg{err: err}
		}
		msg := liveInitMsg{version: v, lastID: id}
		if evs, err := db.ListEvents(ctx, store.EventQuery{Kind: store.KindCallback, Limit: 1}); err == nil && len(evs) > 0 {
			msg.last = &evs[0]
		}
		return msg
	}
}

func (m *Model) pollTick() tea.Cmd {
	return m.pc.Tick(pollEvery, func(time.Time) tea.Msg { return pollMsg{} })
}

func (m *Model) poll() tea.Cmd {
	db, ctx, seen, last := m.pc.Store, m.pc.Ctx, m.live.version, m.live.lastID
	return func() tea.Msg {
		v, err := db.DataVersion(ctx)
		if err != nil {
			return liveMsg{err: err}
		}
		if v == seen {
			return liveMsg{version: v}
		}
		evs, err := db.EventsAfter(ctx, last, eventBatch)
		if err != nil {
			return liveMsg{err: err}
		}
		if len(evs) == eventBatch {
			v = seen // more to read: the next poll goes on
		}
		return liveMsg{version: v, events: evs}
	}
}

func (m *Model) liveUpdate(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case liveInitMsg:
		if msg.err != nil {
			if m.live.err == nil {
				m.pc.Errorf("读取日志失败：%v", msg.err)
			}
			m.live.err = msg.err
			return m.pollTick()
		}
		m.live = liveState{ready: true, version: msg.version, lastID: msg.lastID, lastCallback: msg.last}
		return m.pollTick()
	case pollMsg:
		if m.pc.Ctx.Err() != nil {
			return nil
		}
		if !m.live.ready {
			return m.liveInit()
		}
		return m.poll()
	case liveMsg:
		if msg.err != nil {
			if m.live.err == nil {
				m.pc.Errorf("读取数据库失败：%v", msg.err)
			}
			m.live.err = msg.err
			return m.pollTick()
		}
		m.live.err = nil
		changed := msg.version != m.live.version || len(msg.events) > 0
		m.live.version = msg.version
		if !changed {
			return m.pollTick()
		}
		return tea.Batch(m.pollTick(), m.applyEvents(msg.events))
	}
	return nil
}

// applyEvents takes new journal lines: it rings for a new order or claim
// and for a fault (which the status bar then shows), and reads again what
// is on screen.
func (m *Model) applyEvents(evs []store.Event) tea.Cmd {
	var cmds []tea.Cmd
	refs := map[string]bool{}
	ring := false
	for i := range evs {
		e := evs[i]
		if e.ID > m.live.lastID {
			m.live.lastID = e.ID
		}
		refs[e.Ref] = true
		if e.Kind == store.KindFault {
			m.bar.SetFault(&e, m.pc.Now())
			m.pc.Log.Error("fault recorded", "method", e.Method, "ref", e.Ref, "summary", e.Summary)
			ring = true
			continue
		}
		if e.Kind != store.KindCallback {
			continue
		}
		m.live.lastCallback = &e
		switch e.Method {
		case "apply_guarantee":
			if e.Status == 0 || e.Status == 200 {
				cmds = append(cmds, m.markNew(e.Ref))
				ring = true
				m.pc.Info("新订单 %s 到达（保函申请）", e.Ref)
			}
		case "apply_claim":
			if e.Status == 0 || e.Status == 200 {
				cmds = append(cmds, m.markNew(e.Ref))
				ring = true
				m.pc.Info("新理赔 %s 到达（理赔申请）", e.Ref)
			}
		}
	}
	if ring {
		cmds = append(cmds, m.pc.Bell())
	}
	cmds = append(cmds, m.panes[m.active].Refresh(m.pc), m.bar.Read(m.pc))
	if m.active != int(pane.IDTodo) {
		cmds = append(cmds, m.todo.Refresh(m.pc))
	}
	for _, o := range m.pc.Stack {
		if d, ok := o.(*detail.View); ok && (refs[d.Asked().Key] || d.Asked().Kind == common.KindEvent) {
			if d.Asked().Kind != common.KindEvent {
				cmds = append(cmds, d.Reload(m.pc))
			}
		}
	}
	return tea.Batch(cmds...)
}
