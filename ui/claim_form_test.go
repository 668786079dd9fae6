package ui

import (
	"context"
	"strings"
	"testing"

	"baohan/ui/components/action"
)

// The claim-result form (3.2) starts on no choice: enter on it sends
// nothing and says to choose. A rejection (理赔/驳回申请, 受理/退回) needs y
// and then the capital Y, as a forced push does; a y alone, or two, send
// nothing. 受理/通过 needs one y.
func TestClaimResultFormNoDefaultRejectionNeedsY(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	d.keys("5", "j", "a")
	var vals map[string]string
	d.inspect(func(m *Model) { vals = m.pc.Top().(*action.View).Form().Values() })
	if vals["result"] != "" {
		t.Fatalf("the form starts on %q, want no choice", vals["result"])
	}
	d.keys("tab", "text:测试", "enter")
	var state action.State
	d.inspect(func(m *Model) { state = m.pc.Top().(*action.View).State() })
	if v := d.view(); state != action.StateForm || !strings.Contains(v, "请先选择处理结果") {
		t.Fatalf("enter with no choice: state %d, want the form with 请先选择处理结果:\n%s", state, v)
	}
	sent := 0
	run := func(m *Model) {
		if m.pc.Top().(*action.View).Prepared() == nil {
			t.Errorf("no plan:\n%s", m.View())
			return
		}
		m.pc.Top().(*action.View).Prepared().Run = func(context.Context, func(int64, int64)) (*action.Outcome, error) {
			sent++
			return &action.Outcome{Lines: []string{"已发送（测试）"}}, nil
		}
	}
	// Down six times from no choice: 理赔：驳回申请.
	d.keys("shift+tab", "down", "down", "down", "down", "down", "down", "tab", "enter")
	d.inspect(func(m *Model) { vals = m.pc.Top().(*action.View).Form().Values() })
	if vals["result"] != "2:5" {
		t.Fatalf("six downs chose %q, want 2:5 (理赔/驳回申请)", vals["result"])
	}
	d.inspect(run)
	d.keys("y", "y")
	var armed bool
	d.inspect(func(m *Model) { a := m.pc.Top().(*action.View); state, armed = a.State(), a.Armed() })
	if state != action.StateConfirm || !armed || sent != 0 {
		t.Fatalf("y y on a rejection: state %d armed %v sent %d; want armed, unsent", state, armed, sent)
	}
	if v := d.view(); !strings.Contains(v, "确定拒绝这项理赔申请") {
		t.Fatalf("no rejection prompt:\n%s", v)
	}
	d.keys("Y")
	d.inspect(func(m *Model) { state = m.pc.Top().(*action.View).State() })
	if state != action.StateResult || sent != 1 {
		t.Fatalf("y Y: state %d sent %d; want one call", state, sent)
	}
	// 受理/通过: one y sends.
	d.keys("esc", "k", "a", "down", "tab", "text:同意受理", "enter") // the claim waiting for 受理
	d.inspect(func(m *Model) { vals = m.pc.Top().(*action.View).Form().Values() })
	if vals["result"] != "1:1" {
		t.Fatalf("one down chose %q, want 1:1", vals["result"])
	}
	d.inspect(run)
	d.keys("y")
	d.inspect(func(m *Model) { state = m.pc.Top().(*action.View).State() })
	if state != action.StateResult || sent != 2 {
		t.Fatalf("y on 受理/通过: state %d sent %d", state, sent)
	}
}
