package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"baohan/pdfsign"
	"baohan/platform"
	"baohan/ui/common"
	"baohan/ui/components/detail"
	"baohan/ui/program"
)

// An action is one outbound call (or a few, for 解保 by block) in four
// steps: a form; the plan, built and checked by platform (Plan*), shown
// field by field exactly as it will be sent, with the PDF check of a push;
// the call, with a spinner (and a progress bar for a download); and the
// platform's answer. Nothing is sent before the clerk confirms.

// actionSpec describes an action.
type actionSpec struct {
	title  string   // what the clerk does, with the manual's section
	ref    string   // the record it is about
	intro  []string // the record, in a line or two, above the form
	fields []formField
	// prepare builds what will be sent from the form's values. It runs in a
	// command (it reads the store and, for a push, checks the PDF).
	prepare func(ctx context.Context, vals map[string]string) (*prepared, error)
	// done runs in Update with the outcome (e.g. to remember a download).
	done func(m *Model, o *outcome)
	// running is the line shown beside the spinner while it runs ("" for
	// the usual one).
	running string
}

// prepared is what the confirmation shows and the call runs.
type prepared struct {
	sends    []sendPart
	warnings []string
	report   *pdfsign.Report
	file     string // the file sent with the call
	blocked  string // why it cannot be sent (a failed PDF check)
	// overrides are objections the clerk may override with a second
	// confirmation (platform.Plan.Overridable); override lifts them.
	overrides []string
	override  func() bool
	run       func(ctx context.Context, progress func(done, total int64)) (*outcome, error)
}

// sendPart is one call as it will be sent.
type sendPart struct {
	title  string
	method string
	fields []platform.Field
}

// outcome is what came back.
type outcome struct {
	lines    []string           // one line each, in Chinese
	problems []string           // per-item refusals (2.9)
	failed   bool               // some part failed (lines say which)
	download *detail.Downloaded // a file stored by the action
	fileID   string
}

type actionState int

const (
	stateForm actionState = iota
	statePlanning
	stateConfirm
	stateRunning
	stateResult
)

type actionView struct {
	// root is the desk this overlay acts for (its actions and files are
	// still the root model's).
	root   *Model
	oid    int
	spec   *actionSpec
	form   form
	state  actionState
	formEr string // the local refusal of the last plan
	prep   *prepared
	res    *outcome
	resErr error
	off    int // scroll of the confirmation and the result
	h, w   int
	gen    int
	armed  bool // y was pressed on a plan with overrides: Y sends

	prog      progress.Model
	progDone  int64
	progTotal int64
	progress  chan tea.Msg
}

// planMsg carries a prepared action.
type planMsg struct {
	oid  int
	gen  int
	prep *prepared
	err  error
}

func (m planMsg) OverlayID() int { return m.oid }

// runMsg carries the end of a call; progressMsg a download's progress.
type runMsg struct {
	oid int
	out *outcome
	err error
}

func (m runMsg) OverlayID() int { return m.oid }

type progressMsg struct {
	oid         int
	done, total int64
}

func (m progressMsg) OverlayID() int { return m.oid }

// The action's messages are routed to it by id.
var _ = []program.OverlayMsg{planMsg{}, runMsg{}, progressMsg{}}

func newAction(m *Model, spec *actionSpec) *actionView {
	g := common.Glyphs()
	p := progress.New(progress.WithFillCharacters(g.BarFull, g.BarEmpty), progress.WithSolidFill("12"), progress.WithWidth(40),
		progress.WithColorProfile(lipgloss.ColorProfile()))
	a := &actionView{root: m, oid: m.pc.NextID(), spec: spec, prog: p}
	a.form.fields = spec.fields
	return a
}

func (a *actionView) ID() int       { return a.oid }
func (a *actionView) Title() string { return a.spec.title }
func (a *actionView) Busy() bool    { return a.state == statePlanning || a.state == stateRunning }

// Typing is always true: in an action, q and ? are the action's (esc leaves).
func (a *actionView) Typing() bool { return true }

func (a *actionView) Init(pc *program.Context) tea.Cmd {
	m := a.root
	if len(a.form.fields) == 0 {
		return a.plan(m)
	}
	return a.form.start()
}

func (a *actionView) Resize(pc *program.Context, w, h int) {
	a.w, a.h = w, h
	a.prog.Width = min(max(w-20, 10), 60)
}

