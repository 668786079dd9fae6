package ui

import (
	"context"
	"strings"
	"testing"

	"baohan/platform"
	"baohan/ui/components/action"
	"baohan/ui/components/detail"
	"baohan/ui/components/issue"
)

// After 签发, esc leaves the result screen and the signed letter stays
// with its order: the order's detail lists it (path in the file store,
// SHA-256, signer, time), and p, from the list or the detail, opens the
// push with it filled in.
func TestIssuedLetterStaysWithOrder(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	openIssue(d)
	d.keys("enter", "text:"+letterCert, "tab", "tab", "tab", "text:"+letterPassword, "enter")
	d.waitFor("the signed letter", func(m *Model) bool { v, ok := m.pc.Top().(*issue.View); return ok && v.Step() == issue.StepSigned })
	var sha string
	d.inspect(func(m *Model) {
		res, err := m.pc.Top().(*issue.View).Signed()
		if err != nil {
			t.Fatalf("signed with error: %v", err)
		}
		sha = res.SHA256
	})
	d.keys("esc")
	d.inspect(func(m *Model) {
		if m.pc.Top() != nil {
			t.Fatalf("esc left %T on screen", m.pc.Top())
		}
	})
	recs, err := platform.IssuedLetters(context.Background(), db, "1813037629")
	if err != nil || len(recs) != 1 || recs[0].SHA256 != sha || recs[0].GuaranteeNo != "BH2025-0001" || recs[0].Signer == "" || recs[0].SignedAt == 0 {
		t.Fatalf("issued letters of the order: %+v, %v; want the one signed (%s)", recs, err, sha)
	}

	// The detail shows it.
	d.keys("enter")
	var files []detail.File
	var sections []string
	d.inspect(func(m *Model) {
		v := m.pc.Top().(*detail.View)
		files, sections = v.Files(), v.Sections()
	})
	found := false
	for _, f := range files {
		if f.SHA == sha && f.Stored && f.Name == db.FilePath(sha) {
			found = true
		}
	}
	if !found || !strings.Contains(strings.Join(sections, "|"), "已签发的保函（1") {
		t.Fatalf("the order's detail: sections %q, files %+v; want the issued letter %s", sections, files, sha)
	}
	screen := d.view()
	for _, want := range []string{"已签发的保函", "签名人", "签发时间", "BH2025-0001", "i 签发电子保函"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("the detail does not show %q:\n%s", want, screen)
		}
	}

	// p offers it: the push form has the number and the stored file.
	d.keys("p")
	var vals map[string]string
	d.inspect(func(m *Model) { vals = m.pc.Top().(*action.View).Form().Values() })
	if vals["guarantee_no"] != "BH2025-0001" || vals["pdf"] != db.FilePath(sha) {
		t.Fatalf("the push form: %v; want BH2025-0001 and %s", vals, db.FilePath(sha))
	}
	// From the list as well.
	d.keys("esc", "esc", "p")
	d.inspect(func(m *Model) { vals = m.pc.Top().(*action.View).Form().Values() })
	if vals["guarantee_no"] != "BH2025-0001" || vals["pdf"] != db.FilePath(sha) {
		t.Fatalf("the push form from the list: %v", vals)
	}
}

// p on an order the push would refuse (待初审, or already issued) says so
// at once, with what would make it possible, instead of opening a form
// that is refused only after it was filled.
func TestPushRefusedAtOnce(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	d.keys("2")
	seen := map[string]bool{}
	for i := range 6 {
		if i > 0 {
			d.keys("j")
		}
		var status string
		d.inspect(func(m *Model) { status = m.panes[m.active].Selection().Order.OrderStatus })
		d.keys("p")
		var top any
		var flash string
		d.inspect(func(m *Model) { top, flash = m.pc.Top(), m.pc.Flash.Text })
		switch {
		case status == platform.OrderWaitOutGuarantee:
			if _, ok := top.(*action.View); !ok {
				t.Fatalf("p on the order in 待出函 opened %T", top)
			}
			d.keys("esc")
		case platform.OrderIssued(status):
			if top != nil || !strings.Contains(flash, "不能") {
				t.Fatalf("p on a %s order: overlay %T, message %q", status, top, flash)
			}
		default:
			seen["before"] = true
			if top != nil || !strings.Contains(flash, "只有待出函") || !strings.Contains(flash, "先通知平台为待出函") {
				t.Fatalf("p on a %s order: overlay %T, message %q", status, top, flash)
			}
		}
		seen[map[bool]string{true: "wait_out", false: "other"}[status == platform.OrderWaitOutGuarantee]] = true
		seen[map[bool]string{true: "issued", false: "not_issued"}[platform.OrderIssued(status)]] = true
	}
	if !seen["wait_out"] || !seen["issued"] || !seen["before"] {
		t.Fatalf("the rows did not cover every case: %v", seen)
	}
}
