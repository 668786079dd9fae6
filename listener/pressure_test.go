package listener

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"baohan/platform/sandbox"
	"baohan/store"
)

// The store under pressure: a write that cannot be made (disk full, a lock
// held past busy_timeout, the spool folder unusable) is answered non-200 so
// that the platform repeats it, leaves no half record, and the repeat is
// accepted once the store is healthy again. TestStoreFailure
// (server_test.go) covers a broken file store and a closed database.

// TestSpoolUnwritable: the spool folder cannot take an uploaded file (it
// is gone, the disk is read-only). That is our fault, not the sender's:
// HTTP 500 and a fault event, not a refusal of the callback as malformed.
func TestSpoolUnwritable(t *testing.T) {
	e := newEnv(t)
	o, g := e.seedIssued("1813000711", "FZDB2026000711", "806097210890174711", "")
	cb := claimCallback(claimMsg("LP2026000711", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber), sandbox.MinimalPDF("保函"),
		sandbox.File{Field: "attach_file0", Name: "a.pdf", Data: sandbox.MinimalPDF("a")})
	spool := filepath.Join(e.dir, "spool")
	if err := os.RemoveAll(spool); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spool, nil, 0o600); err != nil { // even root cannot create files in it
		t.Fatal(err)
	}
	before := e.snapshot()
	e.send(cb).want(t, http.StatusInternalServerError, 404)
	after := e.snapshot()
	if after.count("claims") != 0 || after.count("inbound") != 0 || len(after.files) != len(before.files) {
		t.Errorf("half-written: %v %v", after.tables, after.files)
	}
	ev := e.events()
	// The body is spooled before it is decrypted: the event cannot name
	// the claim, it names the callback and the cause.
	if len(ev) != 1 || ev[0].Kind != store.KindFault || ev[0].Method != "apply_claim" || !strings.Contains(ev[0].Summary, "已请平台重发") ||
		!strings.Contains(ev[0].Summary, "spool") {
		t.Fatalf("events %+v", ev)
	}

	if err := os.Remove(spool); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(spool, 0o700); err != nil {
		t.Fatal(err)
	}
	e.send(cb).want(t, http.StatusOK, 200)
	if n := e.snapshot().count("claims"); n != 1 {
		t.Errorf("%d claims after the repeat", n)
	}
}

// TestStoreLockedBeyondBusyTimeout: another process holds the write lock
// (BEGIN IMMEDIATE) for longer than busy_timeout. The callback waits for
// busy_timeout, no longer, is answered HTTP 500 and leaves nothing; the
// health check reports the store as not writable meanwhile; once the lock
// is released the platform's repeat is stored once.
func TestStoreLockedBeyondBusyTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the store's busy_timeout (10 s); skipped with -short")
	}
	t.Parallel()
	e := newEnv(t)
	e.seedIssued("1813000721", "FZDB2026000721", "806097210890174721", "")
	e.update(func(tx *store.Tx) error { return tx.SetOrderStatus("1813000721", "WAIT_PAY") })
	cb := statusCallback("1813000721", "WAIT_PAY", "WAIT_OUT_GUARANTEE")
	before := e.snapshot()

	// The other process: its own connection holding the write lock.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.dir, store.DBName)+"?_pragma=busy_timeout(1000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	locked := true
	defer func() {
		if locked {
			_, _ = conn.ExecContext(ctx, "ROLLBACK")
		}
	}()

	health := make(chan reply, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/healthz", nil)
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			health <- reply{}
			return
		}
		resp.Body.Close()
		health <- reply{HTTP: resp.StatusCode}
	}()
	start := time.Now()
	e.send(cb).want(t, http.StatusInternalServerError, 404)
	t.Logf("answered HTTP 500 after %s (busy_timeout 10 s)", time.Since(start).Round(time.Millisecond))
	if h := <-health; h.HTTP != http.StatusServiceUnavailable {
		t.Errorf("/healthz answered HTTP %d while the store was locked", h.HTTP)
	}
	e.snapshot().sameAs(t, before)
	if !strings.Contains(e.logs.String(), "callback failed") {
		t.Error("the failure was not logged")
	}

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	locked = false
	e.send(cb).want(t, http.StatusOK, 200)
	e.send(cb).want(t, http.StatusOK, 200)
	if o, _ := e.st.GetOrder(ctx, "1813000721"); o.OrderStatus != "WAIT_OUT_GUARANTEE" {
		t.Errorf("order status %s", o.OrderStatus)
	}
	s := e.snapshot()
	if s.count("inbound") != 1 {
		t.Errorf("%d inbound rows after the repeats", s.count("inbound"))
	}
	n := 0
	for _, ev := range e.events() {
		if ev.Kind == store.KindCallback {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d callback events, want 1", n)
	}
}

// The disk is full: simulated with RLIMIT_FSIZE in a child process (the
// limit is per process, so it cannot be set in this one without hurting
// the other tests): no file may grow past its current size, as on a full
// disk. The child is TestDiskFullChild.
func TestDiskFull(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("RLIMIT_FSIZE and SIGXFSZ as on Linux")
	}
	cmd := childCommand(os.Args[0], "-test.run=^TestDiskFullChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "BAOHAN_DISK_FULL_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestDiskFullChild") {
		t.Fatalf("disk-full child: %v\n%s", err, out)
	}
	t.Logf("child:\n%s", out)
}

func TestDiskFullChild(t *testing.T) {
	if os.Getenv("BAOHAN_DISK_FULL_CHILD") != "1" {
		t.Skip("run by TestDiskFull")
	}
	e := newEnv(t)
	e.seedIssued("1813000731", "FZDB2026000731", "806097210890174731", "")
	e.update(func(tx *store.Tx) error { return tx.SetOrderStatus("1813000731", "WAIT_PAY") })
	cb := statusCallback("1813000731", "WAIT_PAY", "WAIT_OUT_GUARANTEE")
	before := e.snapshot()

	wal, err := os.Stat(filepath.Join(e.dir, store.DBName+"-wal"))
	if err != nil {
		t.Fatal(err)
	}
	undo, err := limitFileSize(uint64(wal.Size()))
	if err != nil {
		t.Fatal(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := undo(); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer restore()

	r := e.send(cb)
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/healthz", nil)
	h := e.do(req)
	restore()
	r.want(t, http.StatusInternalServerError, 404)
	h.want(t, http.StatusServiceUnavailable, 404)
	t.Logf("disk full: callback HTTP %d %s; /healthz %s", r.HTTP, r.Raw, h.Raw)
	e.snapshot().sameAs(t, before)
	if o, _ := e.st.GetOrder(context.Background(), "1813000731"); o.OrderStatus != "WAIT_PAY" {
		t.Errorf("order status %s after a failed write", o.OrderStatus)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "callback failed") {
		t.Errorf("no log line for the failure:\n%s", logs)
	}

	// Space again: the platform's repeat is stored, once.
	e.send(cb).want(t, http.StatusOK, 200)
	e.send(cb).want(t, http.StatusOK, 200)
	if o, _ := e.st.GetOrder(context.Background(), "1813000731"); o.OrderStatus != "WAIT_OUT_GUARANTEE" {
		t.Errorf("order status %s after the repeat", o.OrderStatus)
	}
	if n := e.snapshot().count("inbound"); n != 1 {
		t.Errorf("%d inbound rows", n)
	}
	var ic string
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.dir, store.DBName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ic); err != nil || ic != "ok" {
		t.Errorf("integrity_check %q %v", ic, err)
	}
}