// plan asks platform to build and check the call.
func (a *actionView) plan(m *Model) tea.Cmd {
	a.state = statePlanning
	a.formEr = ""
	a.gen++
	vals, gen, oid, ctx, prepare := a.form.values(), a.gen, a.oid, m.pc.Ctx, a.spec.prepare
	return func() tea.Msg {
		p, err := prepare(ctx, vals)
		return planMsg{oid: oid, gen: gen, prep: p, err: err}
	}
}

// execute runs the call; a download reports progress on a channel.
func (a *actionView) execute(m *Model) tea.Cmd {
	a.state = stateRunning
	a.off = 0
	ch := make(chan tea.Msg, 8)
	a.progress = ch
	oid, ctx, run := a.oid, m.pc.Ctx, a.prep.run
	go func() {
		out, err := run(ctx, func(done, total int64) {
			select {
			case ch <- progressMsg{oid: oid, done: done, total: total}:
			default: // the screen is behind; the next report will do
			}
		})
		ch <- runMsg{oid: oid, out: out, err: err}
	}()
	return waitChan(ch)
}

func waitChan(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

func (a *actionView) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	m := a.root
	switch msg := msg.(type) {
	case planMsg:
		if msg.gen != a.gen || a.state != statePlanning {
			return nil
		}
		if msg.err != nil && (msg.prep == nil || msg.prep.blocked == "") {
			a.state = stateForm
			a.formEr = errText(msg.err)
			if len(a.form.fields) == 0 {
				a.state = stateResult
				a.resErr = msg.err
			}
			return nil
		}
		a.prep = msg.prep
		a.state = stateConfirm
		a.armed = false
		a.off = 0
		return nil
	case progressMsg:
		a.progDone, a.progTotal = msg.done, msg.total
		return waitChan(a.progress)
	case runMsg:
		a.state = stateResult
		a.res, a.resErr = msg.out, msg.err
		if msg.err != nil {
			pc.Log.Warn("action failed", "action", a.spec.title, "ref", a.spec.ref, "err", msg.err)
		} else if msg.out != nil {
			pc.Log.Info("action done", "action", a.spec.title, "ref", a.spec.ref, "result", strings.Join(msg.out.lines, "；"))
		}
		a.off = 0
		if a.spec.done != nil && msg.out != nil {
			a.spec.done(m, msg.out)
		}
		if msg.err != nil {
			pc.Errorf("%s：%s", a.spec.title, errText(msg.err))
		} else if msg.out != nil && len(msg.out.lines) > 0 {
			pc.Info("%s", msg.out.lines[0])
		}
		return m.afterAction()
	case tea.KeyMsg:
		return a.key(m, msg)
	default:
		if a.state == stateForm {
			// The file picker reads folders in commands of its own.
			if fl := a.form.focused(); fl != nil {
				return fl.update(m, msg)
			}
		}
	}
	return nil
}

func (a *actionView) key(m *Model, k tea.KeyMsg) tea.Cmd {
	km := m.pc.Keys
	switch a.state {
	case stateForm:
		if k.String() == "esc" {
			if ff, ok := a.form.focused().(*fileField); ok && ff.picking {
				break
			}
			m.pc.Pop()
			return nil
		}
		cmd, submit := a.form.key(m, k)
		if submit {
			return a.plan(m)
		}
		return cmd
	case statePlanning, stateRunning:
		if k.String() == "esc" {
			m.pc.Info("正在进行，请稍候")
		}
	case stateConfirm:
		switch {
		case a.prep.blocked == "" && key.Matches(k, km.Confirm):
			if len(a.prep.overrides) > 0 {
				a.armed = true
				a.off = 0
				return nil
			}
			return a.execute(m)
		case a.armed && key.Matches(k, km.Force):
			if a.prep.override == nil || !a.prep.override() {
				m.pc.Errorf("未发送：无法确认强制推送")
				return nil
			}
			return a.execute(m)
		case key.Matches(k, km.Deny), key.Matches(k, km.Back):
			a.armed = false
			if len(a.form.fields) == 0 {
				m.pc.Pop()
				return nil
			}
			a.state = stateForm
			return a.form.fields[a.form.cur].focus()
		case key.Matches(k, km.Open):
			m.pc.Info("enter 不发送：确认请按 y")
		default:
			a.scrollKey(m, k)
		}
	case stateResult:
		switch {
		case key.Matches(k, km.Back), key.Matches(k, km.Open), k.String() == "q":
			m.pc.Pop()
			return m.afterAction()
		default:
			a.scrollKey(m, k)
		}
	}
	return nil
}

