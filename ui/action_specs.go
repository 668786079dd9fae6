package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/action"
	"baohan/ui/components/detail"
	"baohan/ui/components/form"
	"baohan/ui/components/issue"
	"baohan/ui/components/pane"
)

// The actions of the desk, by keystroke. Each builds its call with the
// platform's Plan* (which validates), shows it, and runs it with
// Workflows.Execute.

// readOnly says why nothing can be sent.
const readOnly = "只读桌面：没有连接平台（未加载配置），不能发送。请用配置文件启动 baohan。"

// ActionKeys are the action keys that apply to a selection (help bar).
func (m *Model) ActionKeys(s *common.Selection) []key.Binding {
	if s == nil {
		return nil
	}
	km := m.pc.Keys
	switch s.Kind {
	case common.KindOrder:
		if s.Order != nil && s.Order.OrderStatus == platform.OrderWaitOutGuarantee {
			// 待出函: 签发 first, then its push.
			return []key.Binding{km.Issue, km.Push, km.Notify, km.Cancel, km.Fetch, km.Copy}
		}
		return []key.Binding{km.Notify, km.Push, km.Cancel, km.Fetch, km.Copy}
	case common.KindGuarantee:
		return []key.Binding{km.Release, km.Copy}
	case common.KindRelease, common.KindRevocation:
		return []key.Binding{km.Release, km.Copy}
	case common.KindClaim:
		return []key.Binding{km.ClaimResult, km.Fetch, km.Copy}
	}
	return []key.Binding{km.Copy}
}

// openActionMsg opens an action whose form needed a store read first.
type openActionMsg struct {
	spec *action.Spec
	err  error
}

// RecordKey runs the action a key names on a record (in a list or a
// detail view).
func (m *Model) RecordKey(k tea.KeyMsg, s *common.Selection) tea.Cmd {
	km := m.pc.Keys
	isAction := key.Matches(k, km.Notify, km.Push, km.Cancel, km.Fetch, km.Release, km.ClaimResult, km.Issue)
	switch {
	case key.Matches(k, km.Copy):
		if s == nil {
			return nil
		}
		return m.Copy(s.KindName()+"编号", s.Key)
	case key.Matches(k, km.Download, km.OpenFile):
		m.pc.Info("文件在详情里：按 enter 打开详情，移到文件上再按 d 或 o")
		return nil
	case !isAction:
		return nil
	case s == nil:
		m.pc.Info("先选中一条记录")
		return nil
	case m.pc.Workflows == nil:
		m.pc.Errorf("%s", readOnly)
		return nil
	}
	switch {
	case key.Matches(k, km.Issue):
		return m.issueKey(s)
	case key.Matches(k, km.Notify):
		if s.Kind != common.KindOrder {
			m.pc.Info("订单状态通知（n）用于订单：请在订单上使用")
			return nil
		}
		if err := platform.NotifyRefusal(*s.Order); err != nil {
			m.pc.Errorf("%s", action.ErrText(err))
			return nil
		}
		return m.pc.Push(action.NewAction(m.pc, m.notifySpec(*s.Order), m.afterAction))
	case key.Matches(k, km.Push):
		if s.Kind != common.KindOrder {
			m.pc.Info("推送电子保函（p）用于订单：请在待出函的订单上使用")
			return nil
		}
		if err := platform.PushRefusal(*s.Order); err != nil {
			// Said at once, in place of a form that would be refused.
			m.pc.Errorf("%s", action.ErrText(err))
			return nil
		}
		return m.pushCmd(*s.Order)
	case key.Matches(k, km.Cancel):
		if s.Kind != common.KindOrder {
			m.pc.Info("订单取消（x）用于订单")
			return nil
		}
		if err := platform.CancelRefusal(*s.Order); err != nil {
			m.pc.Errorf("%s", action.ErrText(err))
			return nil
		}
		return m.pc.Push(action.NewAction(m.pc, m.cancelSpec(*s.Order), m.afterAction))
	case key.Matches(k, km.Fetch):
		switch s.Kind {
		case common.KindOrder:
			return m.pc.Push(action.NewAction(m.pc, m.fetchOrderSpec(s.Order.OrderNo), m.afterAction))
		case common.KindClaim:
			return m.pc.Push(action.NewAction(m.pc, m.fetchClaimSpec(*s.Claim), m.afterAction))
		case common.KindGuarantee:
			return m.pc.Push(action.NewAction(m.pc, m.fetchOrderSpec(s.Guarantee.OrderNo), m.afterAction))
		case common.KindRelease:
			return m.pc.Push(action.NewAction(m.pc, m.fetchOrderSpec(s.Release.OrderNo), m.afterAction))
		}
		m.pc.Info("从平台获取（r）用于订单或理赔")
	case key.Matches(k, km.Release):
		switch s.Kind {
		case common.KindRevocation:
			return m.releaseCmd(s.Revocation.RevokeNo, "")
		case common.KindRelease:
			return m.releaseCmd(s.Release.RevokeNo, "")
		case common.KindGuarantee:
			return m.releaseCmd("", s.Guarantee.GuaranteeNo)
		}
		m.pc.Info("保函解保（l）用于撤销通知或保函")
	case key.Matches(k, km.ClaimResult):
		if s.Kind != common.KindClaim {
			m.pc.Info("理赔结果更新（a）用于理赔")
			return nil
		}
		if err := platform.ClaimResultRefusal(*s.Claim); err != nil {
			m.pc.Errorf("%s", action.ErrText(err))
			return nil
		}
		return m.pc.Push(action.NewAction(m.pc, m.claimResultSpec(*s.Claim), m.afterAction))
	}
	return nil
}

