package listener

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"baohan/platform"
	"baohan/store"
)

// handleApplyGuarantee serves 2.1 保函申请订单: a new order. It is stored
// once per order_no and answered with [apply] from the config.
func handleApplyGuarantee(s *Server, c *call) (*result, error) {
	if err := c.requestMethod(platform.CallbackApplyGuarantee); err != nil {
		return nil, err
	}
	if err := c.require(platform.ApplyGuaranteeRequired...); err != nil {
		return nil, err
	}
	var m platform.ApplyGuarantee
	if err := c.decode(&m); err != nil {
		return nil, err
	}
	if k := strings.TrimSpace(string(m.Ktype)); k != "1" {
		// 5.4: this guarantor issues 直开式 (ktype 1) only.
		return nil, refusef(platform.StatusFailed, "ktype 为 %s：本担保公司只出具直开式保函（ktype=1）", shorten(k, 20))
	}
	orderNo := string(m.OrderNo)
	answer := okAnswer(s.cfg.Apply)
	detail := c.detail()
	key := contentKey(orderContent(c.fields))
	// The same order_no with other content: keep the first, keep this one
	// beside it with the fields that differ, answer as the first time, and
	// flag the order for the clerk (protocol.md).
	conflict := func(tx *store.Tx, first string) error {
		ff, err := platform.ParseFields([]byte(first))
		if err != nil || contentKey(orderContent(ff)) == key {
			return nil // an exact repeat (or no first plaintext kept)
		}
		if err := c.checkTimestamp(); err != nil {
			return nil // a stale copy changes nothing
		}
		diff := fieldDiff(orderContent(ff), orderContent(c.fields))
		isNew, err := tx.AddOrderConflict(store.OrderConflict{OrderNo: orderNo, Key: key, Plaintext: string(c.plain), Diff: diff})
		if err != nil || !isNew {
			return err
		}
		names := make([]string, 0, len(diff))
		for _, d := range diff {
			names = append(names, platform.FieldNamed(d.Field))
		}
		reason := conflictReason + strings.Join(names, "、") + "；已保留首次版本，新版本待核对"
		if err := tx.FlagOrder(orderNo, reason); err != nil {
			return err
		}
		e := c.flagEvent(orderNo, fmt.Sprintf("订单 %s %s", orderNo, reason))
		e.Detail = string(c.plain)
		_, err = tx.AddEvent(e)
		return err
	}
	got, dup, err := s.st.CallbackWith(c.ctx, store.Inbound{Method: c.ep.method, Key: orderNo, Remote: c.remote, Plaintext: string(c.plain)}, func(tx *store.Tx) ([]byte, error) {
		if err := applyOrder(s, c, tx, m, detail); err != nil {
			return nil, err
		}
		return answer, nil
	}, conflict)
	if err != nil {
		return nil, err
	}
	return &result{answer: got, duplicate: dup, ref: orderNo}, nil
}

// conflictReason begins the flag of an order whose 2.1 came again with
// other content.
const conflictReason = "保函申请订单（2.1）重复推送且内容不同："

