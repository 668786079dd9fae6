package ui

import (
	"regexp"
	"strings"
	"testing"

	"baohan/ui/components/issue"
)

// batchedCase is keys written to the desk in one read, against the same
// keys pressed one at a time.
type batchedCase struct {
	name  string
	setup []string // pressed one by one on both desks first
	raw   string   // written in one write, read at once
	keys  []string // the same keys, one at a time
	// ready, when set, is waited for after the setup.
	ready func(m *Model) bool
}

var batchedCases = []batchedCase{
	{name: "list_digit_then_jjj", raw: "2jjj", keys: []string{"2", "j", "j", "j"}},
	// A tab shown for the first time reads its rows: the keys after the
	// digit wait for them (a clerk's "2 Enter" opened nothing).
	{name: "first_tab_enter_opens_detail", raw: "2\r", keys: []string{"2", "enter"}},
	{name: "first_claims_tab_enter_a", raw: "5\ra", keys: []string{"5", "enter", "a"}},
	{name: "list_enter_jjj_moves_in_detail", setup: []string{"2"}, raw: "\rjjj", keys: []string{"enter", "j", "j", "j"}},
	{name: "list_enter_x_opens_cancel_form", setup: []string{"2", "j", "j", "j"}, raw: "\rx", keys: []string{"enter", "x"}},
	{name: "detail_esc_esc", setup: []string{"2", "enter"}, raw: "\x1b\x1b", keys: []string{"esc", "esc"}},
	{name: "detail_esc_2", setup: []string{"3", "enter"}, raw: "\x1b2", keys: []string{"esc", "2"}},
	{name: "detail_esc_enter", setup: []string{"2", "enter"}, raw: "\x1b\r", keys: []string{"esc", "enter"}},
	{name: "form_esc_esc_346", setup: []string{"2", "j", "j", "j", "enter", "p"}, raw: "\x1b\x1b346", keys: []string{"esc", "esc", "3", "4", "6"}},
	{name: "form_text_then_tab", setup: []string{"2", "j", "j", "j", "p"}, raw: "G2025010\t", keys: []string{"text:G2025010", "tab"}},
	{name: "list_p_then_text", setup: []string{"2", "j", "j", "j"}, raw: "pG2025010", keys: []string{"p", "text:G2025010"}},
	{name: "help_jj_esc", setup: []string{"2"}, raw: "?jj\x1b", keys: []string{"?", "j", "j", "esc"}},
	{name: "confirm_jjj", setup: []string{"2", "j", "j", "j", "p", "text:G2025010", "tab", "text:testdata/pdf/signed.pdf", "enter", "enter", "enter"},
		raw: "jjj", keys: []string{"j", "j", "j"}},
	{name: "issue_source_enter_jjj_scrolls_review", setup: []string{"2", "j", "j", "j", "i", "tab", "text:" + letterTemplate, "tab"},
		ready: func(m *Model) bool { v, ok := m.pc.Top().(*issue.View); return ok && v.Step() == issue.StepSource },
		raw:   "BH2025-0001\rjjj", keys: []string{"text:BH2025-0001", "enter", "j", "j", "j"}},
	{name: "issue_signed_jjj_scrolls", setup: []string{"2", "j", "j", "j", "i", "tab", "text:" + letterTemplate, "tab", "text:BH2025-0001", "enter",
		"enter", "text:" + letterCert, "tab", "tab", "tab", "text:" + letterPassword, "enter"},
		ready: func(m *Model) bool { v, ok := m.pc.Top().(*issue.View); return ok && v.Step() == issue.StepSigned },
		raw:   "jjj", keys: []string{"j", "j", "j"}},
	{name: "release_l_then_esc", setup: []string{"4"}, raw: "l\x1b", keys: []string{"l", "esc"}},
}

// Keys that arrive in one read act as if typed one at a time, each on the
// screen the key before it left, at every screen: lists, the detail view,
// forms, the help page, the confirmation, 签发. Esc read together with the
// next key is Esc, then that key (not Alt+key).
func TestBatchedKeysEveryScreen(t *testing.T) {
	for _, c := range batchedCases {
		t.Run(c.name, func(t *testing.T) {
			for _, sz := range sizes {
				db1, db2 := fixtureStore(t), fixtureStore(t)
				one := newDesk(t, Options{Store: db1, Workflows: testWorkflows(db1), Sandbox: true}, sz.w, sz.h)
				raw := newRawDesk(t, Options{Store: db2, Workflows: testWorkflows(db2), Sandbox: true}, sz.w, sz.h)
				for _, d := range []*desk{one, raw} {
					d.keys(c.setup...)
					if c.ready != nil {
						d.waitFor("the screen", c.ready)
					}
				}
				if a, b := maskSigned(one.view()), maskSigned(raw.view()); a != b {
					t.Fatalf("%dx%d: the two desks differ after the setup:\n%s\n---\n%s", sz.w, sz.h, a, b)
				}
				before := raw.view()
				one.keys(c.keys...)
				raw.write(c.raw)
				want, got := maskSigned(one.view()), maskSigned(raw.view())
				if got != want {
					t.Fatalf("%dx%d: %q in one read:\n%s\n--- want (one key at a time):\n%s\n--- before:\n%s", sz.w, sz.h, c.raw, got, want, before)
				}
			}
		})
	}
}

// The file picker shows no size for a folder (it gave the directory
// entry's 4.1kB as if it were the content).
func TestFilePickerFolderNoSize(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	d.keys("2", "j", "j", "j", "p", "tab", "ctrl+o")
	d.waitFor("the picker's folder", func(m *Model) bool { return strings.Contains(m.View(), "components") })
	for _, l := range strings.Split(d.view(), "\n") {
		if strings.Contains(l, "components") && regexp.MustCompile(`\d(\.\d)?[kMG]?B`).MatchString(l) {
			t.Fatalf("a folder with a size: %q", l)
		}
	}
}
