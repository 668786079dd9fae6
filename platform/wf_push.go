package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"baohan/pdfsign"
	"baohan/store"
)

// PushInput is what the clerk gives for 2.5.
type PushInput struct {
	OrderNo     string
	GuaranteeNo string
	PDFPath     string
	OutTime     string // out_guarantee_time, YYYY-MM-DD HH:MM:SS; now when empty
	TransNo     string
	// Force pushes a PDF that failed its check. Never the default.
	Force bool
}

// MaxGuaranteePDF bounds the PDF a push reads into memory.
const MaxGuaranteePDF = 50 << 20

// PlanPush validates 2.5 guarantor_push_guarantee: the order, the
// guarantee number, and the PDF, which is checked with pdfsign first. A PDF
// that is not valid or whose signature is broken or was modified after
// signing is refused unless Force; an unsigned one is allowed with a warning.
// PushRefusal is why the guarantee of order o cannot be pushed (2.5) in its
// state, with what would make it possible; nil when it can. The desk asks
// it before it opens the push form, PlanPush again before it sends.
func PushRefusal(o store.Order) error {
	switch {
	case o.OrderStatus == OrderWaitOutGuarantee:
		return nil
	case o.OrderStatus == OrderCancel:
		return inputErr("订单 %s 是 %s，不能推送电子保函", o.OrderNo, OrderStateLabel(o.OrderStatus))
	case OrderIssued(o.OrderStatus):
		return inputErr("订单 %s 是 %s，电子保函已出具，不能再推送", o.OrderNo, OrderStateLabel(o.OrderStatus))
	}
	return inputErr("订单 %s 是%s，先通知平台为待出函（2.3，填订单金额）才能推送（只有待出函 WAIT_OUT_GUARANTEE 的订单可以推送电子保函）", o.OrderNo, OrderStateText(o.OrderStatus))
}

func (w *Workflows) PlanPush(ctx context.Context, in PushInput) (*Plan, error) {
	o, err := w.knownOrder(ctx, in.OrderNo)
	if err != nil {
		return nil, err
	}
	if err := required("guarantee_no", "--no", in.GuaranteeNo); err != nil {
		return nil, err
	}
	if err := required("guarantee_pdf", "--pdf", in.PDFPath); err != nil {
		return nil, err
	}
	if w.Guarantor == "" {
		return nil, inputErr("配置缺少 guarantor.name（保证人）")
	}
	if err := PushRefusal(o); err != nil {
		return nil, err
	}
	if g, err := w.Store.GetGuarantee(ctx, in.GuaranteeNo); err == nil && g.PushedAt > 0 {
		return nil, inputErr("保函 %s 已推送（序列号 %s），不会重复推送", g.GuaranteeNo, g.SerialNum)
	}
	if other, err := w.pushInDoubt(ctx, o.OrderNo); err != nil {
		return nil, err
	} else if other != "" && other != in.GuaranteeNo {
		// protocol.md: while a push for an order is of unknown outcome, no
		// push of another guarantee_no for it is planned (2.2 names no
		// guarantee: reconcile could not tell which one the platform took).
		return nil, inputErr("订单 %s 的保函 %s 推送结果未知，须先对账（baohan reconcile）确认平台是否已接收，才能推送其他保函编号", o.OrderNo, other)
	}
	out := in.OutTime
	if out == "" {
		out = w.now().In(CST).Format(DateTimeLayout)
	} else if _, err := time.ParseInLocation(DateTimeLayout, out, CST); err != nil {
		return nil, inputErr("出函时间 %q 不是 YYYY-MM-DD HH:MM:SS", out)
	}
	pdf, err := ReadLimited(in.PDFPath, MaxGuaranteePDF)
	if err != nil {
		return nil, inputErr("无法读取保函文件 %s：%v", in.PDFPath, err)
	}
	report, err := pdfsign.CheckBytesIsolated(ctx, pdf, w.PDF)
	if err != nil {
		return nil, fmt.Errorf("检查保函文件 %s 失败：%w", in.PDFPath, err)
	}
	p := &Plan{Method: MethodPushGuarantee, Title: "推送电子保函", Ref: in.GuaranteeNo, File: in.PDFPath, Report: report}
	ok, warning, reason := report.PushVerdict()
	if !ok {
		if !in.Force {
			return p, &InputError{Msg: fmt.Sprintf("保函文件 %s 未通过检查：%s", in.PDFPath, reason), Hint: "确需推送请加 --force"}
		}
		p.Warnings = append(p.Warnings, "强制推送：文件未通过检查："+reason)
	}
	if warning != "" && (report.Signed() || !ok) {
		// An unsigned file's warning is the refusal below, said once.
		p.Warnings = append(p.Warnings, warning)
	}
	// interface.md: refused unless --force, like an invalid file: an
	// unsigned one, one signed by someone other than [guarantor] name, one
	// already pushed for another guarantee.
	var refusals []string
	if ok && !report.Signed() {
		refusals = append(refusals, "文件没有电子签名（签章），平台验真时无法证明未被修改")
	}
	if signer := report.VerifyAnswer().SignName; report.Signed() && NormName(signer) != NormName(w.Guarantor) {
		refusals = append(refusals, fmt.Sprintf("签章单位为「%s」，不是本公司（guarantor.name：%s）", signer, w.Guarantor))
	}
	if others, err := w.Store.GuaranteesByPDF(ctx, report.SHA256); err != nil {
		return nil, err
	} else {
		for _, g := range others {
			if g.GuaranteeNo != in.GuaranteeNo && g.PushedAt > 0 {
				refusals = append(refusals, fmt.Sprintf("同一文件（SHA-256 相同）已作为保函 %s 推送过", g.GuaranteeNo))
				break
			}
		}
	}
	if t, err := time.ParseInLocation(DateTimeLayout, out, CST); err == nil {
		if wn := OutTimeWarning(t, w.now()); wn != "" {
			p.Warnings = append(p.Warnings, wn)
		}
	}
	start, end := GuaranteePeriod(o)
	if start == "" || end == "" {
		return nil, inputErr("订单 %s 没有担保期间，也无法由投标截止时间（%s）和投标有效期（%s 天）算出，请先获取订单信息（2.2）", o.OrderNo, o.BidDeadline, o.ValidDay)
	}
	req := PushGuaranteeRequest{
		OrderNo: o.OrderNo, GuaranteeNo: in.GuaranteeNo, Principal: o.Principal, Creditor: o.Creditor,
		Guarantor: w.Guarantor, OutGuaranteeTime: out, GuaranteePDFHash: report.SHA256, TransNo: in.TransNo,
		// The manual gives no values for guarantee_state/item/type
		// (protocol.md): 1 已出函 (to confirm in 联调), 2.7's proitem, and
		// 2.7's ktype (1 直开式).
		GuaranteeState: GuaranteeStateIssued, GuaranteeItem: GuaranteeItem(o.BlockName), GuaranteeType: "1",
		BlockNumber: o.BlockNumber, BlockName: o.BlockName, Applicant: o.Principal, // 直开式: the applicant is the principal
		GuaranteeAmount: o.GuaranteeAmount, GuaranteeApplyTime: time.UnixMilli(o.CreatedAt).In(CST).Format(DateTimeLayout),
		GuaranteeStartDate: start, GuaranteeEndDate: end,
	}
	p.Request = req
	name := filepath.Base(in.PDFPath)
	p.run = func(ctx context.Context) (*Result, error) { return w.push(ctx, o, req, name, pdf) }
	if len(refusals) > 0 {
		reason := strings.Join(refusals, "；")
		if !in.Force {
			// The plan is complete but held: Execute refuses it until the
			// clerk overrides it (--force, or the desk's second confirmation).
			p.Overridable = refusals
			p.held = true
			return p, &InputError{Msg: fmt.Sprintf("保函文件 %s 未通过检查：%s", in.PDFPath, reason), Hint: "确需推送请加 --force"}
		}
		p.Warnings = append(p.Warnings, "强制推送："+reason)
	}
	return p, nil
}