func (a *actionView) scrollKey(m *Model, k tea.KeyMsg) {
	km := m.pc.Keys
	switch {
	case key.Matches(k, km.Down):
		a.off++
	case key.Matches(k, km.Up):
		a.off--
	case key.Matches(k, km.PageDown):
		a.off += a.h - 3
	case key.Matches(k, km.PageUp):
		a.off -= a.h - 3
	case key.Matches(k, km.Top):
		a.off = 0
	case key.Matches(k, km.Bottom):
		a.off = 1 << 20
	}
	a.off = max(a.off, 0)
}

func (a *actionView) Help(pc *program.Context) []key.Binding {
	km := pc.Keys
	switch a.state {
	case stateForm:
		b := []key.Binding{km.NextField, km.Submit}
		if _, ok := a.form.focused().(*fileField); ok {
			b = append(b, km.Browse)
		}
		return append(b, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "放弃")))
	case stateConfirm:
		if a.prep.blocked != "" {
			return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "返回修改")), km.Down}
		}
		if a.armed {
			return []key.Binding{km.Force, km.Deny, km.Down}
		}
		return []key.Binding{km.Confirm, km.Deny, km.Down}
	case stateResult:
		return []key.Binding{key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "关闭")), km.Down}
	}
	return nil
}

func (a *actionView) View(pc *program.Context, w, h int) string {
	m := a.root
	head := common.StyleBold.Render(a.spec.title)
	if a.spec.ref != "" {
		head += "  " + common.Clean(a.spec.ref)
	}
	lines := []string{head}
	for _, l := range a.spec.intro {
		lines = append(lines, common.StyleDim.Render(common.Truncate(common.Clean(l), w)))
	}
	switch a.state {
	case stateForm:
		lines = append(lines, "")
		lines = append(lines, a.form.lines(m, w)...)
		if a.formEr != "" {
			lines = append(lines, "")
			for _, l := range common.Wrap("未发送："+common.Clean(a.formEr), w-2) {
				lines = append(lines, common.StyleErr.Render(l))
			}
		}
		return strings.Join(lines, "\n")
	case statePlanning:
		lines = append(lines, "", pc.Spinner.View()+" 正在核对（检查订单、文件）……")
		return strings.Join(lines, "\n")
	case stateConfirm:
		// The verdict, the SHA-256, the warnings and the prompt stay on
		// top; what will be sent scrolls below them.
		lines = append(lines, a.confirmHead(w)...)
		body := a.confirmLines(w)
		return strings.Join(append(lines, scrollLines(body, &a.off, h-len(lines))...), "\n")
	case stateRunning:
		run := a.spec.running
		if run == "" {
			run = "正在发送到平台，请稍候……"
		}
		lines = append(lines, "", pc.Spinner.View()+" "+run)
		if a.progDone > 0 || a.progTotal > 0 {
			pct := 0.0
			txt := fmt.Sprintf("已下载 %s", common.Size(a.progDone))
			if a.progTotal > 0 {
				pct = float64(a.progDone) / float64(a.progTotal)
				txt += " / " + common.Size(a.progTotal)
			}
			lines = append(lines, "", a.prog.ViewAs(pct), txt)
		}
		return strings.Join(lines, "\n")
	}
	body := a.resultLines(w)
	return strings.Join(append(lines, scrollLines(body, &a.off, h-len(lines))...), "\n")
}

// scrollLines shows h lines of body from *off (clamped), with a note when
// more lies below.
func scrollLines(body []string, off *int, h int) []string {
	h = max(h, 1)
	if len(body) <= h {
		*off = 0
		return body
	}
	*off = min(*off, len(body)-h+1)
	end := min(*off+h-1, len(body))
	out := append([]string{}, body[*off:end]...)
	return append(out, common.StyleDim.Render(fmt.Sprintf("（第 %d-%d 行/共 %d 行，上/下 滚动）", *off+1, end, len(body))))
}

