package platform

import (
	"context"
	"errors"
	"fmt"
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
	err := w.call(ctx, MethodRemoveGuarantee, req.BlockNumber, req, func(ctx context.Context) (string, error) {
		var err error
		res, err = w.Client.RemoveGuarantee(ctx, req)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("标段 %s 解保 %d 笔，错误 %d 笔", req.BlockNumber, len(items), res.Error.ErrorTotal), nil
	})
	if err != nil {
		return nil, err
	}
	failed, doubt := removeOutcome(items, res)
	released, unknown := 0, 0
	err = w.Store.Update(ctx, func(tx *store.Tx) error {
		for _, it := range items {
			if failed[it.GuaranteeNo] {
				continue
			}
			if doubt {
				// An error the answer does not tie to an item may be about
				// this one: not released until the platform or the clerk
				// settles it (protocol.md, 2.9).
				unknown++
				if _, err := tx.AddEvent(store.Event{Kind: store.KindFlag, Direction: store.DirOut, Method: MethodRemoveGuarantee,
					Ref: it.GuaranteeNo, Summary: fmt.Sprintf("保函 %s 解保结果不明：平台报告 %d 个错误，其中有的未指明保函；本地未记为已解保，请向平台核实（可再次解保）",
						it.GuaranteeNo, max(len(res.Error.Data), int(res.Error.ErrorTotal)))}); err != nil {
					return err
				}
				continue
			}
			if err := tx.MarkReleased(it.GuaranteeNo, it.RemoveGuaranteeDate); err != nil {
				return err
			}
			released++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("标段 %s 解保已发送，但本地记录失败：%w", req.BlockNumber, err)
	}
	sum := fmt.Sprintf("标段 %s：%d 笔已解保", req.BlockNumber, released)
	if n := len(res.Error.Data); n > 0 || res.Error.ErrorTotal > 0 {
		sum += fmt.Sprintf("，%d 笔被平台拒绝", max(n, int(res.Error.ErrorTotal)))
	}
	if unknown > 0 {
		sum += fmt.Sprintf("，%d 笔结果不明（未记为已解保，请核实）", unknown)
	}
	return &Result{Summary: sum, RemoveErrors: res.Error.Data, Data: res}, nil
}

// removeOutcome ties 2.9's errors to the items of the call: failed holds
// the guarantees an error names (by guarantee_no or serial_num); doubt is
// set when some error names no item of the call (an empty {}, an unknown
// number) or error_total exceeds the errors that name one.
func removeOutcome(items []RemoveItem, res *RemoveResult) (failed map[string]bool, doubt bool) {
	failed = map[string]bool{}
	bySerial := map[string]string{}
	byNo := map[string]bool{}
	for _, it := range items {
		bySerial[string(it.SerialNum)] = it.GuaranteeNo
		byNo[it.GuaranteeNo] = true
	}
	tied := 0
	for _, e := range res.Error.Data {
		no := string(e.ErrorInfo.GuaranteeNo)
		switch {
		case no != "" && byNo[no]:
			failed[no] = true
			tied++
		case bySerial[string(e.ErrorInfo.SerialNum)] != "" && e.ErrorInfo.SerialNum != "":
			failed[bySerial[string(e.ErrorInfo.SerialNum)]] = true
			tied++
		default:
			doubt = true
		}
	}
	if int(res.Error.ErrorTotal) > tied {
		doubt = true
	}
	return failed, doubt
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
