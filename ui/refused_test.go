package ui

import (
	"context"
	"strings"
	"testing"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/components/action"
)

// refusedAtOnce presses key on every row of the pane opened by tab (rows
// rows) and checks that a row refused (refused(m) returns the words the
// message must hold) gets the message and no overlay, and every other
// row gets the form. It returns how many rows were refused and opened.
func refusedAtOnce(t *testing.T, d *desk, tab, key string, rows int, refused func(m *Model) []string) (nRefused, nOpened int) {
	t.Helper()
	d.keys(tab, "g")
	for i := range rows {
		if i > 0 {
			d.keys("j")
		}
		var want []string
		d.inspect(func(m *Model) { m.pc.Flash.Text = ""; want = refused(m) })
		d.keys(key)
		var top any
		var flash string
		d.inspect(func(m *Model) { top, flash = m.pc.Top(), m.pc.Flash.Text })
		if want == nil {
			if _, ok := top.(*action.View); !ok {
				t.Fatalf("%s on row %d opened %T (message %q), want the form", key, i, top, flash)
			}
			d.keys("esc")
			nOpened++
			continue
		}
		if top != nil {
			t.Fatalf("%s on row %d opened %T, want the refusal %v", key, i, top, want)
		}
		for _, w := range want {
			if !strings.Contains(flash, w) {
				t.Fatalf("%s on row %d: message %q lacks %q", key, i, flash, w)
			}
		}
		nRefused++
	}
	return nRefused, nOpened
}

// n, x, l and a on a record whose Plan would refuse from the stored state
// alone say so at once, with what would make it possible, instead of
// opening a form that is refused only after it was filled; the same rule
// (platform.*Refusal) the Plan asks.
func TestActionsRefusedAtOnce(t *testing.T) {
	db := fixtureStore(t)
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.PutClaim(store.Claim{ClaimNo: "LP2025003", Status: "DEAL_RETURN", GuaranteeNo: "G2025001", BlockNumber: "BN-2025-003",
			BlockName: "鼓楼区老旧小区改造", Principal: "福州鼓楼建工有限公司", Creditor: "鼓楼区住建局", ClaimAmount: "1000.00"})
	}); err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	order := func(m *Model) store.Order { return *m.panes[m.active].Selection().Order }

	r, o := refusedAtOnce(t, d, "2", "n", 6, func(m *Model) []string {
		if platform.OrderIssued(order(m).OrderStatus) {
			return []string{"不能再通知状态", "订单取消"}
		}
		return nil
	})
	if r == 0 || o == 0 {
		t.Fatalf("n: %d refused, %d opened; the rows do not cover both", r, o)
	}
	r, o = refusedAtOnce(t, d, "2", "x", 6, func(m *Model) []string {
		if order(m).OrderStatus == platform.OrderCancel {
			return []string{"已是交易取消"}
		}
		return nil
	})
	if r != 1 || o != 5 {
		t.Fatalf("x: %d refused, %d opened", r, o)
	}
	r, o = refusedAtOnce(t, d, "5", "a", 3, func(m *Model) []string {
		if m.panes[m.active].Selection().Claim.Status == "DEAL_RETURN" {
			return []string{"不能提交结果", "受理通过后"}
		}
		return nil
	})
	if r != 1 || o != 2 {
		t.Fatalf("a: %d refused, %d opened", r, o)
	}
	r, o = refusedAtOnce(t, d, "3", "l", 3, func(m *Model) []string {
		if g := m.panes[m.active].Selection().Guarantee; g.GuaranteeNo != "G2025002" {
			return []string{"不能解保", g.GuaranteeNo, "撤销通知"}
		}
		return nil
	})
	if r != 2 || o != 1 {
		t.Fatalf("l: %d refused, %d opened", r, o)
	}
}