// afterAction reads again what an action may have changed.
func (m *Model) afterAction() tea.Cmd {
	cmds := []tea.Cmd{m.panes[m.active].Refresh(m.pc), m.bar.Read(m.pc)}
	if m.active != int(pane.IDTodo) {
		cmds = append(cmds, m.todo.Refresh(m.pc))
	}
	for _, o := range m.pc.Stack {
		if d, ok := o.(*detail.View); ok {
			cmds = append(cmds, d.Reload(m.pc))
		}
	}
	return tea.Batch(cmds...)
}

// planned wraps plans of platform into what the confirmation shows.
func (m *Model) planned(plans ...*platform.Plan) *action.Prepared {
	wf := m.pc.Workflows
	p := &action.Prepared{}
	for _, pl := range plans {
		title := ""
		if len(plans) > 1 {
			title = pl.Title + " " + pl.Ref
		}
		p.Sends = append(p.Sends, action.SendPart{Title: title, Method: pl.Method, Fields: pl.Fields()})
		p.Warnings = append(p.Warnings, pl.Warnings...)
		if pl.Report != nil {
			p.Report = pl.Report
		}
		if pl.File != "" {
			p.File = pl.File
		}
	}
	p.Run = func(ctx context.Context, _ func(int64, int64)) (*action.Outcome, error) {
		o := &action.Outcome{}
		var errs []error
		for _, pl := range plans {
			res, err := wf.Execute(ctx, pl)
			if err != nil {
				if len(plans) == 1 {
					return nil, err
				}
				o.Failed = true
				o.Lines = append(o.Lines, fmt.Sprintf("%s %s：%s", pl.Title, pl.Ref, action.ErrText(err)))
				errs = append(errs, err)
				continue
			}
			o.Lines = append(o.Lines, res.Summary)
			if res.SerialNum != "" && !strings.Contains(res.Summary, string(res.SerialNum)) {
				o.Lines = append(o.Lines, "保函序列号："+string(res.SerialNum))
			}
			for _, e := range res.RemoveErrors {
				o.Problems = append(o.Problems, fmt.Sprintf("保函 %s（序列号 %s）：%s", e.ErrorInfo.GuaranteeNo, e.ErrorInfo.SerialNum, e.ErrorMsg))
			}
		}
		if len(o.Problems) > 0 {
			o.Failed = true
		}
		if len(errs) == len(plans) {
			return nil, errors.Join(errs...)
		}
		return o, nil
	}
	return p
}

