package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func update(t testing.TB, s *Store, fn func(*Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func count(t testing.TB, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrationsFreshAndReopen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, filepath.Join(dir, "files")} {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o700 {
			t.Errorf("%s mode %v, want 0700", d, st.Mode().Perm())
		}
	}
	var v int
	if err := s.r.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() {
		t.Fatalf("user_version %d, want %d", v, SchemaVersion())
	}
	update(t, s, func(tx *Tx) error { return tx.UpsertOrder(Order{OrderNo: "1", BlockName: "标段一"}) })
	if s.Dir() == "" || !filepath.IsAbs(s.Dir()) {
		t.Errorf("Dir() = %q", s.Dir())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.GetOrder(ctx, "1")
	if err != nil || o.BlockName != "标段一" {
		t.Fatalf("after reopen: %+v %v", o, err)
	}
	if err := s.r.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != SchemaVersion() {
		t.Fatalf("user_version after reopen %d %v", v, err)
	}
	// A database from a newer program is refused.
	if _, err := s.w.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open newer schema: %v", err)
	}
}

// pragmas reads the durability settings of one connection.
func pragmas(t *testing.T, c *sql.Conn) (journal string, sync, fk, busy, queryOnly int) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []struct {
		q   string
		dst any
	}{
		{`PRAGMA journal_mode`, &journal}, {`PRAGMA synchronous`, &sync}, {`PRAGMA foreign_keys`, &fk},
		{`PRAGMA busy_timeout`, &busy}, {`PRAGMA query_only`, &queryOnly},
	} {
		if err := c.QueryRowContext(ctx, p.q).Scan(p.dst); err != nil {
			t.Fatal(p.q, err)
		}
	}
	return
}

func TestPragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	check := func(name string, db *sql.DB, n int, wantQueryOnly int) {
		// Hold n connections at once so that each is a distinct pooled one.
		var conns []*sql.Conn
		for i := 0; i < n; i++ {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for i, c := range conns {
			j, sy, fk, busy, qo := pragmas(t, c)
			if j != "wal" || sy != 2 || fk != 1 || busy != busyTimeoutMS || qo != wantQueryOnly {
				t.Errorf("%s conn %d: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d query_only=%d",
					name, i, j, sy, fk, busy, qo)
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}
	check("writer", s.w, 1, 0)
	check("readers", s.r, s.r.Stats().MaxOpenConnections, 1)
	check("data_version", s.dv, 1, 1)
	if got := s.w.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer MaxOpenConnections = %d", got)
	}
	// The read pool really refuses writes.
	if _, err := s.r.Exec(`INSERT INTO health (id, at) VALUES (1, 1)`); err == nil {
		t.Error("read pool accepted a write")
	}
	if err := s.Writable(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestCallbackSequential(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	runs := 0
	fn := func(tx *Tx) ([]byte, error) {
		runs++
		if err := tx.UpsertOrder(Order{OrderNo: "A1", OrderStatus: "WAIT_FIRST_TRAIL"}); err != nil {
			return nil, err
		}
		if _, err := tx.AddEvent(Event{Kind: KindCallback, Direction: DirIn, Method: "apply_guarantee", Ref: "A1"}); err != nil {
			return nil, err
		}
		return []byte(fmt.Sprintf(`{"status":200,"data":{"n":%d}}`, runs)), nil
	}
	a1, dup1, err := s.Callback(ctx, "apply_guarantee", "A1", "127.0.0.1", fn)
	if err != nil || dup1 {
		t.Fatal(err, dup1)
	}
	a2, dup2, err := s.Callback(ctx, "apply_guarantee", "A1", "127.0.0.1", fn)
	if err != nil || !dup2 {
		t.Fatal(err, dup2)
	}
	if !bytes.Equal(a1, a2) || runs != 1 {
		t.Fatalf("answers %s / %s, runs %d", a1, a2, runs)
	}
	// Same key, other method: a different callback.
	if _, dup, err := s.Callback(ctx, "notify_order_status", "A1", "", fn); err != nil || dup {
		t.Fatal(err, dup)
	}
	if n := count(t, s, "inbound"); n != 2 {
		t.Fatalf("inbound rows %d", n)
	}
	if ans, ok, err := s.InboundAnswer(ctx, "apply_guarantee", "A1"); err != nil || !ok || !bytes.Equal(ans, a1) {
		t.Fatalf("InboundAnswer %s %v %v", ans, ok, err)
	}
}

// TestCallbackFiles: the first delivery's files are kept with the callback
// and read back; an unknown key is not found; a callback without files has
// an empty list; a row from before schema 5 reads as unknown files (nil).
func TestCallbackFiles(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	fn := func(*Tx) ([]byte, error) { return []byte(`{"status":200}`), nil }
	want := []HeldFile{{Field: "attach_file0", Name: "a.pdf", Size: 3, SHA256: strings.Repeat("a", 64)}}
	if _, _, err := s.CallbackWith(ctx, Inbound{Method: "apply_claim", Key: "C1", Files: want}, fn, nil); err != nil {
		t.Fatal(err)
	}
	// A repeat with other files does not replace the first's.
	if _, dup, err := s.CallbackWith(ctx, Inbound{Method: "apply_claim", Key: "C1", Files: []HeldFile{{Field: "x"}}}, fn, nil); err != nil || !dup {
		t.Fatal(err, dup)
	}
	got, found, err := s.CallbackFiles(ctx, "apply_claim", "C1")
	if err != nil || !found || len(got) != 1 || got[0] != want[0] {
		t.Fatalf("files %+v %v %v", got, found, err)
	}
	if _, _, err := s.Callback(ctx, "apply_claim", "C2", "", fn); err != nil {
		t.Fatal(err)
	}
	if got, found, err := s.CallbackFiles(ctx, "apply_claim", "C2"); err != nil || !found || got == nil || len(got) != 0 {
		t.Fatalf("no files: %+v %v %v", got, found, err)
	}
	if _, found, err := s.CallbackFiles(ctx, "apply_claim", "C3"); err != nil || found {
		t.Fatalf("unknown key: %v %v", found, err)
	}
	if _, err := s.w.Exec(`UPDATE inbound SET files = '' WHERE key = 'C2'`); err != nil {
		t.Fatal(err)
	}
	if got, found, err := s.CallbackFiles(ctx, "apply_claim", "C2"); err != nil || !found || got != nil {
		t.Fatalf("legacy row: %+v %v %v", got, found, err)
	}
}

func TestCallbackConcurrent(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	var runs atomic.Int32
	const n = 20
	answers := make([][]byte, n)
	dups := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			answers[i], dups[i], errs[i] = s.Callback(ctx, "guarantee_release", "R-1", "", func(tx *Tx) ([]byte, error) {
				k := runs.Add(1)
				if err := tx.PutRevocation(Revocation{RevokeNo: "R-1", Items: []RevocationItem{{List: ListCurrent, GuaranteeNo: "G1", SerialNum: "1"}}}); err != nil {
					return nil, err
				}
				if _, err := tx.AddEvent(Event{Kind: KindCallback, Ref: "R-1"}); err != nil {
					return nil, err
				}
				return []byte(fmt.Sprintf(`{"status":200,"run":%d,"caller":%d}`, k, i)), nil
			})
		}(i)
	}
	close(start)
	wg.Wait()
	firsts := 0
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !dups[i] {
			firsts++
		}
		if !bytes.Equal(answers[i], answers[0]) {
			t.Errorf("answer %d = %s, answer 0 = %s", i, answers[i], answers[0])
		}
	}
	if firsts != 1 || runs.Load() != 1 {
		t.Fatalf("non-duplicates %d, fn runs %d", firsts, runs.Load())
	}
	if a, b, c := count(t, s, "inbound"), count(t, s, "revocations"), count(t, s, "events"); a != 1 || b != 1 || c != 1 {
		t.Fatalf("inbound %d revocations %d events %d", a, b, c)
	}
}

