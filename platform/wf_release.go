package platform

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"baohan/store"
)

// ReleaseBatch is one 2.9 call: the guarantees of one block (标段).
type ReleaseBatch struct {
	BlockNumber, BlockName, Creditor string
	Items                            []RemoveItem
}

// PlanRelease validates 2.9 remove_guarantee for guarantees we issued,
// grouped into one call per block. date is remove_guarantee_date (now when
// empty).
func (w *Workflows) PlanRelease(ctx context.Context, guaranteeNos []string, date string) ([]*Plan, error) {
	if len(guaranteeNos) == 0 {
		return nil, inputErr("没有要解保的保函编号")
	}
	if date == "" {
		date = w.now().In(CST).Format(DateTimeLayout)
	} else if _, err := time.ParseInLocation(DateTimeLayout, date, CST); err != nil {
		return nil, inputErr("解保日期 %q 不是 YYYY-MM-DD HH:MM:SS", date)
	}
	var order []string
	batches := map[string]*ReleaseBatch{}
	seen := map[string]bool{}
	for _, no := range guaranteeNos {
		if seen[no] {
			continue
		}
		seen[no] = true
		g, err := w.Store.GetGuarantee(ctx, no)
		if errors.Is(err, store.ErrNotFound) {
			return nil, inputErr("本地没有保函 %s", no)
		}
		if err != nil {
			return nil, err
		}
		if g.SerialNum == "" {
			return nil, inputErr("保函 %s 没有保函序列号（尚未推送成功）", no)
		}
		if g.ReleasedAt > 0 {
			return nil, inputErr("保函 %s 已于 %s 解保", no, g.ReleaseDate)
		}
		code, _, err := w.Store.ReleaseStatus(ctx, g.GuaranteeNo, g.SerialNum)
		if err != nil {
			return nil, err
		}
		if code != ReleaseAwaiting {
			return nil, inputErr("保函 %s 是「%s」，只有收到撤销通知待解保的保函可以解保", no, ReleaseStatusText(code))
		}
		key := g.BlockNumber
		b := batches[key]
		if b == nil {
			b = &ReleaseBatch{BlockNumber: g.BlockNumber, BlockName: g.BlockName, Creditor: g.Creditor}
			if revs, err := w.Store.RevocationsForGuarantee(ctx, no); err == nil && len(revs) > 0 {
				// The revocation names the block as the platform knows it.
				b.BlockName, b.Creditor = revs[0].BlockName, revs[0].Creditor
			}
			batches[key] = b
			order = append(order, key)
		}
		b.Items = append(b.Items, RemoveItem{GuaranteeNo: no, RemoveGuaranteeDate: date, SerialNum: SerialNum(g.SerialNum)})
	}
	var plans []*Plan
	for _, key := range order {
		b := batches[key]
		data, err := Marshal(b.Items)
		if err != nil {
			return nil, err
		}
		req := RemoveGuaranteeRequest{BlockNumber: b.BlockNumber, BlockName: b.BlockName, Creditor: b.Creditor, RemoveGuaranteeData: string(data)}
		p := &Plan{Method: MethodRemoveGuarantee, Title: "保函解保", Ref: b.BlockNumber, Request: req}
		p.run = func(ctx context.Context) (*Result, error) { return w.release(ctx, req, b.Items) }
		plans = append(plans, p)
	}
	return plans, nil
}