// ---- 2.3 订单状态通知 ----

func (m *Model) notifySpec(o store.Order) *action.Spec {
	var choices []form.Choice
	sel := 0
	cur := -1
	for i, code := range platform.NotifiableStates {
		choices = append(choices, form.Choice{Code: code, Text: platform.OrderStateText(code) + "  " + code})
		if code == o.OrderStatus {
			cur = i
		}
	}
	if cur >= 0 {
		// The state after the present one, or the present one at the end.
		sel = min(cur+1, len(choices)-1)
	}
	status := form.NewChoiceField("status", "订单状态", "", choices, sel)
	amount := form.NewTextField("amount", "订单金额(元)", "订单状态为待出函（WAIT_OUT_GUARANTEE）时必填，最多两位小数", "例如 1200.00", o.OrderAmount)
	withdraw := form.NewSwitchField("withdraw", "审批退回", "是：is_withdraw=1，退回给投保人重新提交（不会取消订单），须填说明")
	statement := form.NewTextField("statement", "说明", "审批退回时必填", "给投保人的说明", "")
	wf := m.pc.Workflows
	no := o.OrderNo
	return &action.Spec{
		Title: "订单状态通知（2.3）", Ref: "订单 " + no, Intro: common.OrderIntro(o),
		Fields: []form.Field{status, amount, withdraw, statement},
		Prepare: func(ctx context.Context, v map[string]string) (*action.Prepared, error) {
			p, err := wf.PlanNotifyStatus(ctx, platform.StatusInput{OrderNo: no, Status: v["status"], Amount: v["amount"],
				Withdraw: v["withdraw"] == "1", Statement: v["statement"]})
			if err != nil {
				return nil, err
			}
			return m.planned(p), nil
		},
	}
}

// ---- 2.5 推送电子保函 ----

// pushCmd reads the letters signed for the order (签发), then opens the
// push form with the newest filled in.
func (m *Model) pushCmd(o store.Order) tea.Cmd {
	m.opening++
	db, ctx := m.pc.Store, m.pc.Ctx
	return func() tea.Msg {
		issued, err := platform.IssuedLetters(ctx, db, o.OrderNo)
		if err != nil {
			return openActionMsg{err: err}
		}
		spec := m.pushSpec(o)
		if len(issued) > 0 {
			l := issued[0]
			if path := db.FilePath(l.SHA256); path != "" && db.HasFile(l.SHA256) {
				spec.Fields[0].(*form.TextField).SetValue(l.GuaranteeNo)
				spec.Fields[1].(*form.FileField).SetValue(path)
				spec.Intro = append(spec.Intro, fmt.Sprintf("已填入 %s 签发的保函 %s（签名人 %s，SHA-256 %s）",
					common.Clock(l.SignedAt, common.LayoutFull), l.GuaranteeNo, l.Signer, l.SHA256))
			}
		}
		return openActionMsg{spec: spec}
	}
}

func (m *Model) pushSpec(o store.Order) *action.Spec {
	no := o.OrderNo
	wf := m.pc.Workflows
	gno := form.NewTextField("guarantee_no", "保函编号", "本公司出具的电子保函编号", "保函编号", "")
	pdf := form.NewFileField("pdf", "保函PDF", "先检查PDF（结构、签章是否完好）并算出 SHA-256；未通过检查的文件不能推送", m.cwd, []string{".pdf", ".PDF"})
	out := form.NewTextField("out_time", "出函时间", "格式 YYYY-MM-DD HH:MM:SS（北京时间），留空为现在", "留空为现在", "")
	trans := form.NewTextField("trans_no", "传输流水号", "", "可不填", "")
	return &action.Spec{
		Title: "推送电子保函（2.5）", Ref: "订单 " + no, Intro: common.OrderIntro(o),
		Fields: []form.Field{gno, pdf, out, trans},
		Prepare: func(ctx context.Context, v map[string]string) (*action.Prepared, error) {
			p, err := wf.PlanPush(ctx, platform.PushInput{OrderNo: no, GuaranteeNo: v["guarantee_no"], PDFPath: v["pdf"],
				OutTime: v["out_time"], TransNo: v["trans_no"]})
			if err != nil {
				if p != nil && len(p.Overridable) > 0 && platform.IsInputError(err) {
					// Objections --force would override: shown on top, sent
					// only after a second confirmation of their own.
					pr := m.planned(p)
					pr.Overrides = p.Overridable
					pr.Override = p.Override
					return pr, nil
				}
				if p != nil && p.Report != nil {
					// The PDF failed its check: show the report, refuse to send.
					return &action.Prepared{Report: p.Report, File: p.File, Blocked: action.ErrText(err), Warnings: p.Warnings}, err
				}
				return nil, err
			}
			return m.planned(p), nil
		},
	}
}

