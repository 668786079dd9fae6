// Package statusbar is the desk's status bar: sandbox mode, where callbacks
// are received and whether that answers (the listener's own /healthz,
// listener.Healthy), the public URL and whether it is reachable, the outcome
// of doctor's checks, the access token's time left (read from the store's
// token row, never fetched here), and the last callback. In front of it,
// highlighted: a fault the listener recorded while the desk ran (until the
// clerk presses esc, or for faultShow), and a warning when this machine's
// clock is off the platform's by platform.ClockSkewWarn or more.
package statusbar

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"baohan/listener"
	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli/doctor"
	"baohan/ui/common"
	"baohan/ui/program"
)

// Reach is what a health check of an address found.
type Reach int

// The states of an address's check.
const (
	ReachUnknown Reach = iota
	ReachChecking
	ReachOK
	ReachFail
)

// Options are the addresses and modes the bar shows.
type Options struct {
	Sandbox          bool
	ListenerAddr     string // where the desk's own listener listens ("" none)
	ExternalListener string // a `baohan serve` for this data folder ("" none)
	PublicURL        string
	Client           *platform.Client // its clock skew (nil: none shown)
	Doctor           bool             // doctor's checks run (their outcome is shown)
}

// Bar is the status bar's state.
type Bar struct {
	opt       Options
	tokenRead bool
	tokenExp  int64 // unix seconds; 0: none stored
	listener  Reach
	public    Reach
	external  Reach

	fault   *store.Event // the last fault event the live tail brought, until acknowledged
	faultAt time.Time    // when the desk saw it
	skew    time.Duration
	skewOK  bool // skew was measured

	doctor *doctor.Report // the last run of doctor's checks

	// LastCallback and LiveReady are the live tail's (the root sets them).
	LastCallback *store.Event
	LiveReady    bool
}

// New is the bar for opt.
func New(opt Options) *Bar { return &Bar{opt: opt} }

// faultShow is how long a fault stays in the status bar unless acknowledged.
const faultShow = 10 * time.Minute

// Every is how often the token and the addresses are checked (TickMsg).
const Every = 30 * time.Second

// Msg is a message for the bar.
type Msg interface{ statusbar() }

// SkewMsg carries the client's clock skew (read from memory, no call).
type SkewMsg struct {
	Skew time.Duration
	OK   bool
}

type tokenMsg struct {
	exp int64
	err error
}

type reachMsg struct {
	which string // "listener", "public", "external"
	ok    bool
}

func (SkewMsg) statusbar()  {}
func (tokenMsg) statusbar() {}
func (reachMsg) statusbar() {}

// TickMsg is the bar's timer: the root checks again on it.
type TickMsg struct{}

// Tick arms the bar's timer.
func (b *Bar) Tick(pc *program.Context) tea.Cmd {
	return pc.Tick(Every, func(time.Time) tea.Msg { return TickMsg{} })
}

// ListenerAddr is where the desk's own listener listens ("" none).
func (b *Bar) ListenerAddr() string { return b.opt.ListenerAddr }

// ExternalListener is the address of the `baohan serve` the desk relies on.
func (b *Bar) ExternalListener() string { return b.opt.ExternalListener }

// TookOver: the external listener stopped and the desk listens on addr.
func (b *Bar) TookOver(addr string) {
	b.opt.ExternalListener, b.opt.ListenerAddr = "", addr
	b.external, b.listener = ReachUnknown, ReachUnknown
}

// Fault is the fault shown (nil none).
func (b *Bar) Fault() *store.Event { return b.fault }

// SetFault shows a fault the live tail brought, seen at now.
func (b *Bar) SetFault(e *store.Event, now time.Time) { b.fault, b.faultAt = e, now }

// AckFault takes the fault off the bar; false if there was none.
func (b *Bar) AckFault() bool {
	had := b.fault != nil
	b.fault = nil
	return had
}

// Expire takes a fault off the bar once it was shown for faultShow.
func (b *Bar) Expire(now time.Time) {
	if b.fault != nil && now.Sub(b.faultAt) >= faultShow {
		b.fault = nil
	}
}

// Doctor is the last report of doctor's checks (nil before the first).
func (b *Bar) Doctor() *doctor.Report { return b.doctor }

