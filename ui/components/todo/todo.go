// Package todo is the 待办 pane: what needs the clerk now (platform.Todo),
// with the deadline alerts of the orders it lists and the decisions on held
// callbacks.
package todo

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/pane"
	"baohan/ui/program"
)

// Pane is 待办: what needs the clerk now. Orders not yet issued, soonest
// bid deadline first with the time left (red under 24 hours); guarantees a
// revocation asks to release (解保); claims awaiting 受理 or a result; and
// orders flagged by a callback that did not match what we know. Above them,
// when there are any: faults the listener recorded in the last 24 hours
// (故障) and outbound calls whose outcome is unknown (结果未知), which R
// reconciles.
type Pane struct {
	p      *store.Pending
	unres  []store.Attempt // calls whose outcome is unknown, oldest first
	faults []store.Event   // fault events of the last 24 hours, newest first
	err    error
	items  []todoItem // selectable rows and section headings, in screen order
	sel    int        // index into items (always a selectable one when any)
	top    int        // first item on screen
	rows   int        // lines on screen
	w      int
	gen    int // reads asked
	got    int // the read shown
	// confirm is the held callback decision asked once ("A12", "D12"):
	// the same key again carries it out.
	confirm string
	// alerts is the deadline alert each order listed last had.
	alerts map[string]platform.DeadlineAlert
}

type todoItem struct {
	heading string // a section heading when not empty
	note    string // a line of text under a heading (e.g. "无")
	sel     *common.Selection
	att     *store.Attempt // a call whose outcome is unknown (not selectable)
}

type todoMsg struct {
	gen    int
	p      *store.Pending
	unres  []store.Attempt
	faults []store.Event
	more   bool // more faults in the window than listed
	err    error
}

func (todoMsg) PaneID() pane.ID { return pane.IDTodo }

// New is an empty 待办 pane (Load reads it).
func New() *Pane { return &Pane{rows: 10, w: 80} }

func (t *Pane) ID() pane.ID { return pane.IDTodo }

func (t *Pane) Settled() bool { return t.p != nil && t.got == t.gen }
func (t *Pane) Title() string { return "待办" }
func (t *Pane) Typing() bool  { return false }

// Count is the number of things waiting (-1 before the first read).
func (t *Pane) Count() int {
	if t.p == nil {
		return -1
	}
	return t.p.OrdersTotal + t.p.ReleasesTotal + t.p.ClaimsTotal + t.p.FlaggedTotal + t.p.HeldTotal + len(t.unres)
}

func (t *Pane) Load(pc *program.Context) tea.Cmd { return t.Refresh(pc) }

func (t *Pane) Refresh(pc *program.Context) tea.Cmd {
	t.gen++
	gen, db, ctx, now := t.gen, pc.Store, pc.Ctx, pc.Now()
	return func() tea.Msg {
		td, err := platform.Todo(ctx, db, now)
		if err != nil {
			return todoMsg{gen: gen, err: err}
		}
		return todoMsg{gen: gen, p: td.Pending, unres: td.Unresolved, faults: td.Faults, more: td.MoreFaults}
	}
}

func (t *Pane) Update(pc *program.Context, msg pane.Msg) tea.Cmd {
	if hd, ok := msg.(heldDecidedMsg); ok {
		if hd.err != nil {
			pc.Errorf("处理暂存回调失败：%s", common.Clean(hd.err.Error()))
		} else {
			pc.Info("暂存回调 #%d：%s", hd.h.ID, platform.HeldStateName(hd.h.State))
		}
		return t.Refresh(pc)
	}
	pm, ok := msg.(todoMsg)
	if !ok || pm.gen != t.gen {
		return nil
	}
	t.got = pm.gen
	if pm.err != nil {
		t.err = pm.err
		pc.Errorf("读取待办失败：%v", pm.err)
		return nil
	}
	var selKey string
	var selKind common.RecordKind
	if s := t.Selection(); s != nil {
		selKey, selKind = s.Key, s.Kind
	}
	t.p, t.unres, t.faults, t.err = pm.p, pm.unres, pm.faults, nil
	t.build(pm.more)
	// Stay on the same record if it is still waiting.
	t.sel = t.firstSelectable(0)
	for i, it := range t.items {
		if it.sel != nil && it.sel.Key == selKey && it.sel.Kind == selKind {
			t.sel = i
			break
		}
	}
	t.scroll()
	return t.CheckDeadlines(pc)
}

