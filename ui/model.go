// Package ui is the desk: a Bubble Tea terminal program a clerk of the
// guarantee firm runs the day on. It shows what the store holds (待办, 订单,
// 保函, 撤销, 理赔, 日志), follows new callbacks live by tailing the store's
// event journal, and sends the outbound calls through platform.Workflows,
// each after a form and a confirmation showing exactly what will be sent.
//
// The desk owns no business rule: every check and every message is the
// platform package's. Update and View do no I/O; every store read, workflow
// call and file operation runs in a tea.Cmd and comes back as a message.
package ui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli/doctor"
	"baohan/ui/common"
	"baohan/ui/components/action"
	"baohan/ui/components/claims"
	"baohan/ui/components/detail"
	"baohan/ui/components/guarantees"
	"baohan/ui/components/help"
	logpane "baohan/ui/components/log"
	"baohan/ui/components/orders"
	"baohan/ui/components/pane"
	"baohan/ui/components/revocations"
	"baohan/ui/components/statusbar"
	"baohan/ui/components/todo"
	"baohan/ui/keys"
	"baohan/ui/program"
)

// Options is what main.go gives the desk.
type Options struct {
	Store     *store.Store
	Workflows *platform.Workflows // nil: read-only desk (actions say why they are unavailable)
	// Client is the platform client; the token time left is read from the
	// store's token row, never by a network call.
	Client           *platform.Client
	ListenerAddr     string // where the in-process listener listens ("" if another process's listener is used)
	PublicURL        string
	ExternalListener string // set when a `baohan serve` for this data dir already runs (its address)
	Sandbox          bool   // show 沙箱模式 in the status bar
	Now              func() time.Time
	Logger           *slog.Logger // file logger; never writes to the screen
	// Doctor runs the checks of `baohan doctor`; the status bar shows their
	// outcome, and with FirstStart (a new config, a new data folder) the
	// desk opens with the report.
	Doctor     func(context.Context) *doctor.Report
	FirstStart bool
	// DecideHeld accepts or dismisses a held callback (listener.Server's
	// DecideHeld); nil: the desk says to use baohan held accept|dismiss.
	DecideHeld func(ctx context.Context, id int64, accept bool, note string) (store.Held, error)
	// ExportDir is where the export key writes ("" the folder the desk was
	// started in).
	ExportDir string
	// TakeOver starts the desk's own listener when the ExternalListener
	// stopped, and returns its address; ErrListenerRunning while the other
	// one still holds the data folder. nil: the desk only tells.
	TakeOver func(ctx context.Context) (addr string, err error)
}

// Run runs the desk in the alternate screen until the clerk quits (q) or ctx
// is done. The caller drains its listener afterwards.
func Run(ctx context.Context, opt Options) error {
	m := newModel(opt)
	out := termenv.NewOutput(os.Stdout)
	m.pc.Term = out
	p := tea.NewProgram(m, tea.WithAltScreen())
	stop := context.AfterFunc(ctx, func() { p.Quit() })
	defer stop()
	_, err := p.Run()
	m.cancel()
	removeOpened() // the copies opened in the system's viewer
	if err != nil {
		return fmt.Errorf("run desk: %w", err)
	}
	return nil
}

// New makes the desk's root model (for tests and Run).
func New(opt Options) tea.Model { return newModel(opt) }

// Model is the desk's root model: it routes messages to the components and
// lays them out. What the components share is the program context pc.
type Model struct {
	opt      Options
	pc       *program.Context
	cancel   context.CancelFunc
	spinning bool // the spinner's tick is armed

	panes  []pane.Pane
	active int

	live     liveState
	bar      *statusbar.Bar
	files    map[string]detail.Downloaded // platform file_id -> downloaded into the store this session
	quitting bool                         // asked to quit while something runs
	opening  int                          // actions whose form waits for a read
	// held are the keys that arrived while a screen was opening (keys.go):
	// they are pressed, in order, once it has opened.
	held []tea.KeyMsg
	todo *todo.Pane // the 待办 pane
	cwd  string     // where the file picker starts
	// quitListening asks before q stops the listener inside the desk.
	quitListening bool
	takingOver    bool // TakeOver runs
	// doctor's checks: when they last ran, whether they run now, whether
	// the report was shown on a first start.
	doctorAt      time.Time
	doctorRunning bool
	doctorShown   bool
	// updated, when set (tests), is called after every message but an
	// inspectMsg: tests wait for it instead of sleeping.
	updated func()
}

