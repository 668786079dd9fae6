package ui

import (
	"baohan/ui/common"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"baohan/listener"
	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli/doctor"
)

// The status bar: sandbox mode, where callbacks are received and whether
// that answers, the public URL and whether it is reachable, the access
// token's time left (read from the store's token row, never fetched here),
// and the last callback. In front of it, highlighted: a fault the listener
// recorded while the desk ran (until the clerk presses esc, or for
// faultShow), and a warning when this machine's clock is off the platform's
// by platform.ClockSkewWarn or more.

type reach int

const (
	reachUnknown reach = iota
	reachChecking
	reachOK
	reachFail
)

type statusState struct {
	tokenRead bool
	tokenExp  int64 // unix seconds; 0: none stored
	listener  reach
	public    reach
	external  reach

	fault   *store.Event // the last fault event the live tail brought, until acknowledged
	faultAt time.Time    // when the desk saw it (m.pc.Now())
	skew    time.Duration
	skewOK  bool // skew was measured

	doctor        *doctor.Report // the last run of doctor's checks
	doctorAt      time.Time
	doctorRunning bool
	doctorShown   bool
}

// faultShow is how long a fault stays in the status bar unless acknowledged.
const faultShow = 10 * time.Minute

// skewMsg carries the client's clock skew (read from memory, no call).
type skewMsg struct {
	skew time.Duration
	ok   bool
}

type tokenMsg struct {
	exp int64
	err error
}

type reachMsg struct {
	which string // "listener", "public", "external"
	ok    bool
}

type statusTickMsg struct{}

// statusEvery is how often the token and the addresses are checked.
const statusEvery = 30 * time.Second

// statusRead reads the token row and the clock skew the client measured
// at its last answer.
func (m *Model) statusRead() tea.Cmd {
	db, ctx := m.pc.Store, m.pc.Ctx
	token := func() tea.Msg {
		_, exp, err := db.Token(ctx)
		return tokenMsg{exp: exp, err: err}
	}
	c := m.opt.Client
	if c == nil {
		return token
	}
	return tea.Batch(token, func() tea.Msg {
		skew, ok := c.ClockSkew()
		return skewMsg{skew: skew, ok: ok}
	})
}

func (m *Model) statusStart() tea.Cmd {
	return tea.Batch(m.reachChecks(), m.pc.Tick(statusEvery, func(time.Time) tea.Msg { return statusTickMsg{} }))
}

// reachChecks asks each address for /healthz.
func (m *Model) reachChecks() tea.Cmd {
	var cmds []tea.Cmd
	check := func(which, base string, timeout time.Duration) tea.Cmd {
		ctx := m.pc.Ctx
		return func() tea.Msg {
			return reachMsg{which: which, ok: listener.Healthy(ctx, base, timeout)}
		}
	}
	if a := m.opt.ListenerAddr; a != "" {
		if m.status.listener == reachUnknown {
			m.status.listener = reachChecking
		}
		cmds = append(cmds, check("listener", "http://"+a, 3*time.Second))
	}
	if a := m.opt.ExternalListener; a != "" {
		if m.status.external == reachUnknown {
			m.status.external = reachChecking
		}
		cmds = append(cmds, check("external", "http://"+a, 3*time.Second))
	}
	if u := m.opt.PublicURL; u != "" {
		if m.status.public == reachUnknown {
			m.status.public = reachChecking
		}
		cmds = append(cmds, check("public", u, 10*time.Second))
	}
	return tea.Batch(cmds...)
}

func (m *Model) statusUpdate(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tokenMsg:
		m.status.tokenRead = true
		switch {
		case msg.err == nil:
			m.status.tokenExp = msg.exp
		case errors.Is(msg.err, store.ErrNotFound):
			m.status.tokenExp = 0
		default:
			m.pc.Log.Warn("read token", "err", msg.err)
		}
	case reachMsg:
		r := reachFail
		if msg.ok {
			r = reachOK
		}
		switch msg.which {
		case "listener":
			m.status.listener = r
		case "public":
			m.status.public = r
		case "external":
			m.status.external = r
			if !msg.ok {
				return m.takeOver()
			}
		}
	case skewMsg:
		m.status.skew, m.status.skewOK = msg.skew, msg.ok
	case statusTickMsg:
		if m.pc.Ctx.Err() != nil {
			return nil
		}
		if m.status.fault != nil && m.pc.Now().Sub(m.status.faultAt) >= faultShow {
			m.status.fault = nil
		}
		var again tea.Cmd
		if m.pc.Now().Sub(m.status.doctorAt) >= doctorEvery {
			again = m.doctorRun()
		}
		return tea.Batch(m.pending.CheckDeadlines(m.pc), m.statusRead(), m.reachChecks(), again, m.pc.Tick(statusEvery, func(time.Time) tea.Msg { return statusTickMsg{} }))
	}
	return nil
}

func reachText(r reach, good, bad string) string {
	switch r {
	case reachOK:
		return good
	case reachFail:
		return bad
	case reachChecking:
		return "检查中"
	}
	return ""
}

// statusSeg is a part of the status bar in a long and a short form.
type statusSeg struct {
	long, short string
	drop        int // dropped when too narrow, highest first; 0 kept
}