// ---- 2.11 订单取消 ----

func (m *Model) cancelSpec(o store.Order) *action.Spec {
	no := o.OrderNo
	wf := m.pc.Workflows
	reason := form.NewTextField("reason", "取消原因", "必填：取消原因；取消后订单为交易取消（CANCEL）", "取消订单原因", "")
	return &action.Spec{
		Title: "订单取消（2.11）", Ref: "订单 " + no, Intro: common.OrderIntro(o),
		Fields: []form.Field{reason},
		Prepare: func(ctx context.Context, v map[string]string) (*action.Prepared, error) {
			p, err := wf.PlanCancelOrder(ctx, no, v["reason"])
			if err != nil {
				return nil, err
			}
			return m.planned(p), nil
		},
	}
}

// ---- 2.2 获取订单信息 ----

func (m *Model) fetchOrderSpec(no string) *action.Spec {
	wf := m.pc.Workflows
	return &action.Spec{
		Title: "获取订单信息（2.2）", Ref: "订单 " + no,
		Intro: []string{"从平台取回订单的全部字段并更新本地记录（标记的订单核对后清除标记）。"},
		Prepare: func(ctx context.Context, v map[string]string) (*action.Prepared, error) {
			if no == "" {
				return nil, errors.New("没有订单编号")
			}
			return &action.Prepared{
				Sends: []action.SendPart{{Method: platform.MethodGetGuaranteeInfo, Fields: wf.PlanFetchOrder(no).Fields()}},
				Run: func(ctx context.Context, _ func(int64, int64)) (*action.Outcome, error) {
					o, err := wf.FetchOrder(ctx, no)
					if err != nil {
						return nil, err
					}
					return &action.Outcome{Lines: []string{fmt.Sprintf("订单 %s 已更新：%s", no, platform.OrderStateLabel(o.OrderStatus))}}, nil
				},
			}, nil
		},
	}
}

// ---- 3.3 获取理赔信息 ----

func (m *Model) fetchClaimSpec(c store.Claim) *action.Spec {
	wf := m.pc.Workflows
	return &action.Spec{
		Title: "获取理赔信息（3.3）", Ref: "理赔 " + c.ClaimNo,
		Intro: []string{fmt.Sprintf("%s  保函 %s  被保证人 %s", common.ClaimState(c.Status), c.GuaranteeNo, c.Principal)},
		Prepare: func(ctx context.Context, v map[string]string) (*action.Prepared, error) {
			return &action.Prepared{
				Sends: []action.SendPart{{Method: platform.MethodGetClaimInfo, Fields: wf.PlanRefreshClaim(c).Fields()}},
				Run: func(ctx context.Context, _ func(int64, int64)) (*action.Outcome, error) {
					got, err := wf.RefreshClaim(ctx, c.ClaimNo)
					if err != nil {
						return nil, err
					}
					return &action.Outcome{Lines: []string{fmt.Sprintf("理赔 %s 已更新：%s", c.ClaimNo, platform.ClaimStateLabel(got.Status))}}, nil
				},
			}, nil
		},
	}
}

// ---- 3.2 理赔结果更新 ----