func TestCallbackErrorStoresNothing(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	boom := errors.New("boom")
	_, _, err := s.Callback(ctx, "apply_claim", "C1/APPLY_WAIT_DEAL", "", func(tx *Tx) ([]byte, error) {
		if err := tx.PutClaim(Claim{ClaimNo: "C1", Status: ClaimApplyWaitDeal}); err != nil {
			return nil, err
		}
		if _, err := tx.AddEvent(Event{Kind: KindCallback}); err != nil {
			return nil, err
		}
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	for _, tb := range []string{"inbound", "claims", "claim_statuses", "events"} {
		if n := count(t, s, tb); n != 0 {
			t.Errorf("%s has %d rows after failed callback", tb, n)
		}
	}
	// A retry runs fn again and is stored.
	_, dup, err := s.Callback(ctx, "apply_claim", "C1/APPLY_WAIT_DEAL", "", func(tx *Tx) ([]byte, error) {
		return []byte(`{"status":200}`), tx.PutClaim(Claim{ClaimNo: "C1", Status: ClaimApplyWaitDeal})
	})
	if err != nil || dup {
		t.Fatal(err, dup)
	}
	// A panicking fn rolls back too.
	func() {
		defer func() { _ = recover() }()
		_, _, _ = s.Callback(ctx, "x", "y", "", func(tx *Tx) ([]byte, error) {
			_ = tx.UpsertOrder(Order{OrderNo: "P"})
			panic("oops")
		})
	}()
	if _, err := s.GetOrder(ctx, "P"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("order after panic: %v", err)
	}
	if err := s.Writable(ctx); err != nil {
		t.Fatalf("store not usable after panic: %v", err)
	}
}

func TestPutFile(t *testing.T) {
	s := openTemp(t)
	data := bytes.Repeat([]byte("保函PDF"), 10000)
	ref, err := s.PutFile(bytes.NewReader(data), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Size != int64(len(data)) || !ValidSHA256(ref.SHA256) {
		t.Fatalf("ref %+v", ref)
	}
	p := s.FilePath(ref.SHA256)
	if p != filepath.Join(s.Dir(), "files", ref.SHA256[:2], ref.SHA256) {
		t.Fatalf("path %s", p)
	}
	ref2, err := s.PutFile(bytes.NewReader(data), 0)
	if err != nil || ref2 != ref {
		t.Fatalf("dedup: %+v %v", ref2, err)
	}
	f, err := s.OpenFile(ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if _, err := got.ReadFrom(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatal("content differs")
	}
	if !s.HasFile(ref.SHA256) {
		t.Fatal("HasFile false")
	}

	// Exactly the limit is fine; one byte more is not, and leaves no temp.
	if _, err := s.PutFile(bytes.NewReader(make([]byte, 100)), 100); err != nil {
		t.Fatal(err)
	}
	_, err = s.PutFile(bytes.NewReader(make([]byte, 101)), 100)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("too large: %v", err)
	}
	tmps, _ := os.ReadDir(filepath.Join(s.Dir(), "files", "tmp"))
	if len(tmps) != 0 {
		t.Fatalf("temp files left: %v", tmps)
	}

	for _, bad := range []string{"", "../../etc/passwd", strings.ToUpper(ref.SHA256), ref.SHA256[:63], ref.SHA256 + "0",
		"zz" + ref.SHA256[2:], "../" + ref.SHA256[3:]} {
		if p := s.FilePath(bad); p != "" {
			t.Errorf("FilePath(%q) = %q", bad, p)
		}
		if _, err := s.OpenFile(bad); !errors.Is(err, ErrBadHash) {
			t.Errorf("OpenFile(%q): %v", bad, err)
		}
	}
	if _, err := s.OpenFile(strings.Repeat("0", 64)); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenFile(missing): %v", err)
	}
}

func TestOrderUpsertMerge(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	update(t, s, func(tx *Tx) error {
		return tx.UpsertOrder(Order{OrderNo: "O1", OrderStatus: "WAIT_FIRST_TRAIL", GuaranteeAmount: "10000000.10",
			BidDeadline: "2025-03-11 9:02", Fields: json.RawMessage(`{"order_no":"O1","address":"福建省福州市","x":1}`),
			Raw: json.RawMessage(`{"order_no":"O1"}`)})
	})
	o1, err := s.GetOrder(ctx, "O1")
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx *Tx) error {
		return tx.UpsertOrder(Order{OrderNo: "O1", OrderAmount: "300.00", Fields: json.RawMessage(`{"order_amount":"300.00","x":2,"creditor_name":null}`)})
	})
	o, err := s.GetOrder(ctx, "O1")
	if err != nil {
		t.Fatal(err)
	}
	if o.OrderStatus != "WAIT_FIRST_TRAIL" || o.GuaranteeAmount != "10000000.10" || o.OrderAmount != "300.00" ||
		o.BidDeadline != "2025-03-11 9:02" || o.CreatedAt != o1.CreatedAt || string(o.Raw) != `{"order_no":"O1"}` {
		t.Fatalf("merged order %+v", o)
	}
	var f map[string]any
	if err := json.Unmarshal(o.Fields, &f); err != nil {
		t.Fatal(err)
	}
	if f["address"] != "福建省福州市" || f["x"] != 2.0 || f["order_amount"] != "300.00" {
		t.Fatalf("fields %s", o.Fields)
	}
	if _, ok := f["creditor_name"]; !ok {
		t.Fatalf("null field dropped: %s", o.Fields)
	}
	if !strings.Contains(string(o.Fields), "福建省") {
		t.Fatalf("fields escaped: %s", o.Fields)
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.UpsertOrder(Order{OrderNo: "O1", Fields: json.RawMessage(`[1]`)}) }); err == nil {
		t.Fatal("non-object fields accepted")
	}
	// The search index follows renames.
	update(t, s, func(tx *Tx) error { return tx.UpsertOrder(Order{OrderNo: "O1", BlockName: "旧的标段名称"}) })
	update(t, s, func(tx *Tx) error { return tx.UpsertOrder(Order{OrderNo: "O1", BlockName: "新的标段名称"}) })
	for filter, want := range map[string]int{"旧的标段": 0, "新的标段": 1, "标段名称": 1} {
		if l, _, err := s.ListOrders(ctx, OrderQuery{Filter: filter}); err != nil || len(l) != want {
			t.Errorf("filter %q: %d rows, want %d (%v)", filter, len(l), want, err)
		}
		if n, err := s.CountOrders(ctx, OrderQuery{Filter: filter}); err != nil || n != want {
			t.Errorf("count %q: %d, want %d (%v)", filter, n, want, err)
		}
	}
	if _, err := s.w.Exec(`INSERT INTO orders_fts (orders_fts) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("search index out of step: %v", err)
	}
	update(t, s, func(tx *Tx) error { return tx.SetOrderStatus("O1", "WAIT_PAY") })
	if err := s.Update(ctx, func(tx *Tx) error { return tx.SetOrderStatus("nope", "WAIT_PAY") }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("status of unknown order: %v", err)
	}
	update(t, s, func(tx *Tx) error { return tx.FlagOrder("O2", "未知订单的状态通知") })
	o2, err := s.GetOrder(ctx, "O2")
	if err != nil || !o2.Flagged || o2.FlagReason != "未知订单的状态通知" {
		t.Fatalf("flagged stub %+v %v", o2, err)
	}
	update(t, s, func(tx *Tx) error { return tx.UpsertOrder(Order{OrderNo: "O2", OrderStatus: "WAIT_PAY"}) })
	if o2, _ = s.GetOrder(ctx, "O2"); !o2.Flagged {
		t.Fatal("upsert cleared flag")
	}
	update(t, s, func(tx *Tx) error { return tx.UnflagOrder("O2") })
	if o2, _ = s.GetOrder(ctx, "O2"); o2.Flagged {
		t.Fatal("unflag failed")
	}
	if _, err := s.GetOrder(ctx, "none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing order: %v", err)
	}
}

func TestDeadlineKey(t *testing.T) {
	for in, want := range map[string]string{
		"2019-03-11 11:02": "2019-03-11 11:02",
		"2019-3-1 9:2":     "2019-03-01 09:02",
		"2019-03-11":       "2019-03-11 00:00",
		"":                 "~",
		"soon":             "soon",
	} {
		if got := deadlineKey(in); got != want {
			t.Errorf("deadlineKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// seedRelease builds guarantees in each 2.10 state.
func seedRelease(t *testing.T, s *Store) {
	update(t, s, func(tx *Tx) error {
		for _, g := range []Guarantee{
			{GuaranteeNo: "G2", OrderNo: "O2", SerialNum: "806097210890174002"},
			{GuaranteeNo: "G3", OrderNo: "O3", SerialNum: "806097210890174003"},
			{GuaranteeNo: "G4", OrderNo: "O4", SerialNum: "806097210890174004"},
			{GuaranteeNo: "G4b", OrderNo: "O4", SerialNum: "806097210890174014"},
			{GuaranteeNo: "G5", OrderNo: "O5", SerialNum: "806097210890174005"},
		} {
			if err := tx.PutGuarantee(g); err != nil {
				return err
			}
		}
		if err := tx.PutRevocation(Revocation{RevokeNo: "R1", BlockNumber: "B1", ReceivedAt: 1000, Items: []RevocationItem{
			{List: ListCurrent, GuaranteeNo: "G4", SerialNum: "806097210890174004"},
			{List: ListCurrent, GuaranteeNo: "G5", SerialNum: "806097210890174005"},
			{List: ListPenalty, GuaranteeNo: "G3", SerialNum: "806097210890174003"},
			{List: ListCurrent, GuaranteeNo: "G2", SerialNum: "999"}, // wrong serial: does not count
			{List: ListCurrent, GuaranteeNo: "X9", SerialNum: "1"},   // not ours
		}}); err != nil {
			return err
		}
		if err := tx.PutRevocation(Revocation{RevokeNo: "R2", BlockNumber: "B1", ReceivedAt: 2000, Items: []RevocationItem{
			{List: ListSuccess, GuaranteeNo: "G4", SerialNum: "806097210890174004"},
			{List: ListCurrent, GuaranteeNo: "G4b", SerialNum: "806097210890174014"},
		}}); err != nil {
			return err
		}
		return tx.MarkReleased("G5", "2025-05-12 12:01:01")
	})
}

func TestReleaseStatus(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	seedRelease(t, s)
	for _, c := range []struct {
		no, serial string
		code       int
		date       string
	}{
		{"G0", "806097210890174000", 1, ""},
		{"G2", "806097210890174099", 1, ""}, // right number, wrong serial
		{"G2", "", 1, ""},
		{"G2", "806097210890174002", 2, ""},
		{"G3", "806097210890174003", 3, ""},
		{"G4", "806097210890174004", 4, ""},
		{"G5", "806097210890174005", 5, "2025-05-12 12:01:01"},
	} {
		code, date, err := s.ReleaseStatus(ctx, c.no, c.serial)
		if err != nil || code != c.code || date != c.date {
			t.Errorf("ReleaseStatus(%s, %s) = %d %q %v, want %d %q", c.no, c.serial, code, date, err, c.code, c.date)
		}
	}
	g, err := s.GuaranteeBySerial(ctx, "806097210890174004")
	if err != nil || g.GuaranteeNo != "G4" || g.ReleaseStatus != ReleasePending {
		t.Fatalf("by serial %+v %v", g, err)
	}
	revs, err := s.RevocationsForGuarantee(ctx, "G4")
	if err != nil || len(revs) != 2 || revs[0].RevokeNo != "R1" || len(revs[1].Items) != 2 {
		t.Fatalf("revocations for G4: %+v %v", revs, err)
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.MarkReleased("nope", "") }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("release unknown: %v", err)
	}
}

func TestPending(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	seedRelease(t, s)
	update(t, s, func(tx *Tx) error {
		for _, o := range []Order{
			{OrderNo: "late", OrderStatus: "WAIT_PAY", BidDeadline: "2025-06-02 10:00"},
			{OrderNo: "soon", OrderStatus: "WAIT_FIRST_TRAIL", BidDeadline: "2025-06-01 9:30"},
			{OrderNo: "soon2", OrderStatus: "WAIT_OUT_GUARANTEE", BidDeadline: "2025-06-01 10:00"},
			{OrderNo: "unknown-deadline", OrderStatus: "WAIT_OFFER"},
			{OrderNo: "issued", OrderStatus: "HAS_OUT_GUARANTEE", BidDeadline: "2025-05-01 10:00"},
			{OrderNo: "done", OrderStatus: "FINISH", BidDeadline: "2025-05-01 10:00"},
			{OrderNo: "cancelled", OrderStatus: "CANCEL", BidDeadline: "2025-05-01 10:00"},
		} {
			if err := tx.UpsertOrder(o); err != nil {
				return err
			}
		}
		if err := tx.FlagOrder("ghost", "未知订单"); err != nil {
			return err
		}
		for _, c := range []Claim{
			{ClaimNo: "C1", Status: ClaimApplyWaitDeal},
			{ClaimNo: "C2", Status: ClaimDealPass},
			{ClaimNo: "C3", Status: "CLAIM_CLOSE"},
		} {
			if err := tx.PutClaim(c); err != nil {
				return err
			}
		}
		return nil
	})
	p, err := s.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var orders []string
	for _, o := range p.Orders {
		orders = append(orders, o.OrderNo)
	}
	// "ghost" is a flagged stub with no status: not issued, no deadline.
	if want := "soon soon2 late ghost unknown-deadline"; strings.Join(orders, " ") != want {
		t.Errorf("pending orders %q, want %q", strings.Join(orders, " "), want)
	}
	if p.OrdersTotal != 5 {
		t.Errorf("orders total %d", p.OrdersTotal)
	}
	var rel []string
	for _, r := range p.Releases {
		rel = append(rel, r.GuaranteeNo+"@"+r.RevokeNo)
	}
	// G4 (latest batch naming it: R2), G4b; not G3 (penalty), G5 (released), G2 (serial mismatch), X9 (not ours).
	if want := "G4@R2 G4b@R2"; strings.Join(rel, " ") != want || p.ReleasesTotal != 2 {
		t.Errorf("pending releases %q (total %d), want %q", strings.Join(rel, " "), p.ReleasesTotal, want)
	}
	if len(p.Claims) != 2 || p.Claims[0].ClaimNo != "C1" || p.Claims[1].ClaimNo != "C2" || p.ClaimsTotal != 2 {
		t.Errorf("pending claims %+v", p.Claims)
	}
	if len(p.Flagged) != 1 || p.Flagged[0].OrderNo != "ghost" || p.FlaggedTotal != 1 {
		t.Errorf("flagged %+v", p.Flagged)
	}
	p, err = s.Pending(ctx, 2)
	if err != nil || len(p.Orders) != 2 || p.OrdersTotal != 5 {
		t.Fatalf("limited pending: %d of %d, %v", len(p.Orders), p.OrdersTotal, err)
	}
}

func TestListOrdersKeyset(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	const n = 400
	statuses := []string{"WAIT_FIRST_TRAIL", "WAIT_PAY", "HAS_OUT_GUARANTEE", "FINISH"}
	var all []Order
	update(t, s, func(tx *Tx) error {
		for i := 0; i < n; i++ {
			o := Order{
				OrderNo:     fmt.Sprintf("%010d", (i*7919)%n),
				OrderStatus: statuses[i%len(statuses)],
				BlockName:   fmt.Sprintf("标段%d", i%13),
				Principal:   fmt.Sprintf("公司_%d%%", i%17),
				BidDeadline: fmt.Sprintf("2025-%02d-%02d %d:%02d", 1+i%12, 1+i%28, i%24, i%3), // many ties
			}
			if i%50 == 0 {
				o.BidDeadline = ""
			}
			all = append(all, o)
			if err := tx.UpsertOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
	pageAll := func(q OrderQuery) []string {
		var got []string
		seen := map[string]bool{}
		for pages := 0; ; pages++ {
			if pages > n {
				t.Fatal("paging does not end")
			}
			page, next, err := s.ListOrders(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > q.Limit {
				t.Fatalf("page of %d > limit %d", len(page), q.Limit)
			}
			for _, o := range page {
				if seen[o.OrderNo] {
					t.Fatalf("%s returned twice", o.OrderNo)
				}
				seen[o.OrderNo] = true
				got = append(got, o.OrderNo)
			}
			if next == "" {
				return got
			}
			q.After = next
		}
	}
	// pageAllRef lists in one page (reference for orders the test cannot predict).
	pageAllRef := func(q OrderQuery) []string {
		page, next, err := s.ListOrders(ctx, q)
		if err != nil || next != "" {
			t.Fatal(err, next)
		}
		out := []string{}
		for _, o := range page {
			out = append(out, o.OrderNo)
		}
		return out
	}
	want := func(keep func(Order) bool, less func(a, b Order) bool) []string {
		var sel []Order
		for _, o := range all {
			if keep(o) {
				sel = append(sel, o)
			}
		}
		sort.Slice(sel, func(i, j int) bool { return less(sel[i], sel[j]) })
		out := []string{}
		for _, o := range sel {
			out = append(out, o.OrderNo)
		}
		return out
	}
	byDeadline := func(a, b Order) bool {
		ka, kb := deadlineKey(a.BidDeadline), deadlineKey(b.BidDeadline)
		if ka != kb {
			return ka < kb
		}
		return a.OrderNo < b.OrderNo
	}
	eq := func(name string, got, want []string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: got %d rows, want %d; first got %v want %v", name, len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
		}
	}
	for _, max := range []int{ftsPrefilterMax, 5} { // through the trigram index, and not
		saved := ftsPrefilterMax
		ftsPrefilterMax = max
		eq(fmt.Sprint("trigram filter, prefilter max ", max), pageAll(OrderQuery{Limit: 9, Filter: "段12"}),
			want(func(o Order) bool { return strings.Contains(o.BlockName, "段12") }, byDeadline))
		ftsPrefilterMax = saved
	}
	for _, w := range []int{filterWindow, 3} { // short filter: window first, then full scan
		saved := filterWindow
		filterWindow = w
		eq(fmt.Sprint("short filter, window ", w), pageAll(OrderQuery{Limit: 9, Filter: "段1"}),
			want(func(o Order) bool { return strings.Contains(o.BlockName, "段1") }, byDeadline))
		eq(fmt.Sprint("short filter by updated, window ", w), pageAll(OrderQuery{Limit: 9, Filter: "_1", Sort: ByUpdated}),
			pageAllRef(OrderQuery{Limit: 1000, Filter: "_1", Sort: ByUpdated}))
		filterWindow = saved
	}
	eq("no match", pageAll(OrderQuery{Limit: 9, Filter: "不存在"}), []string{})
	eq("all by deadline", pageAll(OrderQuery{Limit: 37}), want(func(Order) bool { return true }, byDeadline))
	eq("status", pageAll(OrderQuery{Limit: 10, Status: []string{"WAIT_PAY", "FINISH"}}),
		want(func(o Order) bool { return o.OrderStatus == "WAIT_PAY" || o.OrderStatus == "FINISH" }, byDeadline))
	// '%' in the filter is literal, not a wildcard.
	eq("filter", pageAll(OrderQuery{Limit: 7, Filter: "公司_3%"}),
		want(func(o Order) bool { return strings.Contains(o.Principal, "公司_3%") }, byDeadline))
	eq("filter+status", pageAll(OrderQuery{Limit: 7, Filter: "标段1", Status: []string{"WAIT_FIRST_TRAIL"}}),
		want(func(o Order) bool {
			return strings.Contains(o.BlockName, "标段1") && o.OrderStatus == "WAIT_FIRST_TRAIL"
		}, byDeadline))
	got := pageAll(OrderQuery{Limit: 33, Sort: ByUpdated})
	if len(got) != n {
		t.Errorf("by updated: %d rows", len(got))
	}
	if c, err := s.CountOrders(ctx, OrderQuery{Filter: "标段1", Status: []string{"WAIT_FIRST_TRAIL"}}); err != nil ||
		c != len(want(func(o Order) bool {
			return strings.Contains(o.BlockName, "标段1") && o.OrderStatus == "WAIT_FIRST_TRAIL"
		}, byDeadline)) {
		t.Errorf("count %d %v", c, err)
	}
	if _, _, err := s.ListOrders(ctx, OrderQuery{After: "garbage!"}); err == nil {
		t.Error("bad cursor accepted")
	}
}

func TestOtherListsPaging(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	const n = 95
	for i := 0; i < n; i++ {
		// One transaction per record, so that timestamps differ or tie.
		update(t, s, func(tx *Tx) error {
			no := fmt.Sprintf("%03d", i)
			if err := tx.PutGuarantee(Guarantee{GuaranteeNo: "G" + no, OrderNo: "O" + no, SerialNum: "80609721089017" + no}); err != nil {
				return err
			}
			if err := tx.PutRevocation(Revocation{RevokeNo: "R" + no, ReceivedAt: int64(i/3) + 1, Items: []RevocationItem{
				{List: ListCurrent, GuaranteeNo: "G" + no, SerialNum: "80609721089017" + no}}}); err != nil {
				return err
			}
			sha := strings.Repeat(fmt.Sprintf("%x", i%16), 64)
			return tx.PutClaim(Claim{ClaimNo: "C" + no, GuaranteeNo: "G" + no, Status: ClaimApplyWaitDeal,
				Attachments: []ClaimAttachment{{Field: "attach_file0", Name: "a.pdf", Size: 3, SHA256: sha}}})
		})
	}
	var gs, rs, cs []string
	for after := Cursor(""); ; {
		page, next, err := s.ListGuarantees(ctx, GuaranteeQuery{After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page {
			gs = append(gs, g.GuaranteeNo)
			if g.ReleaseStatus != ReleasePending {
				t.Fatalf("%s release status %d", g.GuaranteeNo, g.ReleaseStatus)
			}
		}
		if after = next; after == "" {
			break
		}
	}
	for after := Cursor(""); ; {
		page, next, err := s.ListRevocations(ctx, RevocationQuery{After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			rs = append(rs, r.RevokeNo)
			if len(r.Items) != 1 {
				t.Fatalf("%s items %v", r.RevokeNo, r.Items)
			}
		}
		if after = next; after == "" {
			break
		}
	}
	for after := Cursor(""); ; {
		page, next, err := s.ListClaims(ctx, ClaimQuery{After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			cs = append(cs, c.ClaimNo)
			if len(c.Attachments) != 1 {
				t.Fatalf("%s attachments %v", c.ClaimNo, c.Attachments)
			}
		}
		if after = next; after == "" {
			break
		}
	}
	for name, l := range map[string][]string{"guarantees": gs, "revocations": rs, "claims": cs} {
		if len(l) != n {
			t.Errorf("%s: %d rows", name, len(l))
		}
		if !sort.SliceIsSorted(l, func(i, j int) bool { return l[i] > l[j] }) {
			t.Errorf("%s not newest first: %v", name, l[:5])
		}
	}
	for _, w := range []int{filterWindow, 3} {
		saved := filterWindow
		filterWindow = w
		var got []string
		for after := Cursor(""); ; {
			page, next, err := s.ListGuarantees(ctx, GuaranteeQuery{Filter: "G00", After: after, Limit: 4})
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range page {
				got = append(got, g.GuaranteeNo)
			}
			if after = next; after == "" {
				break
			}
		}
		if want := "G009 G008 G007 G006 G005 G004 G003 G002 G001 G000"; strings.Join(got, " ") != want {
			t.Errorf("filtered guarantees (window %d): %v", w, got)
		}
		filterWindow = saved
	}
	if c, err := s.CountGuarantees(ctx, GuaranteeQuery{Filter: "G01"}); err != nil || c != 10 {
		t.Errorf("count guarantees %d %v", c, err)
	}
	if c, err := s.CountRevocations(ctx, RevocationQuery{Filter: "R09"}); err != nil || c != 5 {
		t.Errorf("count revocations %d %v", c, err)
	}
	if c, err := s.CountClaims(ctx, ClaimQuery{Status: []string{ClaimApplyWaitDeal}}); err != nil || c != n {
		t.Errorf("count claims %d %v", c, err)
	}
}

func TestClaimHistory(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	shaA, shaB := strings.Repeat("a", 64), strings.Repeat("b", 64)
	update(t, s, func(tx *Tx) error {
		return tx.PutClaim(Claim{ClaimNo: "C1", Status: ClaimApplyWaitDeal, GuaranteeNo: "G1", ClaimAmount: "5000.00",
			GuaranteePDFSHA256: shaA, Fields: json.RawMessage(`{"claim_no":"C1"}`),
			Attachments: []ClaimAttachment{{Field: "attach_file0", Name: "证明.pdf", Size: 10, SHA256: shaA}}})
	})
	update(t, s, func(tx *Tx) error {
		if err := tx.PutClaim(Claim{ClaimNo: "C1", Status: ClaimDealPass,
			Attachments: []ClaimAttachment{{Field: "attach_file0", Name: "证明.pdf", Size: 10, SHA256: shaA},
				{Field: "attach_file1", Name: "b.hta.png", Size: 20, SHA256: shaB, Unsafe: true}}}); err != nil {
			return err
		}
		// The same status again (a duplicate under another key) is recorded once.
		if err := tx.PutClaim(Claim{ClaimNo: "C1", Status: ClaimDealPass}); err != nil {
			return err
		}
		_, err := tx.AddClaimResult(ClaimResult{ClaimNo: "C1", DoType: 1, Status: 1, Note: "受理通过"})
		return err
	})
	c, err := s.GetClaim(ctx, "C1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != ClaimDealPass || c.ClaimAmount != "5000.00" || c.GuaranteePDFSHA256 != shaA ||
		len(c.Attachments) != 2 || len(c.Statuses) != 2 || c.Statuses[0].Status != ClaimApplyWaitDeal ||
		len(c.Results) != 1 || c.Results[0].Note != "受理通过" {
		t.Fatalf("claim %+v", c)
	}
	// The unsafe flag is kept per attachment.
	if c.Attachments[0].Unsafe || !c.Attachments[1].Unsafe {
		t.Fatalf("unsafe flags %+v", c.Attachments)
	}
	if err := s.Update(ctx, func(tx *Tx) error {
		return tx.PutClaim(Claim{ClaimNo: "C1", Attachments: []ClaimAttachment{{Field: "f", SHA256: "../x"}}})
	}); !errors.Is(err, ErrBadHash) {
		t.Fatalf("bad attachment hash: %v", err)
	}
	if err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.AddClaimResult(ClaimResult{ClaimNo: "unknown", DoType: 1, Status: 1})
		return err
	}); err == nil {
		t.Fatal("result for unknown claim accepted")
	}
	cs, err := s.ClaimsForGuarantee(ctx, "G1")
	if err != nil || len(cs) != 1 {
		t.Fatalf("claims for G1 %v %v", cs, err)
	}
}

func TestRevocationReplaceAndRead(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	data := `{"revoke_success_data":[],"current_revoke_data":[{"guarantee_no":"G1","principal":"甲","serial_num":"806097210890174"}],"penalty_data":[]}`
	update(t, s, func(tx *Tx) error {
		return tx.PutRevocation(Revocation{RevokeNo: "R1", BlockNumber: "B", Creditor: "乙", Data: data,
			DeclareFileHashClaimed: strings.Repeat("c", 64), Raw: json.RawMessage(`{"revoke_no":"R1"}`),
			Items: []RevocationItem{{List: ListCurrent, GuaranteeNo: "G1", Principal: "甲", SerialNum: "806097210890174"}}})
	})
	r1, _ := s.GetRevocation(ctx, "R1")
	update(t, s, func(tx *Tx) error {
		return tx.PutRevocation(Revocation{RevokeNo: "R1", BlockNumber: "B", Data: data, Items: []RevocationItem{
			{List: ListPenalty, GuaranteeNo: "G2"}, {List: ListSuccess, GuaranteeNo: "G3"}}})
	})
	r, err := s.GetRevocation(ctx, "R1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Data != data || len(r.Items) != 2 || r.Items[0].List != ListSuccess || r.ReceivedAt != r1.ReceivedAt {
		t.Fatalf("revocation %+v", r)
	}
	if err := s.Update(ctx, func(tx *Tx) error {
		return tx.PutRevocation(Revocation{RevokeNo: "R2", Items: []RevocationItem{{List: "other"}}})
	}); err == nil {
		t.Fatal("unknown list accepted")
	}
	if _, err := s.GetRevocation(ctx, "R2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("R2: %v", err)
	}
}

func TestEventsTokenAttempts(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	v0, err := s.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 0; i < 5; i++ {
		id, err := s.AddEvent(ctx, Event{Kind: KindCall, Direction: DirOut, Method: "get_guarantee_info", Ref: fmt.Sprint("O", i%2),
			Summary: fmt.Sprintf("获取订单信息 %d", i), Detail: `{"param":"***"}`})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if v1, _ := s.DataVersion(ctx); v1 == v0 {
		t.Error("data_version did not change after a commit")
	}
	if last, _ := s.LastEventID(ctx); last != ids[4] {
		t.Errorf("last id %d", last)
	}
	ev, err := s.EventsAfter(ctx, ids[1], 2)
	if err != nil || len(ev) != 2 || ev[0].ID != ids[2] || ev[1].ID != ids[3] {
		t.Fatalf("after: %+v %v", ev, err)
	}
	ev, err = s.ListEvents(ctx, EventQuery{Before: ids[4], Ref: "O0"})
	if err != nil || len(ev) != 2 || ev[0].ID != ids[2] || ev[1].ID != ids[0] {
		t.Fatalf("list: %+v %v", ev, err)
	}
	ev, err = s.ListEvents(ctx, EventQuery{Filter: "信息 3"})
	if err != nil || len(ev) != 1 || ev[0].ID != ids[3] {
		t.Fatalf("filter: %+v %v", ev, err)
	}
	if _, err := s.w.Exec(`DELETE FROM events`); err == nil {
		t.Error("events deletable")
	}
	if _, err := s.w.Exec(`UPDATE events SET summary = 'x'`); err == nil {
		t.Error("events updatable")
	}
	if _, err := s.AddEvent(ctx, Event{Kind: KindFault, Direction: "sideways"}); err == nil {
		t.Error("bad direction accepted")
	}

	if _, _, err := s.Token(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no token: %v", err)
	}
	if err := s.SaveToken(ctx, "tok1", 1700000000); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveToken(ctx, "tok2", 1700007200); err != nil {
		t.Fatal(err)
	}
	if tok, exp, err := s.Token(ctx); err != nil || tok != "tok2" || exp != 1700007200 {
		t.Fatalf("token %s %d %v", tok, exp, err)
	}

	a1, err := s.StartAttempt(ctx, "guarantor_push_guarantee", "G1", `{"guarantee_no":"G1"}`)
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := s.StartAttempt(ctx, "remove_guarantee", "G1", `{}`)
	a3, _ := s.StartAttempt(ctx, "cancel_order", "O1", `{}`)
	if err := s.FinishAttempt(ctx, a1, AttemptOK, 200, "", `{"status":200,"data":{"serial_num":806097210890174}}`); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishAttempt(ctx, a2, AttemptUnknown, 0, "timeout", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishAttempt(ctx, 999, AttemptOK, 200, "", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("finish unknown attempt: %v", err)
	}
	if err := s.FinishAttempt(ctx, a3, "bogus", 0, "", ""); err == nil {
		t.Fatal("bogus state accepted")
	}
	un, err := s.Unresolved(ctx)
	if err != nil || len(un) != 2 || un[0].ID != a2 || un[1].ID != a3 || un[0].State != AttemptUnknown || un[1].State != AttemptSending {
		t.Fatalf("unresolved %+v %v", un, err)
	}
	a, err := s.GetAttempt(ctx, a1)
	if err != nil || a.State != AttemptOK || a.FinishedAt == 0 || a.LatencyMS < 0 {
		t.Fatalf("attempt %+v %v", a, err)
	}
	if l, err := s.AttemptsFor(ctx, "G1", 10); err != nil || len(l) != 2 || l[0].ID != a2 {
		t.Fatalf("attempts for G1 %+v %v", l, err)
	}
}

// Two Store instances on one directory stand for two processes (the desk and
// `baohan serve`): each has its own writer connection, so SQLite's file locks
// and busy_timeout must serialize them without losing a write.
func TestTwoStoresConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	const workers, each = 4, 40
	var wg sync.WaitGroup
	errc := make(chan error, 2*workers)
	for si, s := range []*Store{a, b} {
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(si, w int, s *Store) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					no := fmt.Sprintf("s%d-w%d-%d", si, w, i)
					err := s.Update(ctx, func(tx *Tx) error {
						if err := tx.UpsertOrder(Order{OrderNo: no, OrderStatus: "WAIT_PAY"}); err != nil {
							return err
						}
						_, err := tx.AddEvent(Event{Kind: KindCallback, Ref: no})
						return err
					})
					if err != nil {
						errc <- err
						return
					}
					// The same callback through both "processes": one record.
					if _, _, err := s.Callback(ctx, "notify_order_status", fmt.Sprintf("w%d-%d", w, i), "", func(tx *Tx) ([]byte, error) {
						_, err := tx.AddEvent(Event{Kind: KindCallback, Ref: "dup"})
						return []byte(`{"status":200}`), err
					}); err != nil {
						errc <- err
						return
					}
				}
			}(si, w, s)
		}
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	total := 2 * workers * each
	for _, s := range []*Store{a, b} {
		if n, err := s.CountOrders(ctx, OrderQuery{}); err != nil || n != total {
			t.Fatalf("orders %d (want %d) %v", n, total, err)
		}
		if n := count(t, s, "events"); n != total+workers*each {
			t.Fatalf("events %d, want %d", n, total+workers*each)
		}
		if n := count(t, s, "inbound"); n != workers*each {
			t.Fatalf("inbound %d, want %d", n, workers*each)
		}
	}
}

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	update(t, s, func(tx *Tx) error { return tx.UpsertOrder(Order{OrderNo: "before"}) })

	stop := make(chan struct{})
	wrote := make(chan int)
	go func() {
		n := 0
		defer func() { wrote <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			err := s.Update(ctx, func(tx *Tx) error {
				if err := tx.UpsertOrder(Order{OrderNo: fmt.Sprint("w", n)}); err != nil {
					return err
				}
				_, err := tx.AddEvent(Event{Kind: KindCallback, Ref: fmt.Sprint("w", n)})
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
			n++
		}
	}()
	// Let some writes happen first (no timing: wait for rows).
	for {
		if n, _ := s.LastEventID(ctx); n >= 20 {
			break
		}
	}
	dest := filepath.Join(t.TempDir(), "copy")
	if err := os.MkdirAll(dest, 0o700); err != nil {
		t.Fatal(err)
	}
	destDB := filepath.Join(dest, DBName)
	if err := s.Backup(ctx, destDB); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-wrote
	if err := s.Backup(ctx, destDB); err == nil {
		t.Fatal("backup over an existing file accepted")
	}

	c, err := Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.GetOrder(ctx, "before"); err != nil {
		t.Fatal(err)
	}
	orders, _ := c.CountOrders(ctx, OrderQuery{})
	events := count(t, c, "events")
	// Consistent: each write put one order and one event in one transaction.
	if orders < 21 || orders != events+1 {
		t.Fatalf("backup has %d orders and %d events", orders, events)
	}
	var ic string
	if err := c.r.QueryRow(`PRAGMA integrity_check`).Scan(&ic); err != nil || ic != "ok" {
		t.Fatalf("integrity_check %s %v", ic, err)
	}
}

func TestConcurrentOpenFreshDir(t *testing.T) {
	// Several rounds: the SQLITE_BUSY that SQLite answers, without its busy
	// handler, while one opener turns the new database to WAL (Open waits
	// it out) shows only in some of them.
	for range 12 {
		concurrentOpenFreshDir(t, filepath.Join(t.TempDir(), "data"))
	}
}

func concurrentOpenFreshDir(t *testing.T, dir string) {
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, 4)
	for i := range stores {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			stores[i], errs[i] = Open(dir)
		}(i)
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		defer s.Close()
	}
	var v int
	if err := stores[0].r.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != SchemaVersion() {
		t.Fatalf("user_version %d %v", v, err)
	}
	if err := stores[3].Update(context.Background(), func(tx *Tx) error { return tx.UpsertOrder(Order{OrderNo: "1"}) }); err != nil {
		t.Fatal(err)
	}
	if _, err := stores[1].GetOrder(context.Background(), "1"); err != nil {
		t.Fatal(err)
	}
}

// TestDecideHeldOnce: a held callback is decided once; a second decision
// (the desk and the CLI at once) is ErrDecided and changes nothing.
func TestDecideHeldOnce(t *testing.T) {
	s := openTemp(t)
	var h Held
	update(t, s, func(tx *Tx) (err error) {
		h, err = tx.Hold(Held{Method: "apply_claim", Key: "k1", Ref: "LP1", Reason: "r", Plaintext: "{}"})
		return err
	})
	update(t, s, func(tx *Tx) error { return tx.DecideHeld(h.ID, HeldAccepted, "ok") })
	err := s.Update(context.Background(), func(tx *Tx) error { return tx.DecideHeld(h.ID, HeldDismissed, "no") })
	if !errors.Is(err, ErrDecided) {
		t.Fatalf("second decision: %v, want ErrDecided", err)
	}
	if got, _ := s.GetHeld(context.Background(), h.ID); got.State != HeldAccepted || got.Note != "ok" {
		t.Fatalf("after a second decision: %+v", got)
	}
	err = s.Update(context.Background(), func(tx *Tx) error { return tx.DecideHeld(h.ID+99, HeldDismissed, "no") })
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

// TestNotIssuedIsPendingsRule: the order list's NotIssued keeps exactly the
// orders 待办 lists as not yet issued, an order without a known state
// included.
func TestNotIssuedIsPendingsRule(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	update(t, s, func(tx *Tx) error {
		for no, st := range map[string]string{"1": "WAIT_PAY", "2": "", "3": OrderHasOutGuarantee, "4": OrderFinish, "5": "WAIT_FIRST_TRAIL"} {
			if err := tx.UpsertOrder(Order{OrderNo: no, OrderStatus: st, BlockNumber: "B" + no}); err != nil {
				return err
			}
		}
		return nil
	})
	got, _, err := s.ListOrders(ctx, OrderQuery{NotIssued: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Pending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	nos := func(os []Order) string {
		var out []string
		for _, o := range os {
			out = append(out, o.OrderNo)
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	if nos(got) != "1,2,5" || nos(got) != nos(p.Orders) {
		t.Fatalf("not issued %s, 待办 %s, want 1,2,5 in both", nos(got), nos(p.Orders))
	}
	if n, err := s.CountOrders(ctx, OrderQuery{NotIssued: true}); err != nil || n != 3 {
		t.Fatalf("count %d %v", n, err)
	}
}