// SetDoctor shows the outcome of doctor's checks.
func (b *Bar) SetDoctor(r *doctor.Report) { b.doctor = r }

// Settled: the token was read and no address is being checked.
func (b *Bar) Settled() bool {
	if !b.tokenRead {
		return false
	}
	for _, r := range []Reach{b.listener, b.public, b.external} {
		if r == ReachChecking {
			return false
		}
	}
	return true
}

// Read reads the token row and the clock skew the client measured at its
// last answer.
func (b *Bar) Read(pc *program.Context) tea.Cmd {
	token := pc.Run(func(ctx context.Context, db *store.Store) tea.Msg {
		_, exp, err := db.Token(ctx)
		return tokenMsg{exp: exp, err: err}
	})
	c := b.opt.Client
	if c == nil {
		return token
	}
	return tea.Batch(token, func() tea.Msg {
		skew, ok := c.ClockSkew()
		return SkewMsg{Skew: skew, OK: ok}
	})
}

// Checks asks each address for the listener's health.
func (b *Bar) Checks(pc *program.Context) tea.Cmd {
	var cmds []tea.Cmd
	check := func(which, base string, timeout time.Duration) tea.Cmd {
		ctx := pc.Ctx
		return func() tea.Msg {
			return reachMsg{which: which, ok: listener.Healthy(ctx, base, timeout)}
		}
	}
	if a := b.opt.ListenerAddr; a != "" {
		if b.listener == ReachUnknown {
			b.listener = ReachChecking
		}
		cmds = append(cmds, check("listener", a, 3*time.Second))
	}
	if a := b.opt.ExternalListener; a != "" {
		if b.external == ReachUnknown {
			b.external = ReachChecking
		}
		cmds = append(cmds, check("external", a, 3*time.Second))
	}
	if u := b.opt.PublicURL; u != "" {
		if b.public == ReachUnknown {
			b.public = ReachChecking
		}
		cmds = append(cmds, check("public", u, 10*time.Second))
	}
	return tea.Batch(cmds...)
}

// ExternalCheck asks the external listener once (a loopback /healthz).
func (b *Bar) ExternalCheck(pc *program.Context) tea.Cmd {
	a, ctx := b.opt.ExternalListener, pc.Ctx
	if a == "" {
		return nil
	}
	return func() tea.Msg {
		return reachMsg{which: "external", ok: listener.Healthy(ctx, a, 2*time.Second)}
	}
}

// Update takes a bar message; externalDown tells that the external
// listener did not answer (the root may take over).
func (b *Bar) Update(pc *program.Context, msg Msg) (externalDown bool) {
	switch msg := msg.(type) {
	case tokenMsg:
		b.tokenRead = true
		switch {
		case msg.err == nil:
			b.tokenExp = msg.exp
		case errors.Is(msg.err, store.ErrNotFound):
			b.tokenExp = 0
		default:
			pc.Log.Warn("read token", "err", msg.err)
		}
	case reachMsg:
		r := ReachFail
		if msg.ok {
			r = ReachOK
		}
		switch msg.which {
		case "listener":
			b.listener = r
		case "public":
			b.public = r
		case "external":
			b.external = r
			return !msg.ok
		}
	case SkewMsg:
		b.skew, b.skewOK = msg.Skew, msg.OK
	}
	return false
}

func reachText(r Reach, good, bad string) string {
	switch r {
	case ReachOK:
		return good
	case ReachFail:
		return bad
	case ReachChecking:
		return "检查中"
	}
	return ""
}

// statusSeg is a part of the status bar in a long and a short form.
type statusSeg struct {
	long, short string
	drop        int // dropped when too narrow, highest first; 0 kept
}