// inspectMsg runs a function on the model inside Update (tests use it to
// read the model's state without a data race).
type inspectMsg func(*Model)

func newModel(opt Options) *Model {
	ctx, cancel := context.WithCancel(context.Background())
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	sp := spinner.New(spinner.WithSpinner(spinner.Line))
	pc := &program.Context{
		Ctx: ctx, Store: opt.Store, Workflows: opt.Workflows, Keys: keys.Default(), Now: now, Log: log,
		Tick: tea.Tick, Width: 80, Height: 24, NewRefs: map[string]bool{}, DecideHeld: opt.DecideHeld,
	}
	pc.Spinner = sp
	m := &Model{opt: opt, pc: pc, cancel: cancel, files: map[string]detail.Downloaded{}}
	m.bar = statusbar.New(statusbar.Options{Sandbox: opt.Sandbox, ListenerAddr: opt.ListenerAddr, ExternalListener: opt.ExternalListener,
		PublicURL: opt.PublicURL, Client: opt.Client, Doctor: opt.Doctor != nil})
	m.cwd, _ = os.Getwd()
	m.todo = todo.New()
	orders, guarantees, revocations, claims, logp := orders.New(), guarantees.New(), revocations.New(), claims.New(), logpane.New()
	m.panes = []pane.Pane{m.todo, orders, guarantees, revocations, claims, logp}
	m.resize()
	return m
}

// Init reads every pane and starts the live tail and the status checks.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(append(m.initLoads(), m.bar.Checks(m.pc), m.bar.Tick(m.pc), m.doctorRun(), m.readNewMarks(), m.externalTick(), m.watchBoard())...)
}

func (m *Model) resize() {
	for _, p := range m.panes {
		p.Resize(m.pc.Width, m.pc.ContentHeight())
	}
	for _, o := range m.pc.Stack {
		o.Resize(m.pc, m.pc.Width, m.pc.ContentHeight())
	}
}

// initLoads are the reads the first full frame needs.
func (m *Model) initLoads() []tea.Cmd {
	var cmds []tea.Cmd
	for _, p := range m.panes {
		cmds = append(cmds, p.Load(m.pc))
	}
	cmds = append(cmds, m.liveInit(), m.bar.Read(m.pc))
	return cmds
}

// spinCmd arms the spinner's tick if something is busy and it is not armed.
func (m *Model) spinCmd() tea.Cmd {
	if m.spinning || !m.busyAny() {
		return nil
	}
	m.spinning = true
	return m.pc.Spinner.Tick
}

// busyAny tells whether anything on screen waits for a command (the spinner
// turns while it does).
func (m *Model) busyAny() bool {
	for _, o := range m.pc.Stack {
		if o.Busy() {
			return true
		}
	}
	return false
}

// running tells whether a call to the platform is under way.
func (m *Model) running() bool {
	for _, o := range m.pc.Stack {
		if a, ok := o.(*action.View); ok && a.Busy() {
			return true
		}
	}
	return false
}

// Update routes a message: keys to the top overlay or the active pane,
// results to whoever asked for them.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := m.route(msg)
	if _, isKey := msg.(tea.KeyMsg); !isKey && len(m.held) > 0 {
		cmd = tea.Batch(cmd, m.pressHeld(), m.spinCmd())
	}
	if _, look := msg.(inspectMsg); m.updated != nil && !look {
		m.updated()
	}
	return m, cmd
}

