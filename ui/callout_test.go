package ui

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/xuri/excelize/v2"

	"baohan/store"
	"baohan/ui/components/pane"
	"baohan/ui/components/statusbar"
)

// clock is a desk clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func addOrder(t *testing.T, db *store.Store, o store.Order) {
	t.Helper()
	if err := db.Update(context.Background(), func(tx *store.Tx) error { return tx.UpsertOrder(o) }); err != nil {
		t.Fatal(err)
	}
}

// An order not yet issued rings when it crosses 24 hours and again 2 hours
// before its bid deadline; the 待办 tab counts it; an issued one never rings.
func TestDeadlineCallsOut(t *testing.T) {
	db := fixtureStore(t)
	// 1813037628 is due 2025-06-11 09:30. At 07:00 the day before nothing
	// is within 24 hours.
	c := &testClock{t: time.Date(2025, 6, 10, 7, 0, 0, 0, fixedNow.Location())}
	addOrder(t, db, store.Order{OrderNo: "1813037640", OrderStatus: "HAS_OUT_GUARANTEE", BlockName: "已出函的标段", BidDeadline: "2025-06-10 12:00"})
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true, Now: c.now}, 120, 36)
	state := func() (bells, alerts int, tab string) {
		d.inspect(func(m *Model) { bells, alerts, tab = m.pc.Bells, m.todo.AlertCount(m.pc), m.tabsView() })
		return
	}
	if b, a, tab := state(); b != 0 || a != 0 || strings.Contains(tab, "急") {
		t.Fatalf("at 07:00: bells %d alerts %d tab %q, want none (the issued order due at 12:00 never rings)", b, a, tab)
	}
	c.set(time.Date(2025, 6, 10, 10, 0, 0, 0, fixedNow.Location()))
	d.tm.Send(statusbar.TickMsg{})
	d.settle()
	if b, a, tab := state(); b != 1 || a != 1 || !strings.Contains(tab, "待办(8 急1)") {
		t.Fatalf("24 h before: bells %d alerts %d tab %q", b, a, tab)
	}
	// Another tick inside the same window: no second bell.
	d.tm.Send(statusbar.TickMsg{})
	d.settle()
	if b, _, _ := state(); b != 1 {
		t.Fatalf("a tick inside the same window rang again: %d", b)
	}
	c.set(time.Date(2025, 6, 11, 7, 45, 0, 0, fixedNow.Location()))
	d.tm.Send(statusbar.TickMsg{})
	d.settle()
	if b, a, _ := state(); b != 2 || a != 1 {
		t.Fatalf("2 h before: bells %d alerts %d", b, a)
	}
	if v := d.view(); !strings.Contains(v, "订单 1813037628 距投标截止（2025-06-11 09:30）不到 2 小时") || !strings.Contains(v, "! !剩1小时45分   1813037628") {
		t.Fatalf("2 h before, the screen:\n%s", v)
	}
}

// Goldens of the callouts and the new states at 80x24 and 120x36.
func TestGoldenCallouts(t *testing.T) {
	cases := []struct {
		name  string
		keys  []string
		setup func(t *testing.T, db *store.Store)
	}{
		{name: "deadline_2h", setup: func(t *testing.T, db *store.Store) {
			addOrder(t, db, store.Order{OrderNo: "1813037641", OrderStatus: "WAIT_OUT_GUARANTEE", BlockNumber: "BN-2025-041", BlockName: "台江区防洪排涝工程",
				Principal: "福州台江水利工程有限公司", Creditor: "台江区水利局", GuaranteeAmount: "60000.00", BidDeadline: "2025-06-10 11:30"})
		}},
		{name: "deadline_orders", keys: []string{"2"}, setup: func(t *testing.T, db *store.Store) {
			addOrder(t, db, store.Order{OrderNo: "1813037641", OrderStatus: "WAIT_OUT_GUARANTEE", BlockNumber: "BN-2025-041", BlockName: "台江区防洪排涝工程",
				Principal: "福州台江水利工程有限公司", Creditor: "台江区水利局", GuaranteeAmount: "60000.00", BidDeadline: "2025-06-10 11:30"})
		}},
		{name: "export_orders", keys: []string{"2", "/", "text:BN-2025-00", "enter", "e"}},
		{name: "export_log", keys: []string{"6", "e"}},
		{name: "help_scrolled", keys: []string{"?", "pgdown"}},
		{name: "help_bottom", keys: []string{"?", "G"}},
		{name: "detail_then_pane", keys: []string{"2", "enter", "3"}},
		{name: "search_block_number_guarantees", keys: []string{"3", "/", "text:BN-2025-003", "enter"}},
		{name: "search_block_number_claims", keys: []string{"5", "/", "text:BN-2025-004", "enter"}},
	}
	for _, c := range cases {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, sz.w, sz.h), func(t *testing.T) {
				db := fixtureStore(t)
				if c.setup != nil {
					c.setup(t, db)
				}
				d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true, ExportDir: t.TempDir()}, sz.w, sz.h)
				d.keys(c.keys...)
				if strings.HasPrefix(c.name, "export_orders") {
					d.waitFor("the export", func(m *Model) bool { return strings.HasPrefix(m.pc.Flash.Text, "已导出") })
				}
				golden.RequireEqual(t, []byte(d.final()))
			})
		}
	}
}