// confirmHead is the top of the confirmation, always on screen: the PDF
// verdict and SHA-256 of a push, every warning, and the prompt.
func (a *actionView) confirmHead(w int) []string {
	p := a.prep
	var out []string
	if p.report != nil {
		style := common.StyleOK
		if p.blocked != "" || len(p.overrides) > 0 {
			style = common.StyleUrgent
		}
		out = append(out, "")
		for _, l := range common.Wrap("PDF检查："+p.report.Conclusion(), w-2) {
			out = append(out, style.Render(l))
		}
		out = append(out, common.Truncate("SHA-256："+p.report.SHA256, w))
	}
	if p.blocked != "" {
		for _, l := range common.Wrap("不能发送："+common.Clean(p.blocked), w-2) {
			out = append(out, common.StyleUrgent.Render(l))
		}
	}
	for _, o := range p.overrides {
		for _, l := range common.Wrap("警告："+common.Clean(o), w-2) {
			out = append(out, common.StyleUrgent.Render(l))
		}
	}
	for _, wn := range p.warnings {
		for _, l := range common.Wrap("注意："+common.Clean(wn), w-2) {
			out = append(out, common.StyleWarn.Render(l))
		}
	}
	switch {
	case p.blocked != "":
		out = append(out, common.StyleUrgent.Render(common.Truncate("文件未通过检查，不能推送。按 esc 返回，换一个文件。", w)))
	case a.armed:
		for _, l := range common.Wrap("有上述警告，确定仍要推送？ Y（大写）强制推送 / n 返回修改", w-2) {
			out = append(out, common.StyleUrgent.Render(common.StyleBold.Render(l)))
		}
	case len(p.overrides) > 0:
		out = append(out, common.StyleBold.Render(common.Truncate("确认发送？ y 发送（有警告，还须再确认一次） / n 返回修改", w)))
	default:
		out = append(out, common.StyleBold.Render(common.Truncate("确认发送？ y 发送 / n 返回修改", w)))
	}
	return out
}

// confirmLines is the rest of the confirmation: exactly what will be sent.
func (a *actionView) confirmLines(w int) []string {
	p := a.prep
	var out []string
	for _, s := range p.sends {
		out = append(out, "")
		t := "将发送到平台"
		if s.title != "" {
			t = s.title + "，将发送"
		}
		out = append(out, common.StyleSection.Render(fmt.Sprintf("%s（%s）：", t, s.method)))
		nameW := 0
		for _, f := range s.fields {
			nameW = max(nameW, common.TextWidth(f.Name))
		}
		nameW = min(nameW, 24)
		valW := max(w-nameW-formLabelW-6, 12)
		for _, f := range s.fields {
			val := fieldShown(f, s.fields)
			vl := wrapIndented(val, valW)
			for i, l := range vl {
				if i == 0 {
					out = append(out, "  "+common.Fit(f.Name, nameW)+"  "+common.StyleLabel.Render(common.Fit(common.FieldLabel(f.Name), formLabelW))+"  "+l)
				} else {
					out = append(out, strings.Repeat(" ", nameW+formLabelW+6)+l)
				}
			}
		}
	}
	if len(p.sends) > 0 {
		pretty := false
		for _, s := range p.sends {
			for _, f := range s.fields {
				pretty = pretty || f.Name == "remove_guarantee_data"
			}
		}
		if pretty {
			out = append(out, common.StyleDim.Render(common.Truncate("remove_guarantee_data 为便于阅读已缩进，发送的是同样内容的紧凑JSON文本。", w)))
		}
		out = append(out, common.StyleDim.Render(common.Truncate("另由程序填写 btc_id、enter_institution_type=2、timestamp、sign，并加密为 param。", w)))
	}
	if p.file != "" {
		out = append(out, "", common.StyleSection.Render("随附文件："), "  "+common.Clean(p.file))
	}
	if p.report != nil {
		out = append(out, "", common.StyleSection.Render("保函文件检查（pdfsign）："))
		out = append(out, indentWrap(reportText(p.report), "  ", w)...)
	}
	return out
}

// wrapIndented wraps each line of text to w cells; a wrapped line's
// continuation keeps the line's own indentation (JSON stays readable).
func wrapIndented(text string, w int) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		lead := strings.Repeat(" ", len(l)-len(strings.TrimLeft(l, " ")))
		for i, wl := range common.Wrap(strings.TrimLeft(l, " "), max(w-len(lead)-2*min(len(lead), 1), 10)) {
			if i > 0 && lead != "" {
				wl = "  " + wl
			}
			out = append(out, lead+wl)
		}
	}
	return out
}

