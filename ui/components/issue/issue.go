// Package issue is 签发 in the desk: the overlay that makes an order's
// guarantee letter, signs it and pushes it (2.5) through the desk's push.
package issue

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	pdfissue "baohan/pdfsign/issue"
	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/action"
	"baohan/ui/components/detail"
	"baohan/ui/components/form"
	"baohan/ui/program"
)

// 签发 in the desk (key i on an order in 待出函): the letter's source (the
// platform's 签署文件 or the firm's template) and the guarantee number →
// the facts the letter states (platform.LetterFor, 大写 included) → the
// certificate and its password → signing (platform.IssueLetter, in a
// command) → the pdfsign report and the SHA-256 → the push (2.5) through
// the desk's own push action and its confirmation. The password lives in
// the masked field only until the certificate is opened; it is never
// stored or logged.

type Step int

const (
	StepLoading Step = iota
	StepSource
	StepChecking
	StepReview
	StepCert
	StepSigning
	StepSigned
)

// Deps is what the flow asks of the desk.
type Deps struct {
	Dir      string                           // where the file pickers start
	PushSpec func(o store.Order) *action.Spec // the desk's push (2.5)
	After    func() tea.Cmd                   // reads again what a call changed
}

// New is the flow on the order o (in 待出函).
func New(pc *program.Context, deps Deps, o store.Order) *View {
	return &View{deps: deps, oid: pc.NextID(), order: o}
}

// Step is where the flow is.
func (v *View) Step() Step { return v.step }

// SourceForm is the source step's form (tests read its focus).
func (v *View) SourceForm() *form.Form { return &v.source }

// Refusal is the last refusal shown under the step ("" none).
func (v *View) Refusal() string { return v.err }

// Signed is the signed letter and the signing's error (after StepSigned).
func (v *View) Signed() (*platform.IssuedLetter, error) { return v.res, v.resErr }

// sourceTemplate is the source choice for the firm's template.
const sourceTemplate = "template"

type View struct {
	deps  Deps
	oid   int
	step  Step
	order store.Order
	err   string // the last refusal, shown under the step
	off   int
	w, h  int

	source form.Form // 来源, 模板, 保函编号
	cert   form.Form // 证书, 密码

	letter pdfissue.Letter
	warns  []string
	res    *platform.IssuedLetter
	resErr error
}

// issueMsg carries what a command of the flow found.
type issueMsg struct {
	oid     int
	refusal string // a refusal in the clerk's words (certificate)
	order   *store.Order
	letter  *pdfissue.Letter
	warns   []string
	res     *platform.IssuedLetter
	err     error
}

func (m issueMsg) OverlayID() int { return m.oid }

var _ program.OverlayMsg = issueMsg{}

func (v *View) ID() int       { return v.oid }
func (v *View) Title() string { return "签发电子保函" }
func (v *View) Busy() bool {
	return v.step == StepLoading || v.step == StepChecking || v.step == StepSigning
}

// Typing: q and ? are text in the flow (esc leaves).
func (v *View) Typing() bool { return true }

// TextFocus tells whether a text field has the keys (the runes of one read
// go to it whole); elsewhere each rune is a key of its own.
func (v *View) TextFocus() bool {
	var f form.Field
	switch v.step {
	case StepSource:
		f = v.source.Focused()
	case StepCert:
		f = v.cert.Focused()
	}
	return f != nil && f.Typing()
}

// Opening: the order is read, or the letter's facts are made from it; the
// keys typed meanwhile are for the screen that follows (program.Opener).
// Signing is a step of its own: keys typed while it runs are not held for
// its result.
func (v *View) Opening() bool { return v.step == StepLoading || v.step == StepChecking }

func (v *View) Resize(pc *program.Context, w, h int) { v.w, v.h = w, h }

func (v *View) Init(pc *program.Context) tea.Cmd {
	db, ctx, oid, no := pc.Store, pc.Ctx, v.oid, v.order.OrderNo
	return func() tea.Msg {
		o, err := db.GetOrder(ctx, no) // the panes' rows carry no fields
		if err != nil {
			return issueMsg{oid: oid, err: err}
		}
		return issueMsg{oid: oid, order: &o}
	}
}