func (m *Model) claimResultSpec(c store.Claim) *action.Spec {
	wf := m.pc.Workflows
	// No result is chosen at first: the clerk picks one (a default that
	// moved with the claim's state sent a rejection once).
	choices := []form.Choice{{Code: "", Text: "（请选择处理结果：上下键移动）"}}
	for _, d := range platform.ClaimResultChoices {
		for _, s := range d.Statuses {
			choices = append(choices, form.Choice{Code: d.Code + ":" + s.Code, Text: fmt.Sprintf("%s：%s  (do_type=%s, status=%s)", d.Meaning, s.Meaning, d.Code, s.Code)})
		}
	}
	result := form.NewChoiceField("result", "处理结果", "手册3.2：受理 1通过/2退回；理赔 1调解解决/2保证人代偿/4被保证人清偿/5驳回申请；追偿 1反担保代偿/2司法处置/3被保证人清偿", choices, 0)
	note := form.NewTextField("note", "备注", "必填：处理说明", "处理说明", "")
	no := c.ClaimNo
	return &action.Spec{
		Title: "理赔结果更新（3.2）", Ref: "理赔 " + no,
		Intro:  []string{fmt.Sprintf("%s  保函 %s  被保证人 %s  索赔 %s 元", common.ClaimState(c.Status), c.GuaranteeNo, c.Principal, common.Money(c.ClaimAmount))},
		Fields: []form.Field{result, note},
		Prepare: func(ctx context.Context, v map[string]string) (*action.Prepared, error) {
			if v["result"] == "" {
				return nil, errors.New("请先选择处理结果")
			}
			doType, status, _ := strings.Cut(v["result"], ":")
			p, err := wf.PlanClaimResult(ctx, platform.ClaimResultInput{ClaimNo: no, DoType: doType, Status: status, Note: v["note"]})
			if err != nil {
				return nil, err
			}
			pr := m.planned(p)
			if platform.ClaimResultRejects(doType, status) {
				// A rejection is confirmed twice, as a forced push is: y, then Y.
				pr.Overrides = []string{fmt.Sprintf("这是拒绝理赔申请的结果：%s，请核对无误后再发送", platform.ClaimResultText(doType, status))}
				pr.Override = func() bool { return true }
				pr.Force = "确定拒绝这项理赔申请？ Y（大写）发送 / n 返回修改"
			}
			return pr, nil
		},
	}
}

// ---- 2.9 保函解保 ----

// releaseCmd reads the guarantees a release may cover, then opens the form.
func (m *Model) releaseCmd(revokeNo, guaranteeNo string) tea.Cmd {
	m.opening++
	db, ctx := m.pc.Store, m.pc.Ctx
	return func() tea.Msg {
		items, intro, err := releaseCandidates(ctx, db, revokeNo, guaranteeNo)
		if err != nil {
			return openActionMsg{err: err}
		}
		return openActionMsg{spec: m.releaseSpec(revokeNo, guaranteeNo, items, intro)}
	}
}

// releaseCandidates are platform.ReleaseCandidates as the form's check
// list, with the batch as the form's first line.
func releaseCandidates(ctx context.Context, db *store.Store, revokeNo, guaranteeNo string) ([]form.CheckItem, []string, error) {
	r, cands, err := platform.ReleaseCandidates(ctx, db, revokeNo, guaranteeNo)
	if err != nil {
		return nil, nil, err
	}
	if err := platform.ReleaseRefusal(cands); err != nil {
		// Said at once, in place of a form whose every box is disabled.
		return nil, nil, err
	}
	var intro []string
	if r != nil {
		intro = append(intro, fmt.Sprintf("撤销批次 %s  标段 %s %s  受益人 %s", r.RevokeNo, r.BlockNumber, r.BlockName, r.Creditor))
	}
	var items []form.CheckItem
	for _, c := range cands {
		it := form.CheckItem{Code: c.GuaranteeNo, Text: fmt.Sprintf("%s  %s  序列号 %s", c.GuaranteeNo, c.Principal, c.SerialNum), Disabled: c.Why, On: c.Why == ""}
		if c.Why == "" && c.Principal == "" {
			it.Text = fmt.Sprintf("%s  %s  序列号 %s", c.GuaranteeNo, c.Guarantee.Principal, c.Guarantee.SerialNum)
		}
		items = append(items, it)
	}
	return items, intro, nil
}