// indentWrap wraps each line of text to w cells, every line indented.
func indentWrap(text, indent string, w int) []string {
	var out []string
	for _, l := range strings.Split(common.CleanBlock(text), "\n") {
		// Continuation lines line up under the line's own indentation.
		lead := indent + strings.Repeat(" ", len(l)-len(strings.TrimLeft(l, " ")))
		for _, wl := range common.Wrap(strings.TrimLeft(l, " "), max(w-common.TextWidth(lead), 10)) {
			out = append(out, lead+wl)
		}
	}
	return out
}

// fieldShown is a field's value as the clerk reads it: a state with its
// meaning, a JSON list indented.
func fieldShown(f platform.Field, all []platform.Field) string {
	v := common.Clean(f.Value)
	value := func(name string) string {
		for _, g := range all {
			if g.Name == name {
				return g.Value
			}
		}
		return ""
	}
	switch f.Name {
	case "do_type":
		for _, d := range platform.ClaimResultChoices {
			if d.Code == f.Value {
				v += "（" + d.Meaning + "）"
			}
		}
	case "status":
		if dt := value("do_type"); dt != "" {
			if t := platform.ClaimResultText(dt, f.Value); t != "" {
				v += "（" + t + "）"
			}
		}
	case "order_status":
		if t := platform.OrderStateText(f.Value); t != "" {
			v += "（" + t + "）"
		}
	case "is_withdraw":
		if f.Value == "1" {
			v += "（审批退回）"
		}
	case "remove_guarantee_data":
		return common.CleanBlock(common.PrettyJSON(f.Value))
	case "guarantee_item", "guarantee_type", "guarantee_state":
		if mm := common.CodeMeaning(f.Name, f.Value); mm != "" {
			v += "（" + mm + "）"
		}
	}
	if v == "" {
		return "（空）"
	}
	return v
}

// resultLines is the platform's answer.
func (a *actionView) resultLines(w int) []string {
	var out []string
	if a.resErr != nil {
		head, detail := errParts(a.resErr)
		out = append(out, "")
		for _, l := range common.Wrap(head, w-2) {
			out = append(out, common.StyleErr.Render(l))
		}
		for _, d := range detail {
			out = append(out, common.Wrap(d, w-2)...)
		}
	}
	if o := a.res; o != nil {
		out = append(out, "")
		for _, l := range o.lines {
			style := common.StyleOK
			if o.failed {
				style = common.StyleWarn
			}
			for _, wl := range common.Wrap(common.Clean(l), w-2) {
				out = append(out, style.Render(wl))
			}
		}
		if len(o.problems) > 0 {
			out = append(out, "", common.StyleSection.Render(fmt.Sprintf("平台拒绝的条目（%d）：", len(o.problems))))
			for _, p := range o.problems {
				for _, l := range common.Wrap("  "+common.Clean(p), w-2) {
					out = append(out, common.StyleErr.Render(l))
				}
			}
		}
	}
	out = append(out, "", common.StyleDim.Render("按 enter 或 esc 关闭"))
	return out
}

// errText is one line for an error.
func errText(err error) string {
	head, _ := errParts(err)
	return head
}

// errParts explains an error: the platform's refusal with its status code
// and the manual's meaning, an unknown outcome, a local refusal, or a fault.
func errParts(err error) (head string, detail []string) {
	var pe *platform.Error
	switch {
	case errors.As(err, &pe):
		meaning := platform.StatusText(pe.Status)
		if meaning == "" {
			meaning = "手册状态码表未列出"
		}
		head = fmt.Sprintf("平台拒绝：状态码 %d（%s）", pe.Status, meaning)
		if d := platform.StatusDetail(pe.Status, pe.Msg); d != "" {
			detail = append(detail, "平台说明："+common.Clean(d))
		}
		detail = append(detail, "调用："+common.MethodName(pe.Method, "out")+"（"+pe.Method+"）")
	case platform.OutcomeUnknown(err):
		head = "结果未知：请求已发出，但没有收到平台的答复。"
		detail = append(detail, "平台可能已经处理，不要重复发送；请按 R 核对结果未知的调用。", "详情："+common.Clean(err.Error()))
	case platform.IsInputError(err):
		head = common.Clean(err.Error()) // InputError.Hint is for the CLI: the desk has form fields
	default:
		head = "出错：" + common.Clean(err.Error())
	}
	return head, detail
}