func (v *View) buildSource(pc *program.Context) tea.Cmd {
	sign, _ := platform.OrderFiles(v.order.Fields)
	var choices []form.Choice
	for _, f := range sign {
		name := string(f.FileName)
		if name == "" {
			name = detail.NoFileName
		}
		choices = append(choices, form.Choice{Code: string(f.FileID), Text: "平台签署文件  " + name + "  (file_id " + string(f.FileID) + ")"})
	}
	choices = append(choices, form.Choice{Code: sourceTemplate, Text: "本公司模板（PDF表单，按订单填写）"})
	src := form.NewChoiceField("source", "保函来源", "平台的签署文件（用新的文件URL取回），或本公司的模板文件", choices, 0)
	tpl := form.NewFileField("template", "模板文件", "选本公司模板时填写：PDF表单（AcroForm）", v.deps.Dir, []string{".pdf", ".PDF"})
	no := form.NewTextField("guarantee_no", "保函编号", "本公司出具的电子保函编号", "保函编号", "")
	v.source = form.Form{Fields: []form.Field{src, tpl, no}}
	// The template applies only to the firm's template as the source.
	v.source.Skip = func(f form.Field) bool { return f == tpl && src.Selected().Code != sourceTemplate }
	cert := form.NewFileField("cert", "证书文件", "本公司的 PKCS#12 证书（.p12/.pfx，RSA 或 SM2）", v.deps.Dir, []string{".p12", ".pfx", ".P12", ".PFX"})
	seal := form.NewFileField("seal", "印章图片", "可不填：PNG 或 JPEG，盖在保函末页的可见印章", v.deps.Dir, []string{".png", ".PNG", ".jpg", ".jpeg", ".JPG", ".JPEG"})
	seal.Input.Placeholder = "可不填；文件路径，或按 ctrl+o 选择"
	tsa := form.NewTextField("tsa", "时间戳服务", "可不填：RFC 3161 时间戳服务（TSA）的网址", "可不填，例如 http://tsa.example.com/tsa", "")
	pw := form.NewTextField("password", "证书密码", "只用于打开证书，不保存、不记录", "证书密码", "")
	pw.Input.EchoMode = textinput.EchoPassword
	pw.Input.EchoCharacter = '*'
	pw.Input.Cursor.SetMode(cursor.CursorStatic)
	// The password last: enter on it signs.
	v.cert = form.Form{Fields: []form.Field{cert, seal, tsa, pw}}
	v.step = StepSource
	return v.source.Start()
}

func (v *View) password() *form.TextField { return v.cert.Fields[3].(*form.TextField) }

// check asks platform for the letter's facts.
func (v *View) check(pc *program.Context) tea.Cmd {
	vals := v.source.Values()
	if vals["source"] == sourceTemplate && vals["template"] == "" {
		v.err = "请填写模板文件（或选平台的签署文件）"
		return nil
	}
	v.step, v.err = StepChecking, ""
	wf, ctx, oid, no := pc.Workflows, pc.Ctx, v.oid, v.order.OrderNo
	return func() tea.Msg {
		l, warns, err := wf.LetterFor(ctx, no, vals["guarantee_no"])
		if err != nil {
			return issueMsg{oid: oid, err: err}
		}
		return issueMsg{oid: oid, letter: &l, warns: warns}
	}
}

