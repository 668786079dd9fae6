package ui

import (
	"errors"
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"baohan/platform"
	"baohan/ui/components/action"
)

// Golden screens of every pane, detail view and action form at 80x24 and
// 120x36, against the fixture store and the fixed clock. Regenerate with
// `go test ./ui/ -run TestGolden -update` and read the diff.

var sizes = []struct{ w, h int }{{80, 24}, {120, 36}}

// screens are key presses from the desk's first screen, each ending on a
// screen worth keeping.
var screens = []struct {
	name string
	keys []string
}{
	{"todo", nil},
	{"todo_scrolled", []string{"j", "j", "j", "j", "j"}},
	{"orders", []string{"2"}},
	{"orders_unissued_by_update", []string{"2", "f", "s"}},
	{"orders_search", []string{"2", "/", "text:福州", "enter"}},
	{"orders_search_typing", []string{"2", "/", "text:闽江"}},
	{"orders_search_none", []string{"2", "/", "text:无此单位", "enter"}},
	{"guarantees", []string{"3"}},
	{"guarantees_unreleased", []string{"3", "f"}},
	{"revocations", []string{"4"}},
	{"claims", []string{"5"}},
	{"claims_pending", []string{"5", "f"}},
	{"log", []string{"6"}},
	{"log_calls", []string{"6", "f", "f"}},
	{"help", []string{"?"}},

	{"detail_order", []string{"2", "j", "j", "enter"}},
	{"detail_order_files", []string{"2", "j", "j", "enter", "G"}},
	{"detail_flagged_order", []string{"2", "G", "enter"}},
	{"detail_guarantee", []string{"3", "enter"}},
	{"detail_revocation", []string{"4", "enter"}},
	{"detail_revocation_penalty", []string{"4", "j", "enter"}},
	{"detail_claim", []string{"5", "enter"}},
	{"detail_claim_results", []string{"5", "j", "enter", "G"}},
	{"detail_log_json", []string{"6", "j", "j", "j", "j", "enter", "pgdown"}},
	{"detail_log_masked", []string{"6", "j", "j", "j", "enter", "G"}},
	{"detail_log_flag", []string{"6", "j", "j", "enter"}},
	{"detail_release_row", []string{"j", "j", "j", "j", "enter"}},

	// Action forms (nothing is sent: the fixture's workflows have no client).
	{"form_notify", []string{"2", "j", "j", "j", "n"}},
	{"form_notify_filled", []string{"2", "j", "j", "j", "n", "up", "up", "tab", "ctrl+u", "text:800.00", "tab", "space", "tab", "text:资料已齐"}},
	{"form_notify_refused", []string{"2", "j", "n", "enter", "enter", "enter", "enter"}},
	{"form_notify_confirm", []string{"2", "j", "j", "j", "n", "tab", "tab", "tab", "text:请补充营业执照", "shift+tab", "space", "enter", "enter"}},
	{"form_push", []string{"2", "j", "j", "j", "p"}},
	{"form_push_confirm", []string{"2", "j", "j", "j", "p", "text:G2025010", "tab", "text:testdata/pdf/signed.pdf", "tab", "text:2025-06-10 10:00:00", "enter", "enter"}},
	{"form_push_tampered", []string{"2", "j", "j", "j", "p", "text:G2025010", "tab", "text:testdata/pdf/tampered.pdf", "enter", "enter", "enter"}},
	{"form_push_refused_order", []string{"2", "j", "j", "p"}}, // refused at once, on the list
	{"form_cancel", []string{"2", "j", "x"}},
	{"form_cancel_confirm", []string{"2", "j", "x", "text:投标人撤回申请", "enter"}},
	{"form_fetch_order", []string{"2", "j", "r"}},
	{"form_release", []string{"4", "l"}},
	{"form_release_confirm", []string{"4", "l", "tab", "text:2025-06-10 10:30:00", "enter"}},
	{"release_refused", []string{"4", "j", "l"}},
	{"form_claim_result", []string{"5", "a"}},
	{"form_claim_result_confirm", []string{"5", "a", "down", "tab", "text:材料齐全，同意受理", "enter"}},
	{"form_claim_deal_pass", []string{"5", "j", "a"}},
	{"form_fetch_claim", []string{"5", "r"}},
	{"form_download", []string{"2", "j", "j", "enter", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "d"}},
	{"readonly_refusal", nil}, // run with no workflows, see below
}

func TestGolden(t *testing.T) {
	for _, sc := range screens {
		for _, sz := range sizes {
			name := fmt.Sprintf("%s_%dx%d", sc.name, sz.w, sz.h)
			t.Run(name, func(t *testing.T) {
				db := fixtureStore(t)
				opt := Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}
				keys := sc.keys
				if sc.name == "readonly_refusal" {
					opt.Workflows = nil
					opt.Sandbox = false
					opt.ListenerAddr = ""
					opt.ExternalListener = "127.0.0.1:1"
					keys = []string{"2", "j", "n"}
				}
				d := newDesk(t, opt, sz.w, sz.h)
				d.keys(keys...)
				golden.RequireEqual(t, []byte(d.final()))
			})
		}
	}
}

// The platform's answers as the clerk reads them: per-item refusals of a
// release, a refusal with its status code, an outcome unknown.
func TestGoldenResults(t *testing.T) {
	results := map[string]func(a *action.View){
		"release_item_errors": func(a *action.View) {
			a.ShowResult(&action.Outcome{Failed: true, Lines: []string{"标段 BN-2025-004：1 笔已解保，1 笔被平台拒绝"},
				Problems: []string{"保函 G2025003（序列号 806097210890174125）：保函编号不存在"}}, nil)
		},
		"platform_refused": func(a *action.View) {
			a.ShowResult(nil, &platform.Error{Method: platform.MethodPushGuarantee, Status: 2428, Msg: "保函编号已存在"})
		},
		"outcome_unknown": func(a *action.View) {
			a.ShowResult(nil, &platform.TransportError{Method: platform.MethodPushGuarantee, Sent: true, Err: errors.New("context deadline exceeded")})
		},
	}
	for name, set := range results {
		t.Run(name, func(t *testing.T) {
			db := fixtureStore(t)
			d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 80, 24)
			d.inspect(func(m *Model) {
				a := action.NewAction(m.pc, &action.Spec{Title: "保函解保（2.9）", Ref: "撤销 R20250601"}, m.afterAction)
				m.pc.Stack = append(m.pc.Stack, a)
				a.Resize(m.pc, m.pc.Width, m.pc.ContentHeight())
				set(a)
			})
			golden.RequireEqual(t, []byte(d.final()))
		})
	}
}
