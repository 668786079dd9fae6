// Package action is the action overlay: one outbound call (or a few) in four
// steps — the form, the plan shown field by field as it will be sent, the
// call, the platform's answer. What each key sends is the desk's
// (ui/action_specs.go).
package action

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
	"baohan/ui/components/form"
	"baohan/ui/program"
)

// An action is one outbound call (or a few, for 解保 by block) in four
// steps: a form; the plan, built and checked by platform (Plan*), shown
// field by field exactly as it will be sent, with the PDF check of a push;
// the call, with a spinner (and a progress bar for a download); and the
// platform's answer. Nothing is sent before the clerk confirms.

// Spec describes an action.
type Spec struct {
	Title  string   // what the clerk does, with the manual's section
	Ref    string   // the record it is about
	Intro  []string // the record, in a line or two, above the form
	Fields []form.Field
	// Prepare builds what will be sent from the form's values. It runs in a
	// command (it reads the store and, for a push, checks the PDF).
	Prepare func(ctx context.Context, vals map[string]string) (*Prepared, error)
	// Done runs in Update with the outcome (e.g. to remember a download).
	Done func(o *Outcome)
	// Running is the line shown beside the spinner while it runs ("" for
	// the usual one).
	Running string
}

// Prepared is what the confirmation shows and the call runs.
type Prepared struct {
	Sends    []SendPart
	Warnings []string
	Report   *pdfsign.Report
	File     string // the file sent with the call
	Blocked  string // why it cannot be sent (a failed PDF check)
	// Overrides are objections the clerk may override with a second
	// confirmation (platform.Plan.Overridable); override lifts them.
	Overrides []string
	Override  func() bool
	// Force is the prompt after y on a plan with overrides ("" the forced
	// push's).
	Force string
	Run   func(ctx context.Context, progress func(done, total int64)) (*Outcome, error)
}

// SendPart is one call as it will be sent.
type SendPart struct {
	Title  string
	Method string
	Fields []platform.Field
}

// Outcome is what came back.
type Outcome struct {
	Lines    []string           // one line each, in Chinese
	Problems []string           // per-item refusals (2.9)
	Failed   bool               // some part failed (lines say which)
	Download *detail.Downloaded // a file stored by the action
	FileID   string
}

type State int

const (
	StateForm State = iota
	StatePlanning
	StateConfirm
	StateRunning
	StateResult
)

type View struct {
	// after reads again what the outcome may have changed (the desk's).
	after  func() tea.Cmd
	oid    int
	spec   *Spec
	form   form.Form
	state  State
	formEr string // the local refusal of the last plan
	prep   *Prepared
	res    *Outcome
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
	prep *Prepared
	err  error
}

func (m planMsg) OverlayID() int { return m.oid }

