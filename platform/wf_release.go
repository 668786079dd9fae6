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
	failed := map[string]bool{}
	for _, e := range res.Error.Data {
		failed[string(e.ErrorInfo.GuaranteeNo)] = true
		failed["serial:"+string(e.ErrorInfo.SerialNum)] = true
	}
	released := 0
	err = w.Store.Update(ctx, func(tx *store.Tx) error {
		for _, it := range items {
			if failed[it.GuaranteeNo] || failed["serial:"+string(it.SerialNum)] {
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
	return &Result{Summary: sum, RemoveErrors: res.Error.Data, Data: res}, nil
}