func (b *Bar) segs(pc *program.Context) []statusSeg {
	var segs []statusSeg
	if b.opt.Sandbox {
		segs = append(segs, statusSeg{long: "沙箱模式", short: "沙箱"})
	}
	switch {
	case b.opt.ListenerAddr != "":
		r := reachText(b.listener, "正常", "无响应")
		segs = append(segs, statusSeg{long: strings.TrimSpace("监听 " + b.opt.ListenerAddr + " " + r), short: strings.TrimSpace("监听" + r)})
	case b.opt.ExternalListener != "":
		r := reachText(b.external, "正常", "无响应")
		segs = append(segs, statusSeg{long: strings.TrimSpace("回调由另一进程接收 " + b.opt.ExternalListener + " " + r), short: strings.TrimSpace("外部监听" + r)})
	default:
		segs = append(segs, statusSeg{long: "本桌面未接收回调", short: "未监听", drop: 1})
	}
	if u := b.opt.PublicURL; u != "" {
		r := reachText(b.public, "可达", "不可达")
		segs = append(segs, statusSeg{long: strings.TrimSpace("公网 " + u + " " + r), short: strings.TrimSpace("公网" + r), drop: 2})
	}
	if seg, ok := b.doctorSeg(); ok {
		segs = append(segs, seg)
	}
	segs = append(segs, b.tokenSeg(pc))
	if e := b.LastCallback; e != nil {
		t := common.Clock(e.At, "15:04:05")
		if common.Clock(e.At, "2006-01-02") != pc.Now().In(platform.CST).Format("2006-01-02") {
			t = common.Clock(e.At, common.LayoutShort)
		}
		segs = append(segs, statusSeg{long: "最近回调 " + t + " " + common.MethodName(e.Method, e.Direction), short: "回调 " + t, drop: 3})
	} else if b.LiveReady {
		segs = append(segs, statusSeg{long: "尚无回调", short: "无回调", drop: 3})
	}
	return segs
}

func (b *Bar) tokenSeg(pc *program.Context) statusSeg {
	if !b.tokenRead {
		return statusSeg{long: "令牌 读取中", short: "令牌", drop: 4}
	}
	if b.tokenExp == 0 {
		return statusSeg{long: "令牌 未获取（首次调用时获取）", short: "令牌 未获取", drop: 4}
	}
	left := time.Unix(b.tokenExp, 0).Sub(pc.Now())
	if left <= 0 {
		return statusSeg{long: "令牌 已过期（下次调用时自动更新）", short: "令牌 过期", drop: 4}
	}
	return statusSeg{long: "令牌 剩" + common.Span(left), short: fmt.Sprintf("令牌%d:%02d", int(left.Hours()), int(left.Minutes())%60), drop: 4}
}

// skewWarning is the clock warning, "" when the clocks agree well enough.
func (b *Bar) skewWarning() (long, short string) {
	d := b.skew
	if !b.skewOK || (d < platform.ClockSkewWarn && d > -platform.ClockSkewWarn) {
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
func (b *Bar) alertView(w int) string {
	var parts []string
	if f := b.fault; f != nil {
		parts = append(parts, "故障："+common.Clean(f.Summary))
	}
	if long, short := b.skewWarning(); long != "" {
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

// View is the status bar, with the alerts in front, in the screen's width.
func (b *Bar) View(pc *program.Context) string {
	alert := b.alertView(pc.Width)
	return alert + b.bar(pc, pc.Width-common.StyledWidth(alert))
}

// statusBar is the status bar in w cells.
func (b *Bar) bar(pc *program.Context, w int) string {
	segs := b.segs(pc)
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
	if b.opt.Sandbox && strings.HasPrefix(line, " 沙箱") {
		head := " 沙箱模式"
		if short[0] {
			head = " 沙箱"
		}
		return common.StyleSandbox.Render(head) + common.StyleStatusBar.Render(strings.TrimPrefix(line, head))
	}
	return common.StyleStatusBar.Render(line)
}

// doctorSeg is the status bar's part for the checks.
func (b *Bar) doctorSeg() (statusSeg, bool) {
	r := b.doctor
	switch {
	case !b.opt.Doctor:
		return statusSeg{}, false
	case r == nil:
		return statusSeg{long: "设置检查中", short: "检查中", drop: 2}, true
	case r.OK:
		return statusSeg{long: "设置检查全部通过", short: "检查通过", drop: 2}, true
	}
	first := ""
	for _, c := range r.Checks {
		if !c.OK {
			first = c.Name
			break
		}
	}
	return statusSeg{long: fmt.Sprintf("设置检查 %d 项未通过（%s，按 ! 查看）", r.Failed(), first),
		short: fmt.Sprintf("检查%d项未过(!)", r.Failed())}, true
}
