package ui

import (
	"regexp"
	"strings"
	"testing"
)

// At 80x24 the money stays: 待办 and 订单 show 被保证人 and 担保金额 (the
// long project name goes first); a 待办 that runs below the screen says
// how many entries are hidden there.
func TestNarrowKeepsMoneyAndCountsHidden(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 80, 24)
	todo := d.view()
	for _, want := range []string{"福建省建工集团有限公司", "200,000.00"} {
		if !strings.Contains(todo, want) {
			t.Fatalf("待办 at 80x24 lacks %q:\n%s", want, todo)
		}
	}
	d.keys("2")
	orders := d.view()
	for _, want := range []string{"被保证人", "担保金额(元)", "福建省建工集团有限公司", "200,000.00"} {
		if !strings.Contains(orders, want) {
			t.Fatalf("订单 at 80x24 lacks %q:\n%s", want, orders)
		}
	}

	small := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 80, 14)
	v := small.view()
	m := regexp.MustCompile(`下面还有 (\d+) 项`).FindStringSubmatch(v)
	if m == nil {
		t.Fatalf("no count of the hidden entries at 80x14:\n%s", v)
	}
	// Paging to the end shows them, and the count is gone.
	small.keys("G")
	if v := small.view(); strings.Contains(v, "下面还有") {
		t.Fatalf("at the end the count stays:\n%s", v)
	}
}