// GuaranteeStateIssued is 2.5's guarantee_state: the manual documents no
// value; protocol.md decides "1" (已出函), to confirm in 联调 (README).
const GuaranteeStateIssued = "1"

// pushInDoubt is the guarantee_no of a push for orderNo whose outcome is
// not known (sending or unknown), or "".
func (w *Workflows) pushInDoubt(ctx context.Context, orderNo string) (string, error) {
	atts, err := w.Store.Unresolved(ctx)
	if err != nil {
		return "", err
	}
	for _, a := range atts {
		if a.Method != MethodPushGuarantee {
			continue
		}
		var req struct {
			OrderNo     string `json:"order_no"`
			GuaranteeNo string `json:"guarantee_no"`
		}
		if json.Unmarshal([]byte(a.Request), &req) == nil && req.OrderNo == orderNo {
			return req.GuaranteeNo, nil
		}
	}
	return "", nil
}

// Override lets a held push plan (one whose only objections are in
// Overridable) be executed, as --force would: the objections become
// warnings of the plan. It reports whether there was anything to override.
func (p *Plan) Override() bool {
	if p == nil || !p.held {
		return false
	}
	p.held = false
	p.Warnings = append(p.Warnings, "强制推送："+strings.Join(p.Overridable, "；"))
	return true
}

// OutTimeWarning is the warning for an out_guarantee_time (出函时间) the
// clerk typed: in the future, or years away from now. "" when plausible.
func OutTimeWarning(t, now time.Time) string {
	switch d := t.Sub(now); {
	case d > 5*time.Minute:
		return fmt.Sprintf("出函时间 %s 晚于现在（%s），平台可能不接受未来的出函时间", t.In(CST).Format(DateTimeLayout), now.In(CST).Format(DateTimeLayout))
	case d < -365*24*time.Hour:
		return fmt.Sprintf("出函时间 %s 距今超过一年，请核对年份", t.In(CST).Format(DateTimeLayout))
	}
	return ""
}