// sign opens the certificate and runs IssueLetter, in a command.
func (v *View) sign(pc *program.Context) tea.Cmd {
	vals := v.source.Values()
	certPath := v.cert.Fields[0].Value()
	sealPath, tsaURL := v.cert.Fields[1].Value(), v.cert.Fields[2].Value()
	pw := v.password().Input.Value()
	v.password().Input.SetValue("") // asked again if signing fails
	if certPath == "" {
		v.err = "请填写证书文件"
		return nil
	}
	v.step, v.err = StepSigning, ""
	in := platform.IssueInput{OrderNo: v.order.OrderNo, GuaranteeNo: vals["guarantee_no"], TSAURL: tsaURL}
	if vals["source"] == sourceTemplate {
		in.Template = vals["template"]
	} else {
		in.SignFileID = vals["source"]
	}
	wf, ctx, oid := pc.Workflows, pc.Ctx, v.oid
	return func() tea.Msg {
		b, err := readCert(certPath)
		if err != nil {
			return issueMsg{oid: oid, refusal: err.Error()}
		}
		c, err := pdfissue.LoadPKCS12(b, pw)
		if errors.Is(err, pdfissue.ErrPassword) {
			return issueMsg{oid: oid, refusal: fmt.Sprintf("证书 %s 的密码不正确", certPath)}
		}
		if err != nil {
			return issueMsg{oid: oid, refusal: fmt.Sprintf("无法打开证书 %s：%v", certPath, err)}
		}
		in.Cert = c
		if sealPath != "" {
			if in.Seal, err = readNamed(sealPath, pdfissue.MaxSealImage, "印章图片"); err != nil {
				return issueMsg{oid: oid, refusal: err.Error()}
			}
		}
		res, err := wf.IssueLetter(ctx, in)
		return issueMsg{oid: oid, res: res, err: err}
	}
}

func readCert(path string) ([]byte, error) { return readNamed(path, pdfissue.MaxPKCS12, "证书") }

// readNamed reads a file the clerk named, up to limit bytes
// (platform.ReadLimited), its error naming what and where; it still wraps
// the file system's error.
func readNamed(path string, limit int64, what string) ([]byte, error) {
	b, err := platform.ReadLimited(path, limit)
	if err != nil {
		return nil, fmt.Errorf("无法读取%s %s：%w", what, path, err)
	}
	return b, nil
}

// pushSigned opens the desk's push (2.5) with the signed letter as kept in
// the store, straight at its confirmation.
func (v *View) pushSigned(pc *program.Context) tea.Cmd {
	if v.res == nil || v.resErr != nil {
		return nil
	}
	path := pc.Store.FilePath(v.res.SHA256)
	if path == "" {
		pc.Errorf("签发的保函不在文件库中，不能推送")
		return nil
	}
	spec := v.deps.PushSpec(v.order)
	// Pushed: the flow is over, its view goes with the push's result.
	oid := v.oid
	spec.Done = func(o *action.Outcome) {
		if o.Failed {
			return
		}
		for i, ov := range pc.Stack {
			if ov.ID() == oid {
				pc.Stack = append(pc.Stack[:i:i], pc.Stack[i+1:]...)
				return
			}
		}
	}
	spec.Fields[0].(*form.TextField).SetValue(v.source.Values()["guarantee_no"])
	spec.Fields[1].(*form.FileField).SetValue(path)
	a := action.NewAction(pc, spec, v.deps.After)
	pc.Stack = append(pc.Stack, a)
	a.Resize(pc, pc.Width, pc.ContentHeight())
	return a.Plan(pc)
}

func (v *View) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case issueMsg:
		switch v.step {
		case StepLoading:
			if msg.err != nil {
				pc.Errorf("读取订单：%s", action.ErrText(msg.err))
				pc.Pop()
				return nil
			}
			v.order = *msg.order
			return v.buildSource(pc)
		case StepChecking:
			if msg.err != nil {
				v.step, v.err = StepSource, action.ErrText(msg.err)
				return v.source.Focused().Focus()
			}
			v.letter, v.warns, v.step, v.off = *msg.letter, msg.warns, StepReview, 0
		case StepSigning:
			if msg.refusal != "" || (msg.res == nil && msg.err != nil) {
				// Nothing signed (a wrong password, a file refused):
				// back to the certificate.
				v.step, v.err = StepCert, msg.refusal
				if msg.err != nil {
					v.err = action.ErrText(msg.err)
					pc.Log.Warn("issue failed", "order_no", v.order.OrderNo, "err", msg.err)
				}
				return v.cert.Focused().Focus()
			}
			v.res, v.resErr, v.step, v.off = msg.res, msg.err, StepSigned, 0
			if msg.err != nil {
				pc.Errorf("签发的保函未通过检查，不能推送")
			} else {
				pc.Log.Info("letter issued", "order_no", v.order.OrderNo, "sha256", msg.res.SHA256)
				pc.Info("已签发电子保函 %s 并存入文件库；按 p 推送", v.letter.GuaranteeNo)
			}
		}
		return nil
	case tea.KeyMsg:
		return v.key(pc, msg)
	default:
		// The file pickers read folders in commands of their own.
		switch v.step {
		case StepSource:
			if fl := v.source.Focused(); fl != nil {
				return fl.Update(pc, msg)
			}
		case StepCert:
			if fl := v.cert.Focused(); fl != nil {
				return fl.Update(pc, msg)
			}
		}
	}
	return nil
}