func (m *Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.pc.Width, m.pc.Height = max(msg.Width, 20), max(msg.Height, 8)
		m.resize()
		var cmds []tea.Cmd
		for _, p := range m.panes {
			if t, ok := p.(pane.Windowed); ok {
				cmds = append(cmds, t.WindowCmd(m.pc, false))
			}
		}
		return m, tea.Batch(cmds...)
	case tea.KeyMsg:
		if key.Matches(msg, m.pc.Keys.ForceQuit) {
			return m, m.quit()
		}
		return m, tea.Batch(m.keyPresses(msg), m.spinCmd())
	case spinner.TickMsg:
		if !m.busyAny() {
			m.spinning = false
			return m, nil
		}
		var cmd tea.Cmd
		m.pc.Spinner, cmd = m.pc.Spinner.Update(msg)
		return m, cmd
	case pane.Msg:
		for _, p := range m.panes {
			if p.ID() == msg.PaneID() {
				return m, p.Update(m.pc, msg)
			}
		}
		return m, nil
	case pollMsg, liveMsg, liveInitMsg:
		cmd := m.liveUpdate(msg)
		m.bar.LastCallback, m.bar.LiveReady = m.live.lastCallback, m.live.ready
		return m, cmd
	case statusbar.Msg:
		if m.bar.Update(m.pc, msg) {
			return m, m.takeOver()
		}
		return m, nil
	case statusbar.TickMsg:
		return m, m.statusTick()
	case doctorMsg:
		return m, m.doctorUpdate(msg)
	case externalTickMsg, takeoverMsg:
		return m, m.externalUpdate(msg)
	case exportMsg:
		return m, m.exportDone(msg)
	case newMarksMsg:
		if msg.err != nil {
			m.pc.Log.Warn("read new marks", "err", msg.err)
			return m, nil
		}
		for r := range msg.marks {
			m.pc.NewRefs[r] = true
		}
		return m, nil
	case program.OverlayMsg:
		for _, o := range m.pc.Stack {
			if o.ID() == msg.OverlayID() {
				return m, tea.Batch(o.Update(m.pc, msg), m.spinCmd())
			}
		}
		return m, nil
	case fileMsg:
		return m, m.fileDone(msg)
	case boardMsg:
		return m, m.boardChanged(msg)
	case inspectMsg:
		msg(m)
		return m, nil
	case openActionMsg:
		m.opening = max(m.opening-1, 0)
		if msg.err != nil {
			m.pc.Errorf("%v", msg.err)
			return m, nil
		}
		return m, m.pc.Push(action.NewAction(m.pc, msg.spec, m.afterAction))
	}
	// Anything else (a file picker's folder read, a text field's own
	// messages) belongs to the top overlay.
	if o := m.pc.Top(); o != nil {
		return m, o.Update(m.pc, msg)
	}
	return m, nil
}

func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	km := m.pc.Keys
	if m.quitListening {
		m.quitListening = false
		if k.String() == "y" || k.String() == "Y" {
			m.cancel()
			return tea.Quit
		}
		m.pc.Info("继续工作")
		return nil
	}
	if m.quitting {
		switch k.String() {
		case "y", "Y":
			m.cancel()
			return tea.Quit
		default:
			m.quitting = false
			m.pc.Info("继续工作")
			return nil
		}
	}
	if key.Matches(k, km.ForceQuit) {
		return m.quit()
	}
	if o := m.pc.Top(); o != nil {
		if !o.Typing() {
			// 1-6 switch panes from a detail view or the help page too
			// (never from a form: it has the keys).
			for i, b := range km.Pane {
				if key.Matches(k, b) && !m.running() {
					m.pc.Stack = m.pc.Stack[:0]
					return m.showPane(i)
				}
			}
			switch {
			case key.Matches(k, km.Quit):
				return m.quit()
			case key.Matches(k, km.Help):
				if _, isHelp := o.(*help.Page); isHelp {
					m.pc.Pop()
					return nil
				}
				return m.pc.Push(help.New(m.pc))
			}
		}
		return o.Update(m.pc, k)
	}
	p := m.panes[m.active]
	if p.Typing() {
		cmd, _ := p.Key(m.pc, k)
		return cmd
	}
	switch {
	case key.Matches(k, km.Quit):
		return m.quit()
	case key.Matches(k, km.Help):
		return m.pc.Push(help.New(m.pc))
	case key.Matches(k, km.Checks):
		return m.showChecks()
	case key.Matches(k, km.NextPane):
		return m.showPane((m.active + 1) % len(m.panes))
	case key.Matches(k, km.PrevPane):
		return m.showPane((m.active + len(m.panes) - 1) % len(m.panes))
	case key.Matches(k, km.Reload):
		m.pc.Info("已重新读取")
		return tea.Batch(p.Refresh(m.pc), m.bar.Read(m.pc))
	}
	for i, b := range km.Pane {
		if key.Matches(k, b) {
			return m.showPane(i)
		}
	}
	if key.Matches(k, km.Export) {
		return m.exportPane(p)
	}
	if cmd, ok := p.Key(m.pc, k); ok {
		return cmd
	}
	if key.Matches(k, km.Reconcile) {
		return m.reconcile()
	}
	sel := p.Selection()
	if key.Matches(k, km.Open) {
		if sel == nil {
			return nil
		}
		return tea.Batch(m.seen(sel.Key), m.pc.Push(detail.New(m.pc, m, *sel)))
	}
	if key.Matches(k, km.Back) {
		m.pc.Flash = program.Flash{}
		if m.bar.AckFault() { // acknowledged; it stays listed in 待办
			m.pc.Info("故障提示已关闭；近 24 小时的故障仍列在待办中")
		}
		return nil
	}
	return m.RecordKey(k, sel)
}

