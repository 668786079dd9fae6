package ui

import (
	"baohan/ui/common"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/store"
)

// fakeList is a keyset list of n rows whose cursor is the row's index.
func fakeList(n int, reads *int) fetchFunc[int] {
	return func(ctx context.Context, after string, limit int) ([]int, string, error) {
		*reads++
		start := 0
		if after != "" {
			start, _ = strconv.Atoi(after)
		}
		var rows []int
		for i := start; i < n && len(rows) < limit; i++ {
			rows = append(rows, i)
		}
		next := ""
		if start+len(rows) < n {
			next = strconv.Itoa(start + len(rows))
		}
		return rows, next, nil
	}
}

// drive runs the loads a pager asks for until it has what the screen needs.
func drive(t *testing.T, p *pager[int], fetch fetchFunc[int], h int) {
	t.Helper()
	for i := 0; i < 50; i++ {
		a, b, ok := p.need(h)
		if !ok {
			return
		}
		msg := p.load(context.Background(), paneOrders, fetch, a, b)().(windowMsg[int])
		p.apply(msg, h)
	}
	t.Fatal("the pager never settled")
}

func TestPagerHoldsAWindowNotTheList(t *testing.T) {
	const n, h = 10_000, 20
	reads := 0
	fetch := fakeList(n, &reads)
	p := newPager(func(i int) string { return strconv.Itoa(i) })
	p.total = n
	drive(t, &p, fetch, h)
	for step := 0; step < 300; step++ {
		p.move(1, h)
		drive(t, &p, fetch, h)
		if r, ok := p.selected(); !ok || r != p.sel {
			t.Fatalf("row %d: selected %d, %v", p.sel, r, ok)
		}
		if len(p.rows) > h+2*margin(h)+1 {
			t.Fatalf("holds %d rows for a screen of %d", len(p.rows), h)
		}
	}
	// Jump to the end, then page back up.
	p.moveTo(n-1, h)
	drive(t, &p, fetch, h)
	if r, ok := p.selected(); !ok || r != n-1 {
		t.Fatalf("end: selected %d, %v", r, ok)
	}
	for i := 0; i < 10; i++ {
		p.move(-h, h)
		drive(t, &p, fetch, h)
		if r, ok := p.selected(); !ok || r != p.sel {
			t.Fatalf("page up to %d: selected %d, %v", p.sel, r, ok)
		}
	}
	if len(p.marks) > maxMarks {
		t.Fatalf("%d marks", len(p.marks))
	}
}

func TestPagerUnknownLengthWalksToEnd(t *testing.T) {
	const n, h = 777, 10
	reads := 0
	fetch := fakeList(n, &reads)
	p := newPager(func(i int) string { return strconv.Itoa(i) })
	const far = 1 << 30
	msg := p.load(context.Background(), paneLog, fetch, far, far+1)().(windowMsg[int])
	p.apply(msg, h)
	if p.end != n {
		t.Fatalf("end %d, want %d", p.end, n)
	}
	p.moveTo(p.end-1, h)
	drive(t, &p, fetch, h)
	if r, ok := p.selected(); !ok || r != n-1 {
		t.Fatalf("selected %d, %v", r, ok)
	}
}

func TestPrettyJSONMasksSecrets(t *testing.T) {
	in := `{"order_no":"18","serial_num":806097210890174123456,"api_secret":"S","nested":{"access_token":"T","list":[{"ACCESS_TOKEN":"U"}]},` +
		`"file_url":"https://x/f?id=1&access_token=V&b=2","name":"福州<&>"}`
	out := prettyJSON(in)
	for _, secret := range []string{`"S"`, `"T"`, `"U"`, "=V"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %s shown:\n%s", secret, out)
		}
	}
	for _, keep := range []string{"806097210890174123456", `"福州<&>"`, `"order_no": "18"`, "access_token=******&b=2"} {
		if !strings.Contains(out, keep) {
			t.Errorf("%s lost:\n%s", keep, out)
		}
	}
	// Order of keys is kept.
	if strings.Index(out, "order_no") > strings.Index(out, "serial_num") {
		t.Errorf("keys reordered:\n%s", out)
	}
	if got := prettyJSON("not json access_token=abc"); got != "not json access_token=******" {
		t.Errorf("plain text: %q", got)
	}
}

func TestCellsMeasureChinese(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want string
	}{
		{"福州市第三中学", 8, "福州市… "},
		{"福州市第三中学", 14, "福州市第三中学"},
		{"福州市第三中学", 16, "福州市第三中学  "},
		{"ab福州", 5, "ab福…"},
		{"", 3, "   "},
	}
	for _, c := range cases {
		got := common.Fit(c.in, c.w)
		if got != c.want || common.TextWidth(got) != c.w {
			t.Errorf("fit(%q, %d) = %q (%d cells), want %q", c.in, c.w, got, common.TextWidth(got), c.want)
		}
	}
	for _, l := range common.Wrap("福州市城乡建设局 受益人 福州市第三中学教学楼改造工程（标段一） and some words", 12) {
		if common.TextWidth(l) > 12 {
			t.Errorf("wrapped line %q is %d cells", l, common.TextWidth(l))
		}
	}
	if got := common.Clean("a\x1b[31mb\nc\td\u0085"); got != "a[31mb c d" {
		t.Errorf("clean: %q", got)
	}
}