func (m *Model) releaseSpec(revokeNo, guaranteeNo string, items []form.CheckItem, intro []string) *action.Spec {
	wf := m.pc.Workflows
	list := form.NewCheckField("guarantees", "解保的保函", "只有收到撤销通知、待解保的本公司保函可以勾选；按标段各发一次", items)
	date := form.NewTextField("date", "解保日期", "格式 YYYY-MM-DD HH:MM:SS（北京时间），留空为现在", "留空为现在", "")
	ref := "撤销 " + revokeNo
	if revokeNo == "" {
		ref = "保函 " + guaranteeNo
	}
	return &action.Spec{
		Title: "保函解保（2.9）", Ref: ref, Intro: intro,
		Fields: []form.Field{list, date},
		Prepare: func(ctx context.Context, v map[string]string) (*action.Prepared, error) {
			var nos []string
			if v["guarantees"] != "" {
				nos = strings.Split(v["guarantees"], ",")
			}
			plans, err := wf.PlanRelease(ctx, nos, v["date"])
			if err != nil {
				return nil, err
			}
			return m.planned(plans...), nil
		},
	}
}

// reconcile settles the calls whose outcome is unknown (结果未知) with
// Workflows.Reconcile: it asks the platform (获取订单信息 2.2) what became of
// each, and shows one line per call. Nothing is sent that changes anything
// at the platform, so there is no confirmation; the spinner turns meanwhile.
func (m *Model) reconcile() tea.Cmd {
	if m.pc.Workflows == nil {
		m.pc.Errorf("%s", readOnly)
		return nil
	}
	wf, db := m.pc.Workflows, m.pc.Store
	spec := &action.Spec{
		Title:   "核对结果未知的调用",
		Intro:   []string{"向平台查询这些调用的结果（获取订单信息 2.2）并记下核对结论；不会重复发送。"},
		Running: "正在向平台核对，请稍候……",
	}
	a := action.NewAction(m.pc, spec, m.afterAction)
	prep := &action.Prepared{Run: func(ctx context.Context, _ func(int64, int64)) (*action.Outcome, error) {
		before, err := db.Unresolved(ctx)
		if err != nil {
			return nil, err
		}
		rs, err := wf.Reconcile(ctx)
		out := &action.Outcome{}
		done := map[int64]bool{}
		for _, r := range rs {
			done[r.Attempt.ID] = true
			out.Lines = append(out.Lines, r.Summary)
			if r.State != store.AttemptOK {
				out.Failed = true
			}
		}
		if err != nil {
			return out, fmt.Errorf("核对结果未知的调用：%w", err)
		}
		for _, b := range before {
			if !done[b.ID] {
				out.Lines = append(out.Lines, fmt.Sprintf("%s %s 可能仍在发送中，%s后再核对", platform.MethodTitle(b.Method), b.Ref, common.Span(platform.StaleSending)))
				out.Failed = true
			}
		}
		if len(before) == 0 && len(rs) == 0 {
			out.Lines = append(out.Lines, "没有结果未知的调用，无需核对")
		}
		return out, nil
	}}
	m.pc.Stack = append(m.pc.Stack, a)
	a.Resize(m.pc, m.pc.Width, m.pc.ContentHeight())
	return a.Execute(m.pc, prep)
}

// issueKey opens the flow on an order.
func (m *Model) issueKey(s *common.Selection) tea.Cmd {
	if s.Kind != common.KindOrder {
		m.pc.Info("签发电子保函（i）用于订单：请在待出函的订单上使用")
		return nil
	}
	if s.Order.OrderStatus != platform.OrderWaitOutGuarantee {
		m.pc.Info("订单 %s 是%s，只有待出函的订单可以签发电子保函", s.Order.OrderNo, common.OrderState(s.Order.OrderStatus))
		return nil
	}
	return m.pc.Push(issue.New(m.pc, issue.Deps{Dir: m.cwd, PushSpec: m.pushSpec, After: m.afterAction}, *s.Order))
}