func (m *Model) showPane(i int) tea.Cmd {
	m.active = i
	m.pc.Flash = program.Flash{}
	return m.panes[i].Refresh(m.pc)
}

func (m *Model) quit() tea.Cmd {
	if m.running() {
		m.quitting = true
		return nil
	}
	if m.bar.ListenerAddr() != "" {
		m.quitListening = true
		return nil
	}
	m.cancel()
	return tea.Quit
}

// View draws the screen: tabs, the pane or the top overlay, the message
// line, the status bar and the help bar.
func (m *Model) View() string {
	ch := m.pc.ContentHeight()
	var body string
	if o := m.pc.Top(); o != nil {
		body = o.View(m.pc, m.pc.Width, ch)
	} else {
		body = m.panes[m.active].View(m.pc, m.pc.Width, ch)
	}
	lines := make([]string, 0, m.pc.Height)
	lines = append(lines, m.tabsView())
	lines = append(lines, common.FitLines(body, m.pc.Width, ch)...)
	lines = append(lines, m.flashView(), m.bar.View(m.pc), m.helpView())
	for i, l := range lines {
		if common.StyledWidth(l) > m.pc.Width {
			lines[i] = common.CutStyled(l, m.pc.Width)
		}
	}
	return strings.Join(lines, "\n")
}

func (m *Model) tabsView() string {
	var b strings.Builder
	for i, p := range m.panes {
		label := fmt.Sprintf("%d %s", i+1, p.Title())
		if p.ID() == pane.IDTodo {
			if n := m.todo.Count(); n >= 0 {
				if a := m.todo.AlertCount(m.pc); a > 0 {
					label += fmt.Sprintf("(%d 急%d)", n, a) // 急: orders near their bid deadline
				} else {
					label += fmt.Sprintf("(%d)", n)
				}
			}
		}
		if i == m.active {
			b.WriteString(common.StyleTabActive.Render("[" + label + "]"))
		} else {
			b.WriteString(common.StyleTab.Render(" " + label + " "))
		}
		b.WriteByte(' ')
	}
	if o := m.pc.Top(); o != nil {
		b.WriteString(common.StyleDim.Render("> " + common.Clean(o.Title())))
	}
	return common.TruncStyled(b.String(), m.pc.Width)
}

func (m *Model) flashView() string {
	if m.quitListening {
		return common.StyleWarn.Render(common.Fit("本桌面正在接收平台回调，退出后回调无人接收（平台会重发）。确定退出？y 退出 / 其他键 继续", m.pc.Width))
	}
	if m.quitting {
		return common.StyleWarn.Render(common.Fit("有操作正在进行，现在退出会中断它（结果记为未知）。确定退出？y 退出 / 其他键 继续", m.pc.Width))
	}
	if m.pc.Flash.Text == "" {
		return ""
	}
	t := common.Truncate(common.Clean(m.pc.Flash.Text), m.pc.Width)
	if m.pc.Flash.Err {
		return common.StyleErr.Render(t)
	}
	return t
}

func (m *Model) helpView() string {
	var b []key.Binding
	if o := m.pc.Top(); o != nil {
		b = o.Help(m.pc)
	} else {
		p := m.panes[m.active]
		b = p.HelpKeys(m.pc)
		if !p.Typing() {
			if m.bar.Fault() != nil {
				b = append([]key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "知道了（故障）"))}, b...)
			}
			b = append(b, m.ActionKeys(p.Selection())...)
			b = append(b, m.pc.Keys.NextPane)
		}
	}
	return help.Bar(m.pc, b)
}

// settled tells whether nothing on screen waits for a read (tests wait for
// it before comparing a screen). 待办 is m.panes[0]: the loop asks it.
func (m *Model) settled() bool {
	if !m.live.ready || !m.bar.Settled() || m.busyAny() || m.opening > 0 {
		return false
	}
	for _, p := range m.panes {
		if !p.Settled() {
			return false
		}
	}
	return true
}