func (v *View) key(pc *program.Context, k tea.KeyMsg) tea.Cmd {
	km := pc.Keys
	switch v.step {
	case StepSource:
		if k.String() == "esc" && !v.source.Picking() {
			pc.Pop()
			return nil
		}
		cmd, submit := v.source.Key(pc, k)
		if submit {
			return v.check(pc)
		}
		return cmd
	case StepReview:
		switch {
		case key.Matches(k, km.Submit):
			v.step, v.err = StepCert, ""
			return v.cert.Start()
		case key.Matches(k, km.Back):
			v.step = StepSource
			return v.source.Focused().Focus()
		default:
			scrollOff(pc, k, &v.off, v.h)
		}
	case StepCert:
		if k.String() == "esc" && !v.cert.Picking() {
			v.password().Input.SetValue("")
			v.step, v.err = StepReview, ""
			return nil
		}
		cmd, submit := v.cert.Key(pc, k)
		if submit {
			return v.sign(pc)
		}
		return cmd
	case StepSigned:
		switch {
		case key.Matches(k, km.Push) && v.resErr == nil:
			return v.pushSigned(pc)
		case key.Matches(k, km.Back), k.String() == "q":
			pc.Pop()
			return v.deps.After()
		default:
			scrollOff(pc, k, &v.off, v.h)
		}
	case StepLoading, StepChecking, StepSigning:
		if k.String() == "esc" {
			pc.Info("正在进行，请稍候")
		}
	}
	return nil
}

func scrollOff(pc *program.Context, k tea.KeyMsg, off *int, h int) {
	km := pc.Keys
	switch {
	case key.Matches(k, km.Down):
		*off++
	case key.Matches(k, km.Up):
		*off--
	case key.Matches(k, km.PageDown):
		*off += h - 3
	case key.Matches(k, km.PageUp):
		*off -= h - 3
	case key.Matches(k, km.Top):
		*off = 0
	case key.Matches(k, km.Bottom):
		*off = 1 << 20
	}
	*off = max(*off, 0)
}

func (v *View) Help(pc *program.Context) []key.Binding {
	km := pc.Keys
	esc := func(what string) key.Binding { return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", what)) }
	switch v.step {
	case StepSource:
		return []key.Binding{km.NextField, km.Submit, km.Browse, esc("放弃")}
	case StepReview:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "内容无误，选证书")), esc("返回修改"), km.Down}
	case StepCert:
		return []key.Binding{km.NextField, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "签名")), km.Browse, esc("返回")}
	case StepSigned:
		if v.resErr == nil {
			return []key.Binding{key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "推送电子保函")), esc("关闭"), km.Down}
		}
		return []key.Binding{esc("关闭"), km.Down}
	}
	return nil
}