func (t *Pane) build(moreFaults bool) {
	p := t.p
	var items []todoItem
	// Faults and unknown outcomes come first, and only when there are any.
	if len(t.faults) > 0 {
		h := fmt.Sprintf("故障（近 24 小时） %d", len(t.faults))
		if moreFaults {
			h = fmt.Sprintf("故障（近 24 小时，显示最近 %d 条）", len(t.faults))
		}
		items = append(items, todoItem{heading: h})
		for _, e := range t.faults {
			items = append(items, todoItem{sel: common.EventSel(e)})
		}
	}
	if len(t.unres) > 0 {
		items = append(items, todoItem{heading: fmt.Sprintf("结果未知的调用（需核对） %d", len(t.unres))})
		for i := range t.unres {
			items = append(items, todoItem{att: &t.unres[i]})
		}
	}
	// Held callbacks: authentic, failed a 假通知 check, refused until the
	// clerk decides (protocol.md); shown whenever there are any.
	if p.HeldTotal > 0 {
		h := fmt.Sprintf("暂存的回调（核对未通过，待处理） %d", p.HeldTotal)
		if p.HeldTotal > len(p.Held) {
			h += fmt.Sprintf("（显示前 %d）", len(p.Held))
		}
		items = append(items, todoItem{heading: h})
		for _, h := range p.Held {
			items = append(items, todoItem{sel: common.HeldSel(h)})
		}
	}
	section := func(title string, shown, total int) {
		h := fmt.Sprintf("%s %d", title, total)
		if total > shown {
			h += fmt.Sprintf("（显示前 %d）", shown)
		}
		items = append(items, todoItem{heading: h})
		if total == 0 {
			items = append(items, todoItem{note: "无"})
		}
	}
	section("未出函订单（按投标截止时间）", len(p.Orders), p.OrdersTotal)
	for _, o := range p.Orders {
		items = append(items, todoItem{sel: common.OrderSel(o)})
	}
	section("待解保（收到撤销通知）", len(p.Releases), p.ReleasesTotal)
	for _, r := range p.Releases {
		items = append(items, todoItem{sel: common.ReleaseSel(r)})
	}
	section("待处理理赔（待受理、待结果）", len(p.Claims), p.ClaimsTotal)
	for _, c := range p.Claims {
		items = append(items, todoItem{sel: common.ClaimSel(c)})
	}
	section("标记的回调（需核对）", len(p.Flagged), p.FlaggedTotal)
	for _, o := range p.Flagged {
		s := common.OrderSel(o)
		s.Key = o.OrderNo
		items = append(items, todoItem{sel: s, note: "flag"})
	}
	t.items = items
}

func (t *Pane) firstSelectable(from int) int {
	for i := from; i < len(t.items); i++ {
		if t.items[i].sel != nil {
			return i
		}
	}
	for i := min(from, len(t.items)) - 1; i >= 0; i-- {
		if t.items[i].sel != nil {
			return i
		}
	}
	return 0
}

func (t *Pane) Selection() *common.Selection {
	if t.sel >= 0 && t.sel < len(t.items) {
		return t.items[t.sel].sel
	}
	return nil
}

func (t *Pane) Resize(w, h int) {
	t.w, t.rows = w, max(h-2, 1) // less the heading and the line that says what is below
	t.scroll()
}

func (t *Pane) scroll() {
	if t.sel < t.top {
		t.top = t.sel
		// Show the section heading above the first entry.
		for t.top > 0 && t.items[t.top-1].sel == nil {
			t.top--
		}
	}
	if t.sel >= t.top+t.rows {
		t.top = t.sel - t.rows + 1
	}
	t.top = max(min(t.top, len(t.items)-t.rows), 0)
}

// step moves the selection n selectable rows (negative: up).
func (t *Pane) step(n int) {
	t.sel = common.Step(t.sel, n, len(t.items), func(j int) bool { return t.items[j].sel != nil })
	if t.sel >= 0 && t.sel < len(t.items) && t.items[t.sel].sel != nil {
		t.scroll()
	}
	if d := t.sel; d == t.firstSelectable(0) {
		t.top = 0
	}
}