// runMsg carries the end of a call; progressMsg a download's progress.
type runMsg struct {
	oid int
	out *Outcome
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

// NewAction is the overlay of spec; after runs when the call ended (the
// desk reads again what it shows).
func NewAction(pc *program.Context, spec *Spec, after func() tea.Cmd) *View {
	g := common.Glyphs()
	p := progress.New(progress.WithFillCharacters(g.BarFull, g.BarEmpty), progress.WithSolidFill("12"), progress.WithWidth(40),
		progress.WithColorProfile(lipgloss.ColorProfile()))
	a := &View{after: after, oid: pc.NextID(), spec: spec, prog: p}
	a.form.Fields = spec.Fields
	return a
}

func (a *View) ID() int       { return a.oid }
func (a *View) Title() string { return a.spec.Title }
func (a *View) Busy() bool    { return a.state == StatePlanning || a.state == StateRunning }

// Typing is always true: in an action, q and ? are the action's (esc leaves).
func (a *View) Typing() bool { return true }

func (a *View) Init(pc *program.Context) tea.Cmd {
	if len(a.form.Fields) == 0 {
		return a.plan(pc)
	}
	return a.form.Start()
}

func (a *View) Resize(pc *program.Context, w, h int) {
	a.w, a.h = w, h
	a.prog.Width = min(max(w-20, 10), 60)
}

// plan asks platform to build and check the call.
func (a *View) plan(pc *program.Context) tea.Cmd {
	a.state = StatePlanning
	a.formEr = ""
	a.gen++
	vals, gen, oid, ctx, prepare := a.form.Values(), a.gen, a.oid, pc.Ctx, a.spec.Prepare
	return func() tea.Msg {
		p, err := prepare(ctx, vals)
		return planMsg{oid: oid, gen: gen, prep: p, err: err}
	}
}

// execute runs the call; a download reports progress on a channel.
func (a *View) execute(pc *program.Context) tea.Cmd {
	a.state = StateRunning
	a.off = 0
	ch := make(chan tea.Msg, 8)
	a.progress = ch
	oid, ctx, run := a.oid, pc.Ctx, a.prep.Run
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

func (a *View) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case planMsg:
		if msg.gen != a.gen || a.state != StatePlanning {
			return nil
		}
		if msg.err != nil && (msg.prep == nil || msg.prep.Blocked == "") {
			a.state = StateForm
			a.formEr = ErrText(msg.err)
			if len(a.form.Fields) == 0 {
				a.state = StateResult
				a.resErr = msg.err
			}
			return nil
		}
		a.prep = msg.prep
		a.state = StateConfirm
		a.armed = false
		a.off = 0
		return nil
	case progressMsg:
		a.progDone, a.progTotal = msg.done, msg.total
		return waitChan(a.progress)
	case runMsg:
		a.state = StateResult
		a.res, a.resErr = msg.out, msg.err
		if msg.err != nil {
			pc.Log.Warn("action failed", "action", a.spec.Title, "ref", a.spec.Ref, "err", msg.err)
		} else if msg.out != nil {
			pc.Log.Info("action done", "action", a.spec.Title, "ref", a.spec.Ref, "result", strings.Join(msg.out.Lines, "；"))
		}
		a.off = 0
		if a.spec.Done != nil && msg.out != nil {
			a.spec.Done(msg.out)
		}
		if msg.err != nil {
			pc.Errorf("%s：%s", a.spec.Title, ErrText(msg.err))
		} else if msg.out != nil && len(msg.out.Lines) > 0 {
			pc.Info("%s", msg.out.Lines[0])
		}
		return a.after()
	case tea.KeyMsg:
		return a.key(pc, msg)
	default:
		if a.state == StateForm {
			// The file picker reads folders in commands of its own.
			if fl := a.form.Focused(); fl != nil {
				return fl.Update(pc, msg)
			}
		}
	}
	return nil
}

func (a *View) key(pc *program.Context, k tea.KeyMsg) tea.Cmd {
	km := pc.Keys
	switch a.state {
	case StateForm:
		if k.String() == "esc" && !a.form.Picking() {
			pc.Pop()
			return nil
		}
		cmd, submit := a.form.Key(pc, k)
		if submit {
			return a.plan(pc)
		}
		return cmd
	case StatePlanning, StateRunning:
		if k.String() == "esc" {
			pc.Info("正在进行，请稍候")
		}
	case StateConfirm:
		switch {
		case a.prep.Blocked == "" && key.Matches(k, km.Confirm):
			if len(a.prep.Overrides) > 0 {
				a.armed = true
				a.off = 0
				return nil
			}
			return a.execute(pc)
		case a.armed && key.Matches(k, km.Force):
			if a.prep.Override == nil || !a.prep.Override() {
				pc.Errorf("未发送：无法确认强制推送")
				return nil
			}
			return a.execute(pc)
		case key.Matches(k, km.Deny), key.Matches(k, km.Back):
			a.armed = false
			if len(a.form.Fields) == 0 {
				pc.Pop()
				return nil
			}
			a.state = StateForm
			return a.form.Focused().Focus()
		case key.Matches(k, km.Open):
			pc.Info("enter 不发送：确认请按 y")
		default:
			a.scrollKey(pc, k)
		}
	case StateResult:
		switch {
		case key.Matches(k, km.Back), key.Matches(k, km.Open), k.String() == "q":
			pc.Pop()
			return a.after()
		default:
			a.scrollKey(pc, k)
		}
	}
	return nil
}

