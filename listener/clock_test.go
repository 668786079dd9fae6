package listener

import (
	"context"
	"strings"
	"testing"
	"time"

	"baohan/platform/sandbox"
	"baohan/store"
)

// skewedPlatform is the sandbox with its clock off by d, sending to e.
func (e *env) skewedPlatform(d time.Duration) *sandbox.Server {
	sb := sandbox.New(sandbox.Options{APIKey: "k", APISecret: testSecret, BtcID: 123, GuarantorKey: e.key,
		CallbackBase: e.ts.URL, CallbackTimeout: time.Minute, Now: func() time.Time { return time.Now().Add(d) }})
	e.t.Cleanup(func() { sb.Close() })
	return sb
}

// TestClockSkew: the platform's clock is 30 minutes ahead of ours (or ours
// is 30 minutes behind). Its callbacks carry timestamps 30 minutes in the
// future, past the 10-minute rule of protocol.md, and are refused (the
// platform repeats them); nothing is stored, but the clerk sees one fault
// event naming the clock difference (not one per callback) and the log
// names it. 30 minutes the other way is within the 24-hour window:
// accepted.
func TestClockSkew(t *testing.T) {
	e := newEnv(t)
	e.seedIssued("1813000741", "FZDB2026000741", "806097210890174741", "")
	e.update(func(tx *store.Tx) error { return tx.SetOrderStatus("1813000741", "WAIT_PAY") })
	ahead := e.skewedPlatform(30 * time.Minute)
	before := e.snapshot()

	ctx := context.Background()
	for _, cb := range []sandbox.Callback{
		statusCallback("1813000741", "WAIT_PAY", "WAIT_OUT_GUARANTEE"),
		e.applyCallback("1813000742"),
		statusCallback("1813000741", "WAIT_PAY", "WAIT_OUT_GUARANTEE"),
	} {
		status, answer, _ := ahead.SendOnce(ctx, cb)
		if status != 404 || !strings.Contains(string(answer), msgTimestamp) {
			t.Fatalf("callback 30 min ahead answered %d %s", status, answer)
		}
	}
	after := e.snapshot()
	for _, table := range []string{"orders", "inbound", "guarantees"} {
		if after.count(table) != before.count(table) {
			t.Errorf("table %s: %d rows, had %d", table, after.count(table), before.count(table))
		}
	}
	if o, _ := e.st.GetOrder(ctx, "1813000741"); o.OrderStatus != "WAIT_PAY" {
		t.Errorf("order status %s", o.OrderStatus)
	}
	ev := e.events()
	if len(ev) != 1 || ev[0].Kind != store.KindFault || !strings.Contains(ev[0].Summary, "时钟偏差") ||
		!strings.Contains(ev[0].Summary, "约 30 分钟") || !strings.Contains(ev[0].Summary, "校准本机时间") {
		t.Fatalf("want one clock fault event, got %+v", ev)
	}
	if logs := e.logs.String(); strings.Count(logs, "clock skew: timestamp") != 3 {
		t.Errorf("log lines do not name the clock skew:\n%s", logs)
	}

	// The platform 30 minutes behind: old but within 24 h.
	behind := e.skewedPlatform(-30 * time.Minute)
	if status, answer, err := behind.SendOnce(ctx, statusCallback("1813000741", "WAIT_PAY", "WAIT_OUT_GUARANTEE")); status != 200 {
		t.Fatalf("callback 30 min behind: %d %s %v", status, answer, err)
	}
	if o, _ := e.st.GetOrder(ctx, "1813000741"); o.OrderStatus != "WAIT_OUT_GUARANTEE" {
		t.Errorf("order status %s", o.OrderStatus)
	}

	// A forged callback from the future (wrong sign) is refused before the
	// clock is looked at: no event for it.
	forged := sandbox.New(sandbox.Options{APIKey: "k", APISecret: "not-the-secret", BtcID: 123, GuarantorKey: e.key,
		CallbackBase: e.ts.URL, Now: func() time.Time { return time.Now().Add(time.Hour) }})
	defer forged.Close()
	e.srv.skewMu.Lock()
	e.srv.skewAt = time.Time{} // the rate limit would hide an event otherwise
	e.srv.skewMu.Unlock()
	n := len(e.events())
	if status, _, _ := forged.SendOnce(ctx, e.applyCallback("1813000743")); status != 1001 {
		t.Fatalf("forged callback answered %d", status)
	}
	if len(e.events()) != n {
		t.Errorf("a forged callback wrote an event: %+v", e.events()[n:])
	}
}