// e writes what the pane shows, with its search and range: the workbook
// has the pane's rows.
func TestExportKeyWritesWhatThePaneShows(t *testing.T) {
	db := fixtureStore(t)
	dir := t.TempDir()
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true, ExportDir: dir}, 120, 36)
	d.keys("2", "f", "/", "text:福州", "enter")
	var shown int
	d.inspect(func(m *Model) { shown = m.panes[m.active].(*pane.Table[store.Order]).Known() })
	d.keys("e")
	d.waitFor("the export", func(m *Model) bool { return strings.HasPrefix(m.pc.Flash.Text, "已导出") })
	files, err := filepath.Glob(filepath.Join(dir, "订单台账-*.xlsx"))
	if err != nil || len(files) != 1 {
		t.Fatalf("files %v %v", files, err)
	}
	f, err := excelize.OpenFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("订单台账")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != shown || shown == 0 {
		t.Fatalf("workbook has %d rows, the pane shows %d", len(rows)-1, shown)
	}
	for _, r := range rows[1:] {
		if !strings.Contains(strings.Join(r, " "), "福州") || r[1] == "已出函" {
			t.Errorf("row outside the pane's filter (未出函, 福州): %q", r)
		}
	}
}

// The 新 mark is kept in the store: a restarted desk still shows it, and
// opening the record clears it for good.
func TestNewMarkSurvivesRestart(t *testing.T) {
	db := fixtureStore(t)
	ctx := context.Background()
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertOrder(store.Order{OrderNo: "1813888888", OrderStatus: "WAIT_FIRST_TRAIL", BlockName: "重启前到达", BidDeadline: "2025-06-20 09:00"}); err != nil {
			return err
		}
		_, err := tx.AddEvent(store.Event{Kind: store.KindCallback, Direction: store.DirIn, Method: "apply_guarantee", Ref: "1813888888", Status: 200})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	d.waitFor("the new order", func(m *Model) bool { return m.pc.NewRefs["1813888888"] })
	d.waitFor("the mark stored", func(*Model) bool { ms, _ := db.NewMarks(ctx); return ms["1813888888"] })
	// 待办's refresh after the new order may still be on its way.
	d.waitFor("待办 lists it", func(m *Model) bool { return strings.Contains(m.View(), "1813888888") })
	d.final()

	d2 := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	d2.waitFor("the mark after a restart", func(m *Model) bool { return m.pc.NewRefs["1813888888"] })
	if v := d2.view(); !strings.Contains(v, "* 剩9天23小时    1813888888") {
		t.Fatalf("not marked 新 after a restart:\n%s", v)
	}
	d2.keys("2", "/", "text:1813888888", "enter", "enter")
	d2.waitFor("the mark cleared in the store", func(m *Model) bool {
		ms, _ := db.NewMarks(ctx)
		return !m.pc.NewRefs["1813888888"] && !ms["1813888888"]
	})
}

// The desk relying on a `baohan serve` notices it stopped at its next
// check and takes over listening.
func TestTakesOverWhenServeStops(t *testing.T) {
	db := fixtureStore(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})}
	go srv.Serve(ln)
	var mu sync.Mutex
	calls := 0
	takeOver := func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return "127.0.0.1:18080", nil
	}
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), ExternalListener: ln.Addr().String(), TakeOver: takeOver}, 120, 36)
	if v := d.view(); !strings.Contains(v, "正常") {
		t.Fatalf("serve answers, the status bar:\n%s", v)
	}
	srv.Close()
	d.tm.Send(externalTickMsg{})
	d.waitFor("the takeover", func(m *Model) bool {
		return m.bar.ListenerAddr() == "127.0.0.1:18080" && m.bar.ExternalListener() == ""
	})
	mu.Lock()
	n := calls
	mu.Unlock()
	v := d.view()
	if n != 1 || !strings.Contains(v, "本桌面已接手接收回调") {
		t.Fatalf("takeover called %d times; screen:\n%s", n, v)
	}
	// q now asks: the listener runs inside the desk.
	d.keys("q")
	d.inspect(func(m *Model) {
		if !m.quitListening {
			t.Error("q did not ask before stopping the desk's listener")
		}
	})
	d.keys("x")
	d.inspect(func(m *Model) {
		if m.quitListening {
			t.Error("another key did not go back to work")
		}
	})
}