func TestCountdown(t *testing.T) {
	now := time.Date(2025, 6, 10, 10, 0, 0, 0, platform.CST)
	cases := []struct {
		deadline string
		want     string
		urgent   bool
	}{
		{"2025-06-11 09:30", "剩23小时30分", true},
		{"2025-06-12 10:00", "剩2天0小时", false},
		{"2025-06-10 10:20", "剩20分", true},
		{"2025-06-09 17:00", "已截止17小时", true},
		{"2025-06-01 10:00", "已截止9天", true},
		{"", "无截止时间", false},
		{"2025-06-11 9:5", "剩23小时5分", true},
	}
	for _, c := range cases {
		got, urgent := common.Countdown(c.deadline, now)
		if got != c.want || urgent != c.urgent {
			t.Errorf("countdown(%q) = %q, %v; want %q, %v", c.deadline, got, urgent, c.want, c.urgent)
		}
	}
	// The deadline is Beijing time whatever the desk's zone.
	utc := now.UTC()
	if got, _ := common.Countdown("2025-06-10 12:00", utc); got != "剩2小时0分" {
		t.Errorf("from UTC: %q", got)
	}
}

func TestLayoutDropsColumnsToFit(t *testing.T) {
	cols := newOrdersPane().cols
	for _, w := range []int{40, 80, 120, 200} {
		idx, widths := layout(cols, w)
		total := 2 + len(widths) - 1
		for _, x := range widths {
			total += x
		}
		if total > w && w >= 60 {
			t.Errorf("width %d: columns take %d", w, total)
		}
		if idx[0] != 0 {
			t.Errorf("width %d: the order number column was dropped", w)
		}
	}
}

// A callback written by another process (here: another connection to the
// same folder, as `baohan serve` has) shows on the desk, rings and marks the
// new order.
func TestLiveFromAnotherProcess(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), ExternalListener: ""}, 120, 36)
	other, err := store.Open(db.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	err = other.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.UpsertOrder(store.Order{OrderNo: "1813777777", OrderStatus: "WAIT_FIRST_TRAIL", BlockName: "新到的标段",
			Principal: "新单位", BidDeadline: "2025-06-10 20:00"}); err != nil {
			return err
		}
		_, err := tx.AddEvent(store.Event{Kind: store.KindCallback, Direction: store.DirIn, Method: "apply_guarantee",
			Ref: "1813777777", Status: 200, Summary: "新订单 1813777777"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	d.waitFor("the new order", func(m *Model) bool {
		// Bells: the fixture's order inside 24 hours at the start, the new
		// order, and the new order's own deadline (10 hours away).
		if !m.pc.NewRefs["1813777777"] || m.pc.Bells != 3 || m.live.lastCallback == nil || m.live.lastCallback.Ref != "1813777777" {
			return false
		}
		for _, it := range m.pending.items {
			if it.sel != nil && it.sel.Key == "1813777777" {
				return true
			}
		}
		return false
	})
	v := d.view()
	if !strings.Contains(v, "!*!剩10小时0分   1813777777") {
		t.Fatalf("new order not marked new and near its deadline on 待办:\n%s", v)
	}
	if !strings.Contains(v, "订单 1813777777 距投标截止（2025-06-10 20:00）不到 24 小时") {
		t.Fatalf("no deadline message for the new order:\n%s", v)
	}
	// Opening it clears the mark.
	d.keys("j", "enter")
	d.waitFor("the mark cleared", func(m *Model) bool { return !m.pc.NewRefs["1813777777"] })
}

// q while a call runs asks first; other keys go back to work.
func TestQuitAsksWhileCalling(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db)}, 80, 24)
	d.inspect(func(m *Model) {
		a := newAction(m, &actionSpec{title: "测试"})
		a.state = stateRunning
		m.stack = append(m.stack, a)
		m.quit()
	})
	if v := d.view(); !strings.Contains(v, "确定退出") {
		t.Fatalf("no question:\n%s", v)
	}
	d.tm.Send(keyMsg("n"))
	d.waitFor("back to work", func(m *Model) bool { return !m.quitting })
	d.inspect(func(m *Model) { m.pop() })
}

func ExampleModel_View() {
	fmt.Println(common.Span(26*time.Hour + 5*time.Minute))
	// Output: 1天2小时
}

// The push form's file picker (ctrl+o) chooses the PDF.
func TestPushFilePicker(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db)}, 120, 36)
	d.keys("2", "j", "j", "j", "p", "text:G2025011", "tab", "text:testdata/pdf", "ctrl+o")
	d.waitFor("the picker", func(m *Model) bool {
		a, ok := m.top().(*actionView)
		if !ok {
			return false
		}
		f, ok := a.form.focused().(*fileField)
		return ok && f.picking && strings.Contains(f.picker.View(), "signed.pdf")
	})
	if v := d.view(); !strings.Contains(v, "tampered.pdf") {
		t.Fatalf("picker does not list the folder:\n%s", v)
	}
	d.keys("enter")
	d.waitFor("the path chosen", func(m *Model) bool {
		a := m.top().(*actionView)
		return strings.HasSuffix(a.form.values()["pdf"], "signed.pdf")
	})
	d.keys("enter", "enter", "enter")
	d.waitFor("the confirmation", func(m *Model) bool {
		a := m.top().(*actionView)
		return a.state == stateConfirm && a.prep.report != nil && a.prep.blocked == ""
	})
}