func (t *Pane) Key(pc *program.Context, k tea.KeyMsg) (tea.Cmd, bool) {
	km := pc.Keys
	if key.Matches(k, km.HeldAccept, km.HeldDismiss) {
		return t.decideHeld(pc, key.Matches(k, km.HeldAccept)), true
	}
	t.confirm = ""
	switch {
	case key.Matches(k, km.Up):
		t.step(-1)
	case key.Matches(k, km.Down):
		t.step(1)
	case key.Matches(k, km.PageUp):
		t.step(-t.rows)
	case key.Matches(k, km.PageDown):
		t.step(t.rows)
	case key.Matches(k, km.Top):
		t.step(-len(t.items))
	case key.Matches(k, km.Bottom):
		t.step(len(t.items))
	default:
		return nil, false
	}
	return nil, true
}

// heldDecidedMsg is the outcome of a decision on a held callback.
type heldDecidedMsg struct {
	h      store.Held
	accept bool
	err    error
}

func (heldDecidedMsg) PaneID() pane.ID { return pane.IDTodo }

// 待办's messages are routed to it by pane id.
var _ = []pane.Msg{todoMsg{}, heldDecidedMsg{}}

// decideHeld asks for a second press, then accepts or dismisses the held
// callback under the cursor.
func (t *Pane) decideHeld(pc *program.Context, accept bool) tea.Cmd {
	s := t.Selection()
	if s == nil || s.Kind != common.KindHeld {
		pc.Info("A/D 用于待办中暂存的回调：请先选中一条")
		return nil
	}
	verb, mark := "驳回", "D"
	if accept {
		verb, mark = "接受", "A"
	}
	if pc.DecideHeld == nil {
		pc.Info("本桌面不能处理暂存回调：请运行 baohan held %s %s", map[bool]string{true: "accept", false: "dismiss"}[accept], s.Key)
		return nil
	}
	if t.confirm != mark+s.Key {
		t.confirm = mark + s.Key
		if accept {
			pc.Info("再按一次 A 确认接受暂存回调 #%s：按回调内容入账，平台下次重发时答复成功", s.Key)
		} else {
			pc.Info("再按一次 D 确认驳回暂存回调 #%s：继续拒收", s.Key)
		}
		return nil
	}
	t.confirm = ""
	id, decide, ctx := s.Held.ID, pc.DecideHeld, pc.Ctx
	note := "在工作台" + verb
	return func() tea.Msg {
		h, err := decide(ctx, id, accept, note)
		return heldDecidedMsg{h: h, accept: accept, err: err}
	}
}

func (t *Pane) HelpKeys(pc *program.Context) []key.Binding {
	if s := t.Selection(); s != nil && s.Kind == common.KindHeld {
		return []key.Binding{pc.Keys.HeldAccept, pc.Keys.HeldDismiss, pc.Keys.Open}
	}
	if len(t.unres) > 0 {
		return []key.Binding{pc.Keys.Reconcile, pc.Keys.Open}
	}
	return []key.Binding{pc.Keys.Open}
}

func (t *Pane) View(pc *program.Context, w, h int) string {
	var b strings.Builder
	if t.p == nil {
		if t.err != nil {
			return common.StyleErr.Render("读取待办失败：" + common.Clean(t.err.Error()))
		}
		return common.StyleDim.Render("读取中")
	}
	if n := t.Count(); n == 0 {
		b.WriteString(common.StyleOK.Render("没有待办事项"))
	} else {
		b.WriteString(common.StyleBold.Render(fmt.Sprintf("待办 %d 项", n)) + common.StyleDim.Render("  现在 "+pc.Now().In(platform.CST).Format("2006-01-02 15:04")+"（北京时间）"))
	}
	for i := t.top; i < len(t.items) && i < t.top+t.rows; i++ {
		b.WriteByte('\n')
		it := t.items[i]
		switch {
		case it.heading != "":
			b.WriteString(common.StyleSection.Render(common.Truncate(it.heading, w)))
		case it.att != nil:
			b.WriteString(attemptRow(*it.att, w))
		case it.sel == nil:
			b.WriteString(common.StyleDim.Render("  " + it.note))
		default:
			b.WriteString(t.row(pc, it, i == t.sel, w))
		}
	}
	// What runs below the screen is counted, not silently cut.
	hidden := 0
	for i := t.top + t.rows; i < len(t.items); i++ {
		if t.items[i].sel != nil || t.items[i].att != nil {
			hidden++
		}
	}
	if hidden > 0 {
		b.WriteString("\n" + common.StyleDim.Render(common.Truncate(fmt.Sprintf("  ……下面还有 %d 项（j 下移，pgdn 翻页）", hidden), w)))
	}
	return b.String()
}