func (a *View) scrollKey(pc *program.Context, k tea.KeyMsg) {
	km := pc.Keys
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

func (a *View) Help(pc *program.Context) []key.Binding {
	km := pc.Keys
	switch a.state {
	case StateForm:
		b := []key.Binding{km.NextField, km.Submit}
		if _, ok := a.form.Focused().(*form.FileField); ok {
			b = append(b, km.Browse)
		}
		return append(b, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "放弃")))
	case StateConfirm:
		if a.prep.Blocked != "" {
			return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "返回修改")), km.Down}
		}
		if a.armed {
			force := km.Force
			if a.prep.Force != "" {
				force = key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "确认发送（大写Y）"))
			}
			return []key.Binding{force, km.Deny, km.Down}
		}
		return []key.Binding{km.Confirm, km.Deny, km.Down}
	case StateResult:
		return []key.Binding{key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "关闭")), km.Down}
	}
	return nil
}

func (a *View) View(pc *program.Context, w, h int) string {
	head := common.StyleBold.Render(a.spec.Title)
	if a.spec.Ref != "" {
		head += "  " + common.Clean(a.spec.Ref)
	}
	lines := []string{head}
	for _, l := range a.spec.Intro {
		lines = append(lines, common.StyleDim.Render(common.Truncate(common.Clean(l), w)))
	}
	switch a.state {
	case StateForm:
		lines = append(lines, "")
		lines = append(lines, a.form.Lines(pc, w)...)
		if a.formEr != "" {
			lines = append(lines, "")
			for _, l := range common.Wrap("未发送："+common.Clean(a.formEr), w-2) {
				lines = append(lines, common.StyleErr.Render(l))
			}
		}
		return strings.Join(lines, "\n")
	case StatePlanning:
		lines = append(lines, "", pc.Spinner.View()+" 正在核对（检查订单、文件）……")
		return strings.Join(lines, "\n")
	case StateConfirm:
		// The verdict, the SHA-256, the warnings and the prompt stay on
		// top; what will be sent scrolls below them.
		lines = append(lines, a.confirmHead(w)...)
		body := a.confirmLines(w)
		return strings.Join(append(lines, ScrollLines(body, &a.off, h-len(lines))...), "\n")
	case StateRunning:
		run := a.spec.Running
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
	return strings.Join(append(lines, ScrollLines(body, &a.off, h-len(lines))...), "\n")
}

// ScrollLines shows h lines of body from *off (clamped), with a note when
// more lies below.
func ScrollLines(body []string, off *int, h int) []string {
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
func (a *View) confirmHead(w int) []string {
	p := a.prep
	var out []string
	if p.Report != nil {
		style := common.StyleOK
		if p.Blocked != "" || len(p.Overrides) > 0 {
			style = common.StyleUrgent
		}
		out = append(out, "")
		for _, l := range common.Wrap("PDF检查："+p.Report.Conclusion(), w-2) {
			out = append(out, style.Render(l))
		}
		out = append(out, common.Truncate("SHA-256："+p.Report.SHA256, w))
	}
	if p.Blocked != "" {
		for _, l := range common.Wrap("不能发送："+common.Clean(p.Blocked), w-2) {
			out = append(out, common.StyleUrgent.Render(l))
		}
	}
	for _, o := range p.Overrides {
		for _, l := range common.Wrap("警告："+common.Clean(o), w-2) {
			out = append(out, common.StyleUrgent.Render(l))
		}
	}
	for _, wn := range p.Warnings {
		for _, l := range common.Wrap("注意："+common.Clean(wn), w-2) {
			out = append(out, common.StyleWarn.Render(l))
		}
	}
	switch {
	case p.Blocked != "":
		out = append(out, common.StyleUrgent.Render(common.Truncate("文件未通过检查，不能推送。按 esc 返回，换一个文件。", w)))
	case a.armed:
		prompt := "有上述警告，确定仍要推送？ Y（大写）强制推送 / n 返回修改"
		if p.Force != "" {
			prompt = p.Force
		}
		for _, l := range common.Wrap(prompt, w-2) {
			out = append(out, common.StyleUrgent.Render(common.StyleBold.Render(l)))
		}
	case len(p.Overrides) > 0:
		out = append(out, common.StyleBold.Render(common.Truncate("确认发送？ y 发送（有警告，还须再确认一次） / n 返回修改", w)))
	default:
		out = append(out, common.StyleBold.Render(common.Truncate("确认发送？ y 发送 / n 返回修改", w)))
	}
	return out
}

// confirmLines is the rest of the confirmation: exactly what will be sent.
func (a *View) confirmLines(w int) []string {
	p := a.prep
	var out []string
	for _, s := range p.Sends {
		out = append(out, "")
		t := "将发送到平台"
		if s.Title != "" {
			t = s.Title + "，将发送"
		}
		out = append(out, common.StyleSection.Render(fmt.Sprintf("%s（%s）：", t, s.Method)))
		nameW := 0
		for _, f := range s.Fields {
			nameW = max(nameW, common.TextWidth(f.Name))
		}
		nameW = min(nameW, 24)
		valW := max(w-nameW-form.LabelW-6, 12)
		for _, f := range s.Fields {
			val := fieldShown(f, s.Fields)
			vl := WrapIndented(val, valW)
			for i, l := range vl {
				if i == 0 {
					out = append(out, "  "+common.Fit(f.Name, nameW)+"  "+common.StyleLabel.Render(common.Fit(platform.FieldTitle(f.Name), form.LabelW))+"  "+l)
				} else {
					out = append(out, strings.Repeat(" ", nameW+form.LabelW+6)+l)
				}
			}
		}
	}
	if len(p.Sends) > 0 {
		pretty := false
		for _, s := range p.Sends {
			for _, f := range s.Fields {
				pretty = pretty || f.Name == "remove_guarantee_data"
			}
		}
		if pretty {
			out = append(out, common.StyleDim.Render(common.Truncate("remove_guarantee_data 为便于阅读已缩进，发送的是同样内容的紧凑JSON文本。", w)))
		}
		out = append(out, common.StyleDim.Render(common.Truncate("另由程序填写 btc_id、enter_institution_type=2、timestamp、sign，并加密为 param。", w)))
	}
	if p.File != "" {
		out = append(out, "", common.StyleSection.Render("随附文件："), "  "+common.Clean(p.File))
	}
	if p.Report != nil {
		out = append(out, "", common.StyleSection.Render("保函文件检查（pdfsign）："))
		out = append(out, IndentWrap(ReportText(p.Report), "  ", w)...)
	}
	return out
}

// WrapIndented wraps each line of text to w cells; a wrapped line's
// continuation keeps the line's own indentation (JSON stays readable).
func WrapIndented(text string, w int) []string {
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

// IndentWrap wraps each line of text to w cells, every line indented.
func IndentWrap(text, indent string, w int) []string {
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
func (a *View) resultLines(w int) []string {
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
		for _, l := range o.Lines {
			style := common.StyleOK
			if o.Failed {
				style = common.StyleWarn
			}
			for _, wl := range common.Wrap(common.Clean(l), w-2) {
				out = append(out, style.Render(wl))
			}
		}
		if len(o.Problems) > 0 {
			out = append(out, "", common.StyleSection.Render(fmt.Sprintf("平台拒绝的条目（%d）：", len(o.Problems))))
			for _, p := range o.Problems {
				for _, l := range common.Wrap("  "+common.Clean(p), w-2) {
					out = append(out, common.StyleErr.Render(l))
				}
			}
		}
	}
	out = append(out, "", common.StyleDim.Render("按 enter 或 esc 关闭"))
	return out
}

// ErrText is one line for an error.
func ErrText(err error) string {
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

// Execute runs p at once, with no form and no confirmation (the desk's
// reconciliation, which sends nothing new).
func (a *View) Execute(pc *program.Context, p *Prepared) tea.Cmd {
	a.prep = p
	return a.execute(pc)
}

// Plan starts the form and builds the plan from what it holds (a form the
// desk filled in).
func (a *View) Plan(pc *program.Context) tea.Cmd { return tea.Batch(a.form.Start(), a.plan(pc)) }

// State is the step the action is in.
func (a *View) State() State { return a.state }

// Prepared is what the confirmation shows (nil before the plan).
func (a *View) Prepared() *Prepared { return a.prep }

// Armed: the clerk confirmed once despite the objections; a second
// confirmation sends.
func (a *View) Armed() bool { return a.armed }

// Result is the outcome and the error of the call (after StateResult).
func (a *View) Result() (*Outcome, error) { return a.res, a.resErr }

// ShowResult shows an outcome as the call's (tests draw the answers).
func (a *View) ShowResult(o *Outcome, err error) {
	a.state, a.res, a.resErr = StateResult, o, err
}

// Form is the action's form.
func (a *View) Form() *form.Form { return &a.form }