func (w *Workflows) release(ctx context.Context, req RemoveGuaranteeRequest, items []RemoveItem) (*Result, error) {
	var res *RemoveResult
	var released, refused, doubtful int
	errs := 0
	err := w.call(ctx, MethodRemoveGuarantee, req.BlockNumber, req, func(ctx context.Context) (string, error) {
		var err error
		res, err = w.Client.RemoveGuarantee(ctx, req)
		if err != nil {
			return "", err
		}
		errs = max(len(res.Error.Data), int(res.Error.ErrorTotal))
		return fmt.Sprintf("标段 %s 解保 %d 笔，平台报告错误 %d 个", req.BlockNumber, len(items), errs), nil
	}, func(tx *store.Tx) error {
		// Written with the outcome, past the caller's cancellation.
		released, refused, doubtful = 0, 0, 0
		outcome := RemoveOutcome(items, res)
		for _, it := range items {
			switch outcome[it.GuaranteeNo] {
			case ReleaseOutcomeRefused:
				refused++
				if err := tx.SetReleaseDoubt(it.GuaranteeNo, false); err != nil {
					return err
				}
			case ReleaseOutcomeInDoubt:
				// An error the answer does not tie to an item may be about
				// this one: not released, never counted as refused, kept
				// in doubt until a release settles it (protocol.md, 2.9).
				doubtful++
				if err := tx.SetReleaseDoubt(it.GuaranteeNo, true); err != nil {
					return err
				}
				if _, err := tx.AddEvent(store.Event{Kind: store.KindFlag, Direction: store.DirOut, Method: MethodRemoveGuarantee,
					Ref: it.GuaranteeNo, Summary: fmt.Sprintf("保函 %s 解保结果不明：平台报告 %d 个错误，其中有的未指明保函；本地未记为已解保，请再次解保以确认",
						it.GuaranteeNo, errs)}); err != nil {
					return err
				}
			default:
				if err := tx.MarkReleased(it.GuaranteeNo, it.RemoveGuaranteeDate); err != nil {
					return err
				}
				released++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum := fmt.Sprintf("标段 %s：%d 笔已解保", req.BlockNumber, released)
	if refused > 0 {
		sum += fmt.Sprintf("，%d 笔被平台拒绝", refused)
	}
	if doubtful > 0 {
		sum += fmt.Sprintf("，%d 笔解保结果不明（平台报告的错误有的未指明保函；未记为已解保，请再次解保以确认）", doubtful)
	}
	return &Result{Summary: sum, RemoveErrors: res.Error.Data, Data: res,
		Released: released, Refused: refused, InDoubt: doubtful}, nil
}

// What a 2.9 answer says of one item (RemoveOutcome).
const (
	ReleaseOutcomeDone    = iota // no error for it, or an error saying it is released already
	ReleaseOutcomeRefused        // an error names it for another reason
	ReleaseOutcomeInDoubt        // no error names it, but some error names no item
)

// alreadyReleased tells whether a 2.9 error says the guarantee is released
// already (a repeated release): it settles the item as released.
// protocol.md does not give the platform's wording; these are the
// manual's words for the state (2.10: 已解保).
func alreadyReleased(msg string) bool {
	return strings.Contains(msg, "已解保") || strings.Contains(msg, "已经解保") || strings.Contains(msg, "已解除")
}

// RemoveOutcome ties 2.9's errors to the items of the call (by
// guarantee_no or serial_num) and says what became of each item: an error
// naming it refuses it (unless it says it is released already); when some
// error names no item of the call (an empty {}, an unknown number) or
// error_total exceeds the errors that name one, every item no error names
// is in doubt; otherwise it is released.
func RemoveOutcome(items []RemoveItem, res *RemoveResult) map[string]int {
	out := map[string]int{}
	bySerial := map[string]string{}
	byNo := map[string]bool{}
	for _, it := range items {
		bySerial[string(it.SerialNum)] = it.GuaranteeNo
		byNo[it.GuaranteeNo] = true
	}
	named := map[string]bool{}
	tied, doubt := 0, false
	for _, e := range res.Error.Data {
		no := string(e.ErrorInfo.GuaranteeNo)
		if !byNo[no] || no == "" {
			no = ""
			if e.ErrorInfo.SerialNum != "" {
				no = bySerial[string(e.ErrorInfo.SerialNum)]
			}
		}
		if no == "" {
			doubt = true
			continue
		}
		tied++
		named[no] = true
		if alreadyReleased(string(e.ErrorMsg)) {
			if out[no] != ReleaseOutcomeRefused {
				out[no] = ReleaseOutcomeDone
			}
			continue
		}
		out[no] = ReleaseOutcomeRefused
	}
	if int(res.Error.ErrorTotal) > tied {
		doubt = true
	}
	for _, it := range items {
		if !named[it.GuaranteeNo] && doubt {
			out[it.GuaranteeNo] = ReleaseOutcomeInDoubt
		}
	}
	return out
}

// ReleaseStateName is a guarantee's 解保 state (2.10) in full: "未推送" for
// one never pushed, "未知" for a code the manual does not list.
func ReleaseStateName(g store.Guarantee) string {
	if g.PushedAt == 0 && g.SerialNum == "" {
		return "未推送"
	}
	if t := ReleaseStatusText(g.ReleaseStatus); t != "" {
		return t
	}
	return "未知"
}

// ReleaseCandidate is a guarantee a release (2.9) may cover: as a
// revocation names it, with our record of it.
type ReleaseCandidate struct {
	GuaranteeNo string
	SerialNum   string // as the revocation names it ("" for one guarantee asked by number)
	Principal   string
	Guarantee   *store.Guarantee // our record; nil when we have none
	// Why is why it cannot be released now; "" when it can.
	Why string
}

// ReleaseRefusal is why none of cands (ReleaseCandidates) can be released
// now, each guarantee with its reason; nil when at least one can. The desk
// asks it before it opens the release form.
func ReleaseRefusal(cands []ReleaseCandidate) error {
	var why []string
	for _, c := range cands {
		if c.Why == "" {
			return nil
		}
		why = append(why, c.GuaranteeNo+" "+c.Why)
	}
	if len(why) == 0 {
		return inputErr("没有要解保的保函")
	}
	return inputErr("不能解保：%s（只有收到撤销通知、待解保的保函可以解保）", strings.Join(why, "；"))
}

// ReleaseCandidates lists the guarantees of revocation batch revokeNo (its
// current and earlier lists, not the penalty list), or with revokeNo ""
// the one guarantee guaranteeNo, with whether each can be released now.
// The batch is returned too (nil for one guarantee).
func ReleaseCandidates(ctx context.Context, s *store.Store, revokeNo, guaranteeNo string) (*store.Revocation, []ReleaseCandidate, error) {
	check := func(no, serial, principal string) ReleaseCandidate {
		c := ReleaseCandidate{GuaranteeNo: no, SerialNum: serial, Principal: principal}
		g, err := s.GetGuarantee(ctx, no)
		switch {
		case errors.Is(err, store.ErrNotFound):
			c.Why = "不是本公司记录的保函"
			return c
		case err != nil:
			c.Why = "读取失败：" + err.Error()
			return c
		}
		c.Guarantee = &g
		switch {
		case serial != "" && g.SerialNum != serial:
			c.Why = "序列号与本地不一致"
		case g.ReleaseStatus != ReleaseAwaiting:
			c.Why = ReleaseStateName(g)
		}
		return c
	}
	if revokeNo == "" {
		return nil, []ReleaseCandidate{check(guaranteeNo, "", "")}, nil
	}
	r, err := s.GetRevocation(ctx, revokeNo)
	if err != nil {
		return nil, nil, err
	}
	var out []ReleaseCandidate
	seen := map[string]bool{}
	for _, it := range r.Items {
		if it.List == store.ListPenalty || seen[it.GuaranteeNo] {
			continue
		}
		seen[it.GuaranteeNo] = true
		out = append(out, check(it.GuaranteeNo, it.SerialNum, it.Principal))
	}
	return &r, out, nil
}