// row draws one entry: a mark, then its cells laid out like a table row.
func (t *Pane) row(pc *program.Context, it todoItem, selected bool, w int) string {
	s := it.sel
	var cells []common.Cell
	var widths []int
	add := func(c common.Cell, wd int) {
		cells = append(cells, c)
		widths = append(widths, wd)
	}
	switch s.Kind {
	case common.KindOrder:
		o := s.Order
		if it.note == "flag" {
			add(common.Styled("标记", common.StyleWarn), 4)
			add(common.Txt(o.OrderNo), 12)
			add(common.Txt(common.OrderState(o.OrderStatus)), 10)
			add(common.Txt(o.FlagReason), 0)
			break
		}
		cd, urgent := common.Countdown(o.BidDeadline, pc.Now())
		if urgent {
			add(common.Styled("!"+cd, common.StyleUrgent), 14)
		} else {
			add(common.Txt(cd), 14)
		}
		add(common.Txt(o.OrderNo), 12)
		add(common.Txt(common.OrderState(o.OrderStatus)), 10)
		if w >= 100 {
			add(common.Txt(common.DeadlineShort(o.BidDeadline)), 11)
			add(common.Txt(o.BlockName), 0)
		}
		// The money stays on a narrow screen; the long project name and
		// the deadline (the countdown says it) go first.
		add(common.Txt(o.Principal), 0)
		add(common.Txt(common.Money(o.GuaranteeAmount)), 14)
	case common.KindRelease:
		r := s.Release
		if r.DoubtAt != 0 {
			// 解保结果不明 (protocol.md, 2.9): released again, it settles.
			add(common.Styled("结果不明", common.StyleWarn), 10)
		} else {
			add(common.Txt(common.RevokeList(r.List)), 10)
		}
		add(common.Txt(r.GuaranteeNo), 14)
		add(common.Txt("批次 "+r.RevokeNo), 21)
		add(common.Txt(r.Principal), 0)
		if w >= 100 {
			add(common.Txt(r.BlockName), 0)
		}
	case common.KindClaim:
		c := s.Claim
		state := common.ClaimState(c.Status)
		if c.Status == platform.ClaimDealPass {
			state += "/待结果"
		}
		add(common.Styled(state, common.StyleWarn), 18)
		add(common.Txt(c.ClaimNo), 16)
		add(common.Txt(c.GuaranteeNo), 14)
		add(common.Txt(c.Principal), 0)
		if w >= 100 {
			add(common.Txt(common.Money(c.ClaimAmount)), 14)
		}
	case common.KindHeld:
		h := s.Held
		add(common.Styled("暂存", common.StyleWarn), 4)
		add(common.Txt(fmt.Sprintf("#%d", h.ID)), 4)
		add(common.Txt(platform.CallbackTitle(h.Method)), 16)
		add(common.Txt(h.Ref), 14)
		if w >= 100 {
			add(common.Txt(common.Clock(h.ReceivedAt, common.LayoutShort)), 11)
			add(common.Txt(fmt.Sprintf("重发 %d", h.Repeats)), 6)
		}
		add(common.Txt(h.Reason), 0)
	case common.KindEvent: // a fault
		e := s.Event
		add(common.Styled("!故障", common.StyleUrgent), 5)
		add(common.Txt(common.Clock(e.At, common.LayoutShort)), 11)
		add(common.Txt(e.Summary), 0)
	}
	line := rowCells(cells, widths, w, selected)
	mark := "  "
	if pc.NewRefs[s.Key] {
		mark = "* "
	}
	if s.Kind == common.KindOrder && it.note != "flag" && pc.DeadlineAlert(*s.Order) != "" {
		mark = "!" + mark[:1] // "! " alert, "!*" alert and new
		if !selected {
			return common.StyleUrgent.Render(mark + ansi.Strip(line))
		}
	}
	if selected {
		return ">" + mark[:1] + common.StyleSelected.Render(strings.TrimRight(line, " "))
	}
	if mark == "* " {
		return common.StyleNew.Render(mark) + line
	}
	return mark + line
}