func (m *Model) statusSegs() []statusSeg {
	var segs []statusSeg
	if m.opt.Sandbox {
		segs = append(segs, statusSeg{long: "沙箱模式", short: "沙箱"})
	}
	switch {
	case m.opt.ListenerAddr != "":
		r := reachText(m.status.listener, "正常", "无响应")
		segs = append(segs, statusSeg{long: strings.TrimSpace("监听 " + m.opt.ListenerAddr + " " + r), short: strings.TrimSpace("监听" + r)})
	case m.opt.ExternalListener != "":
		r := reachText(m.status.external, "正常", "无响应")
		segs = append(segs, statusSeg{long: strings.TrimSpace("回调由另一进程接收 " + m.opt.ExternalListener + " " + r), short: strings.TrimSpace("外部监听" + r)})
	default:
		segs = append(segs, statusSeg{long: "本桌面未接收回调", short: "未监听", drop: 1})
	}
	if u := m.opt.PublicURL; u != "" {
		r := reachText(m.status.public, "可达", "不可达")
		segs = append(segs, statusSeg{long: strings.TrimSpace("公网 " + u + " " + r), short: strings.TrimSpace("公网" + r), drop: 2})
	}
	if seg, ok := m.doctorSeg(); ok {
		segs = append(segs, seg)
	}
	segs = append(segs, m.tokenSeg())
	if e := m.live.lastCallback; e != nil {
		t := common.Clock(e.At, "15:04:05")
		if common.Clock(e.At, "2006-01-02") != m.pc.Now().In(platform.CST).Format("2006-01-02") {
			t = common.Clock(e.At, common.LayoutShort)
		}
		segs = append(segs, statusSeg{long: "最近回调 " + t + " " + common.MethodName(e.Method, e.Direction), short: "回调 " + t, drop: 3})
	} else if m.live.ready {
		segs = append(segs, statusSeg{long: "尚无回调", short: "无回调", drop: 3})
	}
	return segs
}

func (m *Model) tokenSeg() statusSeg {
	if !m.status.tokenRead {
		return statusSeg{long: "令牌 读取中", short: "令牌", drop: 4}
	}
	if m.status.tokenExp == 0 {
		return statusSeg{long: "令牌 未获取（首次调用时获取）", short: "令牌 未获取", drop: 4}
	}
	left := time.Unix(m.status.tokenExp, 0).Sub(m.pc.Now())
	if left <= 0 {
		return statusSeg{long: "令牌 已过期（下次调用时自动更新）", short: "令牌 过期", drop: 4}
	}
	return statusSeg{long: "令牌 剩" + common.Span(left), short: fmt.Sprintf("令牌%d:%02d", int(left.Hours()), int(left.Minutes())%60), drop: 4}
}

// skewWarning is the clock warning, "" when the clocks agree well enough.
func (m *Model) skewWarning() (long, short string) {
	d := m.status.skew
	if !m.status.skewOK || (d < platform.ClockSkewWarn && d > -platform.ClockSkewWarn) {
		return "", ""
	}
	dir := "快"
	if d < 0 {
		dir, d = "慢", -d
	}
	n := int(d.Round(time.Minute) / time.Minute)
	return fmt.Sprintf("本机时钟与平台相差约 %d 分钟（本机%s），请校准", n, dir), fmt.Sprintf("时钟差%d分", n)
}

// alertView is what goes in front of the status bar, highlighted: a fault
// and a clock warning, each marked '!' (colour is only an aid). It takes at
// most two thirds of w.
func (m *Model) alertView(w int) string {
	var parts []string
	if f := m.status.fault; f != nil {
		parts = append(parts, "故障："+common.Clean(f.Summary))
	}
	if long, short := m.skewWarning(); long != "" {
		if len(parts) > 0 {
			long = short
		}
		parts = append(parts, long)
	}
	if len(parts) == 0 {
		return ""
	}
	text := common.Truncate(" ! "+strings.Join(parts, " ! "), max(w*2/3-1, 8)) + " "
	return common.StyleAlert.Render(text)
}

func (m *Model) statusView() string {
	alert := m.alertView(m.pc.Width)
	return alert + m.statusBar(m.pc.Width-common.StyledWidth(alert))
}

// statusBar is the status bar in w cells.
func (m *Model) statusBar(w int) string {
	segs := m.statusSegs()
	short := make([]bool, len(segs))
	dropped := make([]bool, len(segs))
	render := func() string {
		var parts []string
		for i, s := range segs {
			if dropped[i] {
				continue
			}
			if short[i] {
				parts = append(parts, s.short)
			} else {
				parts = append(parts, s.long)
			}
		}
		return " " + strings.Join(parts, " | ") + " "
	}
	// Shorten from the least important, then drop.
	order := make([]int, 0, len(segs))
	for p := 4; p >= 0; p-- {
		for i, s := range segs {
			if s.drop == p {
				order = append(order, i)
			}
		}
	}
	for _, i := range order {
		if common.TextWidth(render()) <= w {
			break
		}
		short[i] = true
	}
	for _, i := range order {
		if common.TextWidth(render()) <= w {
			break
		}
		if segs[i].drop > 0 {
			dropped[i] = true
		}
	}
	line := common.Fit(render(), w)
	if m.opt.Sandbox && strings.HasPrefix(line, " 沙箱") {
		head := " 沙箱模式"
		if short[0] {
			head = " 沙箱"
		}
		return common.StyleSandbox.Render(head) + common.StyleStatusBar.Render(strings.TrimPrefix(line, head))
	}
	return common.StyleStatusBar.Render(line)
}