// TakeOrderVersion is the clerk taking version id of a 2.1 that came again
// with other content (protocol.md: "show the conflict to the clerk, who may
// take the new version"): its particulars replace the order's, the order's
// state stays what 2.4 and 2.2 made it, the version is marked taken and,
// when no other version waits, the conflict's flag is cleared. Refused once
// the guarantee is out (the letter states the particulars it was issued
// on; 2.2 shows what the platform holds now).
func (s *Server) TakeOrderVersion(ctx context.Context, orderNo string, id int64) (store.Order, []store.FieldDiff, error) {
	var diff []store.FieldDiff
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		o, err := tx.GetOrder(orderNo)
		if err != nil {
			return err
		}
		if o.OrderStatus == platform.OrderHasOutGuarantee || o.OrderStatus == platform.OrderFinish {
			return clerkRefusal("订单 %s 为%s，保函按原内容出具，不能再采用新版本；请用“获取订单信息”（2.2）核对平台现有内容",
				orderNo, platform.OrderStateText(o.OrderStatus))
		}
		v, waiting, err := tx.TakeOrderConflict(orderNo, id)
		if errors.Is(err, store.ErrTaken) {
			return clerkRefusal("订单 %s 的第 %d 号版本已采用过", orderNo, id)
		}
		if err != nil {
			return err
		}
		fields, err := platform.ParseFields([]byte(v.Plaintext))
		if err != nil {
			return fmt.Errorf("订单 %s 的第 %d 号版本的明文无法读取：%w", orderNo, id, err)
		}
		var m platform.ApplyGuarantee
		if err := platform.Decode([]byte(v.Plaintext), &m); err != nil {
			return fmt.Errorf("订单 %s 的第 %d 号版本的明文无法读取：%w", orderNo, id, err)
		}
		rec := m.OrderRecord()
		rec.OrderNo = orderNo // the state is 2.4's and 2.2's: kept
		delete(fields, "sign")
		if rec.Fields, err = platform.Marshal(fields); err != nil {
			return err
		}
		rec.Raw = []byte(v.Plaintext)
		// The new version wholly: a field it emptied or left out is
		// emptied, not kept from the first.
		if err := tx.ReplaceOrderContent(rec); err != nil {
			return err
		}
		if waiting == 0 {
			if err := tx.ClearFlagFor(orderNo, conflictReason); err != nil {
				return err
			}
		}
		diff = v.Diff
		names := make([]string, 0, len(diff))
		for _, d := range diff {
			names = append(names, platform.FieldNamed(d.Field))
		}
		_, err = tx.AddEvent(store.Event{Kind: store.KindFlag, Method: platform.CallbackApplyGuarantee, Ref: orderNo,
			Summary: fmt.Sprintf("订单 %s 已采用保函申请订单（2.1）的第 %d 号版本：%s", orderNo, id, strings.Join(names, "、")),
			Detail:  v.Plaintext})
		return err
	})
	if err != nil {
		return store.Order{}, nil, err
	}
	o, err := s.st.GetOrder(ctx, orderNo)
	return o, diff, err
}

// orderContent is a 2.1's fields as compared for repeats: the file lists
// without their file_url, which the platform issues afresh with each send
// (the URLs expire, 4.1).
func orderContent(f platform.Fields) platform.Fields {
	out := make(platform.Fields, len(f))
	for k, v := range f {
		out[k] = v
	}
	for _, k := range []string{"guarantee_sign_files", "attach_files"} {
		var list []map[string]json.RawMessage
		text := platform.FieldText(f[k])
		if text == "" || json.Unmarshal([]byte(text), &list) != nil {
			continue
		}
		for _, it := range list {
			delete(it, "file_url")
		}
		if b, err := platform.Marshal(list); err == nil {
			out[k], _ = json.Marshal(string(b))
		}
	}
	return out
}

// fieldDiff lists the fields (but timestamp and sign) whose values differ.
func fieldDiff(first, next platform.Fields) []store.FieldDiff {
	names := map[string]bool{}
	for k := range first {
		names[k] = true
	}
	for k := range next {
		names[k] = true
	}
	var out []store.FieldDiff
	for k := range names {
		if k == "timestamp" || k == "sign" {
			continue
		}
		a, b := platform.FieldText(first[k]), platform.FieldText(next[k])
		if a != b {
			out = append(out, store.FieldDiff{Field: k, First: a, New: b})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// applyOrder stores a 2.1's order.
func applyOrder(s *Server, c *call, tx *store.Tx, m platform.ApplyGuarantee, detail []byte) error {
	orderNo := string(m.OrderNo)
	{
		if err := c.checkTimestamp(); err != nil {
			return err
		}
		o := m.OrderRecord()
		o.Fields, o.Raw = detail, c.plain
		if s.cfg.Apply.OrderStatus != "" {
			o.OrderStatus = s.cfg.Apply.OrderStatus
		}
		// An order already known (from a 2.2 refresh after an early 2.4)
		// keeps the status it has: this 2.1 arrived late.
		old, err := tx.GetOrder(orderNo)
		switch {
		case err == nil && old.OrderStatus != "":
			o.OrderStatus = ""
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
		if err := tx.UpsertOrder(o); err != nil {
			return err
		}
		summary := fmt.Sprintf("新订单 %s %s，担保金额 %s 元，被保证人 %s", orderNo, m.BlockName, m.GuaranteeAmount, m.Principal)
		if _, err = tx.AddEvent(c.event(orderNo, summary)); err != nil {
			return err
		}
		if platform.DeadlineUnreadable(o.BidDeadline) {
			// Stored, flagged and alerted at once as if due now
			// (protocol.md), the text shown as it came.
			reason := platform.DeadlineUnreadableReason(o.BidDeadline)
			if err := tx.FlagOrder(orderNo, reason); err != nil {
				return err
			}
			if _, err := tx.AddEvent(c.flagEvent(orderNo, fmt.Sprintf("订单 %s %s", orderNo, reason))); err != nil {
				return err
			}
		}
		return nil
	}
}