// attemptRow draws a call whose outcome is unknown: its state, the call,
// the record, when it was sent (北京时间) and what is known of it.
func attemptRow(a store.Attempt, w int) string {
	state := "结果未知"
	if a.State == store.AttemptSending {
		state = "发送中"
	}
	msg := a.Msg
	if msg == "" {
		msg = "没有收到平台的答复"
	}
	cells := []common.Cell{common.Styled(state, common.StyleWarn), common.Txt(platform.MethodTitle(a.Method)), common.Txt(a.Ref), common.Txt(common.Clock(a.StartedAt, common.LayoutShort)), common.Txt(msg)}
	widths := []int{8, 14, 14, 11, 0}
	return "  " + rowCells(cells, widths, w, false)
}

// rowCells lays out a 待办 row's cells in w-2 cells (after the mark); a
// width of 0 shares what is left.
func rowCells(cells []common.Cell, widths []int, w int, selected bool) string {
	avail := w - 2
	fixed, flex := 0, 0
	for _, wd := range widths {
		if wd == 0 {
			flex++
		} else {
			fixed += wd
		}
	}
	fixed += len(widths) - 1
	left := max(avail-fixed, flex*6)
	var line strings.Builder
	for i, c := range cells {
		if i > 0 {
			line.WriteByte(' ')
		}
		wd := widths[i]
		if wd == 0 {
			wd = left / max(flex, 1)
		}
		cs := common.Fit(c.Text, wd)
		if c.Set && !selected {
			cs = c.Style.Render(cs)
		}
		line.WriteString(cs)
	}
	return line.String()
}

// Deadlines that call out: when an order not yet issued crosses 24 hours
// and again 2 hours before its bid deadline (platform.OrderDeadlineAlert),
// the bell rings, the message line says which order, its row turns red
// with '!' in front, and the 待办 tab counts such orders. The check runs on
// every read of 待办 and on the status tick, from what 待办 holds (its
// orders come soonest deadline first).
//
// CheckDeadlines rings for each order that crossed a threshold since the
// last check (an order already inside one when the desk starts rings once).
func (t *Pane) CheckDeadlines(pc *program.Context) tea.Cmd {
	p := t.p
	if p == nil {
		return nil
	}
	if t.alerts == nil {
		t.alerts = map[string]platform.DeadlineAlert{}
	}
	now := pc.Now()
	seen := map[string]bool{}
	var crossed []string
	for _, o := range p.Orders {
		a, _ := platform.OrderDeadlineAlert(o, now)
		seen[o.OrderNo] = true
		if a > t.alerts[o.OrderNo] {
			crossed = append(crossed, platform.DeadlineAlertText(o, a))
		}
		t.alerts[o.OrderNo] = a
	}
	for no := range t.alerts {
		if !seen[no] {
			delete(t.alerts, no)
		}
	}
	if len(crossed) == 0 {
		return nil
	}
	msg := crossed[0]
	if len(crossed) > 1 {
		msg = fmt.Sprintf("%d 个订单临近投标截止，尚未出函：%s 等", len(crossed), crossed[0])
	}
	return pc.Alarm("deadline", msg)
}

// AlertCount is the number of orders in 待办 with a deadline alert now.
func (t *Pane) AlertCount(pc *program.Context) int {
	n := 0
	if p := t.p; p != nil {
		for _, o := range p.Orders {
			if a, _ := platform.OrderDeadlineAlert(o, pc.Now()); a != platform.NoAlert {
				n++
			}
		}
	}
	return n
}

// ledger of 待办: the orders not yet issued it lists.
func (t *Pane) Ledger(pc *program.Context) (func(ctx context.Context) (*platform.Ledger, error), string) {
	db := pc.Store
	return func(ctx context.Context) (*platform.Ledger, error) {
		return platform.OrdersLedger(ctx, db, store.OrderQuery{NotIssued: true})
	}, "待办：未出函订单"
}

// Pending is what the last read found (nil before the first).
func (t *Pane) Pending() *store.Pending { return t.p }

// Faults are the fault events listed; Unresolved the calls whose outcome
// is unknown.
func (t *Pane) Faults() []store.Event { return t.faults }

// Unresolved are the calls whose outcome is unknown, oldest first.
func (t *Pane) Unresolved() []store.Attempt { return t.unres }

// Lists tells whether a selectable entry for the record key is listed.
func (t *Pane) Lists(key string) bool {
	for _, it := range t.items {
		if it.sel != nil && it.sel.Key == key {
			return true
		}
	}
	return false
}

// 待办 is a pane that exports its orders' ledger.
var (
	_ pane.Pane     = (*Pane)(nil)
	_ pane.Exporter = (*Pane)(nil)
)