func (v *View) View(pc *program.Context, w, h int) string {
	o := v.order
	steps := []string{"1 来源", "2 核对内容", "3 证书", "4 签名结果", "5 推送"}
	cur := map[Step]int{StepLoading: 0, StepSource: 0, StepChecking: 0, StepReview: 1, StepCert: 2, StepSigning: 2, StepSigned: 3}[v.step]
	for i := range steps {
		if i == cur {
			steps[i] = common.StyleSelected.Render("[" + steps[i] + "]")
		} else {
			steps[i] = common.StyleDim.Render(steps[i])
		}
	}
	lines := []string{common.StyleBold.Render("签发电子保函") + "  订单 " + common.Clean(o.OrderNo), common.Truncate(strings.Join(steps, " > "), w)}
	for _, l := range common.OrderIntro(o) {
		lines = append(lines, common.StyleDim.Render(common.Truncate(common.Clean(l), w)))
	}
	errLines := func() []string {
		if v.err == "" {
			return nil
		}
		out := []string{""}
		for _, l := range common.Wrap("未签发："+common.Clean(v.err), w-2) {
			out = append(out, common.StyleErr.Render(l))
		}
		return out
	}
	switch v.step {
	case StepLoading:
		lines = append(lines, "", pc.Spinner.View()+" 正在读取订单……")
	case StepSource:
		lines = append(lines, "")
		lines = append(lines, v.source.Lines(pc, w)...)
		lines = append(lines, errLines()...)
	case StepChecking:
		lines = append(lines, "", pc.Spinner.View()+" 正在按订单生成保函内容……")
	case StepReview:
		lines = append(lines, "", common.StyleBold.Render(common.Truncate("请核对保函内容（签名后不能再改）：enter 无误，esc 返回修改", w)))
		var body []string
		body = append(body, common.StyleSection.Render("来源："+common.Clean(v.sourceText())))
		for _, f := range v.letter.Values() {
			val := common.Clean(f.Value)
			if strings.TrimSpace(val) == "" {
				val = common.StyleDim.Render("（订单未给，留空）")
			}
			body = append(body, "  "+common.StyleLabel.Render(common.Fit(f.Label, form.LabelW))+"  "+val)
		}
		if v.source.Values()["source"] != sourceTemplate {
			body = append(body, common.StyleDim.Render(common.Truncate("签署文件按平台原样签名，不填写；以上是订单的事实，供与文件核对。", w)))
		}
		for _, wn := range v.warns {
			for _, l := range common.Wrap("注意："+common.Clean(wn), w-2) {
				body = append(body, common.StyleWarn.Render(l))
			}
		}
		lines = append(lines, action.ScrollLines(body, &v.off, h-len(lines))...)
	case StepCert:
		lines = append(lines, "", common.StyleDim.Render(common.Truncate("保函编号 "+v.letter.GuaranteeNo+"  来源："+v.sourceText(), w)), "")
		lines = append(lines, v.cert.Lines(pc, w)...)
		lines = append(lines, errLines()...)
	case StepSigning:
		lines = append(lines, "", pc.Spinner.View()+" 正在签名并检查……")
	case StepSigned:
		lines = append(lines, v.signedHead(w)...)
		lines = append(lines, action.ScrollLines(v.signedBody(w), &v.off, h-len(lines))...)
	}
	return strings.Join(lines, "\n")
}

func (v *View) sourceText() string {
	vals := v.source.Values()
	if vals["source"] == sourceTemplate {
		return "本公司模板 " + vals["template"]
	}
	if c, ok := v.source.Fields[0].(*form.ChoiceField); ok {
		return strings.TrimSpace(c.Selected().Text)
	}
	return vals["source"]
}

// signedHead stays on top: the verdict, the SHA-256, the warnings, what next.
func (v *View) signedHead(w int) []string {
	out := []string{""}
	r := v.res
	style := common.StyleOK
	if v.resErr != nil {
		style = common.StyleUrgent
	}
	if r.Report != nil {
		for _, l := range common.Wrap("PDF检查："+r.Report.Conclusion(), w-2) {
			out = append(out, style.Render(l))
		}
	}
	out = append(out, common.Truncate("SHA-256："+r.SHA256, w))
	if v.resErr != nil {
		for _, l := range common.Wrap("不能推送："+action.ErrText(v.resErr), w-2) {
			out = append(out, common.StyleUrgent.Render(l))
		}
	}
	for _, wn := range r.Warnings {
		for _, l := range common.Wrap("注意："+common.Clean(wn), w-2) {
			out = append(out, common.StyleWarn.Render(l))
		}
	}
	if v.resErr == nil {
		out = append(out, common.StyleBold.Render(common.Truncate("已签发，存于文件库。按 p 推送（2.5，发送前还要确认），esc 关闭", w)))
	}
	return out
}

func (v *View) signedBody(w int) []string {
	r := v.res
	out := []string{"", common.StyleSection.Render("签发："), "  来源：" + common.Clean(r.Source), fmt.Sprintf("  大小：%s", common.Size(int64(len(r.PDF))))}
	if r.Report != nil {
		out = append(out, "", common.StyleSection.Render("保函文件检查（pdfsign）："))
		out = append(out, action.IndentWrap(action.ReportText(r.Report), "  ", w)...)
	}
	return out
}
