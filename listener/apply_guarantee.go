package listener

import (
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
			names = append(names, d.Field)
		}
		reason := "保函申请订单（2.1）重复推送且内容不同：" + strings.Join(names, "、") + "；已保留首次版本，新版本待核对"
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
		_, err = tx.AddEvent(c.event(orderNo, summary))
		return err
	}
}
