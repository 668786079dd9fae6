package listener

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"baohan/store"
)

func TestOrderStatus(t *testing.T) {
	e := newEnv(t)
	e.seedIssued("1813000101", "FZDB2026000101", "806097210890174101", "")
	e.update(func(tx *store.Tx) error { return tx.SetOrderStatus("1813000101", "WAIT_PAY") })

	cb := statusCallback("1813000101", "WAIT_PAY", "WAIT_OUT_GUARANTEE")
	status, answer := e.sendOnce(cb)
	if status != 200 || string(answer) != `{"status":200}` {
		t.Fatalf("answer %d %s", status, answer)
	}
	o, err := e.st.GetOrder(context.Background(), "1813000101")
	if err != nil {
		t.Fatal(err)
	}
	if o.OrderStatus != "WAIT_OUT_GUARANTEE" || o.Flagged {
		t.Errorf("order %+v", o)
	}
	ev := e.events()
	if len(ev) != 1 || ev[0].Method != "notify_order_status" || ev[0].Ref != "1813000101" ||
		!strings.Contains(ev[0].Summary, "待支付(WAIT_PAY) → 待出函(WAIT_OUT_GUARANTEE)") {
		t.Errorf("events %+v", ev)
	}

	// Sequential repeat, then 20 concurrent copies: one record, one event.
	e.send(cb).want(t, 200, 200)
	concurrently(20, func(int) {
		r := e.send(cb)
		if !bytes.Equal(r.Raw, answer) {
			t.Errorf("copy answered %s", r.Raw)
		}
	})
	snap := e.snapshot()
	if snap.count("events") != 1 || snap.count("orders") != 1 {
		t.Errorf("after repeats: %v", snap.tables)
	}
	if len(e.fetcher.Calls()) != 0 {
		t.Errorf("a known order was fetched: %v", e.fetcher.Calls())
	}

	// The next status is a new callback.
	e.send(statusCallback("1813000101", "WAIT_OUT_GUARANTEE", "HAS_OUT_GUARANTEE")).want(t, 200, 200)
	if o, _ := e.st.GetOrder(context.Background(), "1813000101"); o.OrderStatus != "HAS_OUT_GUARANTEE" {
		t.Errorf("order status %s", o.OrderStatus)
	}
}

// TestOrderStatusUnknownOrder: stored, flagged, fetched once with 2.2
// after the commit, even when 20 copies arrive at once.
func TestOrderStatusUnknownOrder(t *testing.T) {
	e := newEnv(t)
	e.fetcher.err = errors.New("platform unreachable") // a failed fetch is only logged
	cb := statusCallback("1813000102", "WAIT_OFFER", "WAIT_PAY")
	concurrently(20, func(int) { e.send(cb).want(t, 200, 200) })
	if err := e.srv.Shutdown(context.Background()); err != nil { // waits for the fetch
		t.Fatal(err)
	}
	if calls := e.fetcher.Calls(); len(calls) != 1 || calls[0] != "1813000102" {
		t.Errorf("fetches %v", calls)
	}
	o, err := e.st.GetOrder(context.Background(), "1813000102")
	if err != nil {
		t.Fatal(err)
	}
	// Recorded, not applied from the callback (protocol.md): the state
	// comes from 2.2, which failed, so the order waits to be settled.
	if !o.Flagged || o.OrderStatus != "" || o.Principal != "福建某某建设工程有限公司" || !strings.Contains(o.FlagReason, "未知订单") {
		t.Errorf("order %+v", o)
	}
	if due, _ := e.st.SettleDue(context.Background(), time.Now().Add(SettleRetry+time.Minute).UnixMilli(), 10); len(due) != 1 {
		t.Errorf("orders to settle %v", due)
	}
	kinds := map[string]int{}
	for _, ev := range e.events() {
		kinds[ev.Kind]++
	}
	if kinds[store.KindFlag] != 1 || len(kinds) != 1 {
		t.Errorf("events by kind %v", kinds)
	}
	if !strings.Contains(e.logs.String(), "refresh order failed") {
		t.Error("the failed fetch was not logged")
	}
}

// TestOrderStatusMismatch: a known order whose principal differs is updated
// and flagged for the clerk.
func TestOrderStatusMismatch(t *testing.T) {
	e := newEnv(t)
	e.seedIssued("1813000103", "FZDB2026000103", "806097210890174103", "")
	cb := statusCallback("1813000103", "HAS_OUT_GUARANTEE", "FINISH")
	m := cb.Msg
	f := fieldsOf(t, m)
	f["principal"] = jsonStr("另一家建设有限公司")
	cb.Msg = f
	e.send(cb).want(t, 200, 200)
	o, _ := e.st.GetOrder(context.Background(), "1813000103")
	if !o.Flagged || !strings.Contains(o.FlagReason, "被保证人") || o.OrderStatus != "FINISH" {
		t.Errorf("order %+v", o)
	}
	if len(e.fetcher.Calls()) != 0 {
		t.Error("a known order was fetched")
	}
}