func (w *Workflows) push(ctx context.Context, o store.Order, req PushGuaranteeRequest, name string, pdf []byte) (*Result, error) {
	// Keep the exact bytes sent and record the guarantee before sending, so
	// an answer that never comes leaves a record to reconcile.
	ref, err := w.Store.PutFile(bytes.NewReader(pdf), MaxGuaranteePDF)
	if err != nil {
		return nil, fmt.Errorf("keep guarantee PDF: %w", err)
	}
	g := store.Guarantee{
		GuaranteeNo: req.GuaranteeNo, OrderNo: o.OrderNo, BlockNumber: o.BlockNumber, BlockName: o.BlockName,
		Principal: o.Principal, Creditor: o.Creditor, Guarantor: req.Guarantor, PDFSHA256: ref.SHA256,
		PDFSize: ref.Size, OutGuaranteeTime: req.OutGuaranteeTime, TransNo: req.TransNo,
	}
	if err := w.Store.Update(ctx, func(tx *store.Tx) error { return tx.PutGuarantee(g) }); err != nil {
		return nil, fmt.Errorf("record guarantee %s: %w", req.GuaranteeNo, err)
	}
	var serial SerialNum
	err = w.call(ctx, MethodPushGuarantee, req.GuaranteeNo, req, func(ctx context.Context) (string, error) {
		var err error
		serial, err = w.Client.PushGuarantee(ctx, req, name, pdf)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("保函 %s 已推送，序列号 %s", req.GuaranteeNo, serial), nil
	}, func(tx *store.Tx) error {
		// The serial and pushed are written with the outcome, past the
		// caller's cancellation.
		g.SerialNum = string(serial)
		g.PushedAt = w.now().UnixMilli()
		if err := tx.PutGuarantee(g); err != nil {
			return err
		}
		return tx.SetOrderStatus(o.OrderNo, OrderHasOutGuarantee)
	})
	if IsStatus(err, StatusGuaranteeExists) {
		return w.reconcilePush(ctx, g)
	}
	if err != nil {
		return nil, err
	}
	return &Result{Summary: fmt.Sprintf("保函 %s 已推送，保函序列号 %s", req.GuaranteeNo, serial), SerialNum: serial}, nil
}

// reconcilePush handles 2428 (保函编号已存在): the platform has the
// guarantee number already, so it is not pushed again; the order is
// fetched (2.2) and the guarantee marked pushed only when the platform
// shows the order issued (HAS_OUT_GUARANTEE or FINISH); otherwise the
// number is taken by something else and the clerk must choose another. The serial is not in 2.2's answer: it
// stays as known before (if any) and is learnt from the next 查验 (2.7) or
// 撤销 (2.8) callback that names this guarantee (listener/query.go).
func (w *Workflows) reconcilePush(ctx context.Context, g store.Guarantee) (*Result, error) {
	o, err := w.FetchOrder(ctx, g.OrderNo)
	if err != nil {
		return nil, fmt.Errorf("保函 %s 平台已存在（2428），获取订单核对失败：%w", g.GuaranteeNo, err)
	}
	if o.OrderStatus != OrderHasOutGuarantee && o.OrderStatus != OrderFinish {
		// The platform does not show this guarantee's order issued: the
		// number is taken by something else (protocol.md). Not pushed.
		msg := fmt.Sprintf("保函编号 %s 在平台已存在（2428），但订单 %s 在平台为 %s，并非由该保函出函：该编号已被占用，请换一个保函编号重新推送",
			g.GuaranteeNo, o.OrderNo, OrderStateLabel(o.OrderStatus))
		if _, err := w.Store.AddEvent(ctx, store.Event{Kind: store.KindFlag, Direction: store.DirOut, Method: MethodPushGuarantee,
			Ref: g.GuaranteeNo, Status: StatusGuaranteeExists, Summary: msg}); err != nil {
			return nil, err
		}
		return nil, &Error{Method: MethodPushGuarantee, Status: StatusGuaranteeExists, Msg: msg}
	}
	if cur, err := w.Store.GetGuarantee(ctx, g.GuaranteeNo); err == nil && cur.SerialNum != "" {
		g.SerialNum = cur.SerialNum
	}
	g.PushedAt = w.now().UnixMilli()
	// The platform's truth is recorded whatever happens to the caller.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := w.Store.Update(rctx, func(tx *store.Tx) error {
		if err := tx.PutGuarantee(g); err != nil {
			return err
		}
		_, err := tx.AddEvent(store.Event{Kind: store.KindCall, Direction: store.DirOut, Method: MethodPushGuarantee,
			Ref: g.GuaranteeNo, Status: StatusGuaranteeExists,
			Summary: fmt.Sprintf("保函 %s 平台已存在（2428），已核对订单为 %s，未重复推送", g.GuaranteeNo, OrderStateLabel(o.OrderStatus))})
		return err
	}); err != nil {
		return nil, err
	}
	return &Result{Reconciled: true, SerialNum: SerialNum(g.SerialNum),
		Summary: fmt.Sprintf("保函 %s 平台已存在（2428 保函编号已存在），未重复推送；订单 %s 现为 %s", g.GuaranteeNo, o.OrderNo, OrderStateLabel(o.OrderStatus))}, nil
}
