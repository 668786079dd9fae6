package listener

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/platform/sandbox/sandboxtest"
	"baohan/store"
)

// TestDeskAndServeShareDataDir: a `baohan serve` (listener on its own
// store handle) and a desk (workflows on another handle) on one data
// folder, both writing at once: callbacks arrive while the desk refreshes
// orders (2.2) and notifies their status (2.3). No write is lost or
// refused: every callback is acknowledged at its first attempt (a busy
// store would have answered 500 and forced a repeat), every desk action
// succeeds, each waits at most busy_timeout (an error otherwise), the
// desk's handle sees the listener's events, and the database is intact.
func TestDeskAndServeShareDataDir(t *testing.T) {
	// Parallel: it waits on child processes or the network; the other
	// tests of this kind run meanwhile (never beside the sequential ones).
	t.Parallel()
	const orders, deskWorkers = 120, 2
	ctx := context.Background()
	key, _ := keys(t)
	dir := t.TempDir()

	serveStore, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer serveStore.Close()
	deskStore, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer deskStore.Close()

	srv := New(Config{APISecret: testSecret, PrivateKey: key, Logger: slog.New(slog.DiscardHandler)}, serveStore)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	sk := sandboxtest.Keys(t)
	opt := sk.Options()
	opt.APISecret, opt.GuarantorKey, opt.CallbackBase = testSecret, key, ts.URL
	opt.RetrySchedule = []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}
	sb := sandbox.New(opt)
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	client := platform.NewClient(platform.ClientConfig{BaseURL: base, APIKey: opt.APIKey, APISecret: testSecret, BtcID: opt.BtcID,
		PlatformPublicKey: &opt.PlatformKey.PublicKey, PublicKey: &key.PublicKey, Timeout: 30 * time.Second}, deskStore, nil)
	wf := &platform.Workflows{Client: client, Store: deskStore, Guarantor: "福州某某融资担保有限公司"}

	dv0, err := deskStore.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	work := make(chan string, orders)
	var mu sync.Mutex
	var slowest time.Duration
	note := func(d time.Duration) {
		mu.Lock()
		slowest = max(slowest, d)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range deskWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for no := range work {
				start := time.Now()
				if err := wf.RefreshOrder(ctx, no); err != nil {
					t.Errorf("desk: refresh %s: %v", no, err)
					continue
				}
				p, err := wf.PlanNotifyStatus(ctx, platform.StatusInput{OrderNo: no, Status: "WAIT_PAY"})
				if err != nil {
					t.Errorf("desk: plan notify %s: %v", no, err)
					continue
				}
				if _, err := wf.Execute(ctx, p); err != nil {
					t.Errorf("desk: notify %s: %v", no, err)
				}
				note(time.Since(start))
			}
		}()
	}
	type sent struct {
		no string
		d  *sandbox.Delivery
	}
	var all []sent
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// At most 16 callbacks in flight, as a platform's senders: far below
	// the listener's RSA queue (MaxRSARequests), which a loaded machine
	// could otherwise fill and answer 503, a refusal this test is not about.
	inflight := make(chan struct{}, 16)
	for range orders {
		inflight <- struct{}{}
		o, d := sb.NewOrder(ctx, sandbox.OrderSpec{})
		all = append(all, sent{string(o.OrderNo), d})
		go func() { _ = d.Wait(wctx); <-inflight }()
	}
	for _, s := range all {
		if err := s.d.Wait(wctx); err != nil {
			t.Fatalf("callback for %s: %v", s.no, err)
		}
		if n := s.d.Attempts(); n != 1 {
			t.Errorf("callback for %s needed %d attempts: the listener refused a write", s.no, n)
		}
		work <- s.no
	}
	close(work)
	wg.Wait()
	t.Logf("slowest desk action (2.2 + 2.3 with their writes): %s; busy_timeout bounds every wait", slowest.Round(time.Millisecond))

	// The desk's handle sees what the listener wrote, and both see one state.
	if dv, err := deskStore.DataVersion(ctx); err != nil || dv == dv0 {
		t.Errorf("desk's data_version %d (was %d): %v", dv, dv0, err)
	}
	for _, s := range all {
		o, err := serveStore.GetOrder(ctx, s.no)
		if err != nil {
			t.Fatalf("order %s: %v", s.no, err)
		}
		if o.OrderStatus != "WAIT_PAY" {
			t.Errorf("order %s is %s in the store, want WAIT_PAY", s.no, o.OrderStatus)
		}
		if po, _ := sb.Order(s.no); po.Status() != "WAIT_PAY" {
			t.Errorf("order %s is %s on the platform", s.no, po.Status())
		}
	}
	if n, err := deskStore.CountOrders(ctx, store.OrderQuery{}); err != nil || n != orders {
		t.Errorf("%d orders (%v), want %d", n, err, orders)
	}
	kinds := map[string]int{}
	for after := int64(0); ; {
		ev, err := deskStore.EventsAfter(ctx, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev) == 0 {
			break
		}
		for _, e := range ev {
			kinds[e.Kind+"/"+e.Method]++
			after = e.ID
		}
	}
	if kinds["callback/"+platform.CallbackApplyGuarantee] != orders || kinds["call/"+platform.MethodNotifyOrderStatus] != orders {
		t.Errorf("events %v, want %d callbacks and %d notifications", kinds, orders, orders)
	}
	if atts, err := deskStore.Unresolved(ctx); err != nil || len(atts) != 0 {
		t.Errorf("unresolved attempts: %+v %v", atts, err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.DBName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ic string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ic); err != nil || ic != "ok" {
		t.Errorf("integrity_check %q %v", ic, err)
	}
}
