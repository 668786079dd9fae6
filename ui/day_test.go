package ui

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"baohan/listener"
	"baohan/pdfsign"
	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/platform/sandbox/sandboxtest"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/action"
	"baohan/ui/components/detail"
	"baohan/ui/components/form"
)

// TestWholeDay runs a clerk's day on the desk by key presses, against the
// simulated platform and the real listener over loopback: a new order
// arrives, its status is notified (待出函 with the amount), a checked PDF is
// pushed, the block is revoked and the guarantee released, a claim arrives
// and its result is sent. The store is checked at the end.
func TestWholeDay(t *testing.T) { wholeDay(t, false) }

// TestWholeDayMean is the same day with the platform misbehaving as a real
// one may (sandbox Options.Mean): re-signed retries, late retries of old
// transitions and genuine revisits of a state, a 2.1 repeated with changed
// content, names in other forms, a revocation naming a guarantee we never
// issued (held, accepted by the clerk), 2.9 answers with an empty {} error
// and a string data, and a claim for an unknown guarantee (held,
// dismissed). At the end the store agrees with the sandbox's own records,
// order by order and guarantee by guarantee, and every held callback is
// listed.
func TestWholeDayMean(t *testing.T) { wholeDay(t, true) }

func wholeDay(t *testing.T, mean bool) {
	if testing.Short() {
		t.Skip("the whole day takes a few seconds")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pdf, err := filepath.Abs(filepath.Join("testdata", "pdf", "signed.pdf"))
	if err != nil {
		t.Fatal(err)
	}

	// The platform, simulated, a config pointing at it, and the
	// guarantor's side (store, client, workflows, the real listener).
	env := startDay(t, func(o *sandbox.Options) { o.Mean = mean })
	sb, db, client, wf, ln, lis := env.Sandbox, env.Store, env.Client, env.Workflows, env.Listener, env.lis

	d := newDesk(t, Options{Store: db, Workflows: wf, Client: client, ListenerAddr: ln.Addr().String(),
		Sandbox: true, Now: time.Now}, 120, 36)

	// 09:00 a new order arrives (2.1).
	const orderNo = "1813555001"
	_, del := sb.NewOrder(ctx, sandbox.OrderSpec{OrderNo: orderNo, BidDeadline: time.Now().Add(30 * time.Hour)})
	if err := del.Wait(ctx); err != nil {
		t.Fatalf("deliver apply_guarantee: %v", err)
	}
	d.waitFor("the new order on 待办", func(m *Model) bool {
		s := m.todo.Selection()
		return m.pc.NewRefs[orderNo] && s != nil && s.Key == orderNo && m.pc.Bells >= 1
	})
	settled := func(what string) {
		t.Helper()
		d.waitFor(what, func(*Model) bool {
			o, err := db.GetOrder(ctx, orderNo)
			so, _ := sb.Order(orderNo)
			due, _ := db.SettleDue(ctx, time.Now().Add(time.Hour).UnixMilli(), 10)
			return err == nil && o.OrderStatus == so.Status() && len(due) == 0
		})
	}
	if mean {
		// The applicant's materials are sent back and resubmitted twice
		// (genuine revisits of two states), each 2.4 repeated re-signed and
		// followed by a late retry of the previous transition.
		for _, state := range []string{"WAIT_SUBMIT_FIRST_TRAIL", "WAIT_FIRST_TRAIL", "WAIT_SUBMIT_FIRST_TRAIL", "WAIT_FIRST_TRAIL"} {
			del, err := sb.ChangeOrderStatus(ctx, orderNo, state)
			if err != nil {
				t.Fatal(err)
			}
			if err := del.Wait(ctx); err != nil {
				t.Fatalf("deliver 2.4 %s: %v", state, err)
			}
			if o, _ := db.GetOrder(ctx, orderNo); o.OrderStatus != state {
				evs, _ := db.ListEvents(ctx, store.EventQuery{Limit: 50})
				for _, e := range evs {
					t.Logf("%s %s %s %s", e.Kind, e.Method, e.Summary, e.Detail)
				}
				t.Fatalf("after the 2.4 to %s the order is %s", state, o.OrderStatus)
			}
		}
		settled("the order's state as the platform has it")
		if cs, _ := db.OrderConflicts(ctx, orderNo); len(cs) != 1 || cs[0].Diff[0].Field != "principal_phone" {
			t.Fatalf("the changed 2.1 was not kept beside the first: %+v", cs)
		}
		// The clerk sees the conflict in the order's detail.
		d.keys("enter")
		d.waitFor("the order's detail with the other version", func(m *Model) bool {
			dv, ok := m.pc.Top().(*detail.View)
			if !ok || dv.Busy() {
				return false
			}
			for _, sec := range dv.Sections() {
				if strings.Contains(sec, "平台重复推送的不同版本") {
					return true
				}
			}
			return false
		})
		d.keys("esc")
	}

	// 2.3: 待出函 with the order amount.
	d.keys("n")
	d.waitFor("the status form", func(m *Model) bool { _, ok := m.pc.Top().(*action.View); return ok })
	// Down to 待出函 in the list of states, as a clerk would.
	var toWaitOut []string
	d.inspect(func(m *Model) {
		f := m.pc.Top().(*action.View).Form().Fields[0].(*form.ChoiceField)
		for i, code := range platform.NotifiableStates {
			if code == platform.OrderWaitOutGuarantee {
				for j := f.Index(); j < i; j++ {
					toWaitOut = append(toWaitOut, "down")
				}
			}
		}
	})
	d.keys(toWaitOut...)
	d.keys("tab", "ctrl+u", "text:1200.00", "enter", "enter", "enter")
	d.waitFor("the confirmation", func(m *Model) bool { a, ok := m.pc.Top().(*action.View); return ok && a.State() == action.StateConfirm })
	d.keys("y")
	d.waitFor("the platform's answer", func(m *Model) bool { a, ok := m.pc.Top().(*action.View); return ok && a.State() == action.StateResult })
	assertNoError(t, d)
	d.keys("esc")
	o, err := db.GetOrder(ctx, orderNo)
	if err != nil || o.OrderStatus != platform.OrderWaitOutGuarantee || o.OrderAmount != "1200.00" {
		t.Fatalf("after 2.3: order %+v, %v", o, err)
	}

	// 2.5: push the guarantee with a checked PDF.
	d.waitFor("the order selected again", func(m *Model) bool {
		s := m.todo.Selection()
		return s != nil && s.Key == orderNo && s.Order.OrderStatus == platform.OrderWaitOutGuarantee
	})
	d.keys("p", "text:G-DAY-0001", "tab", "text:"+pdf, "enter", "enter", "enter")
	d.waitFor("the push confirmation", func(m *Model) bool {
		a, ok := m.pc.Top().(*action.View)
		return ok && a.State() == action.StateConfirm && a.Prepared().Report != nil && a.Prepared().Blocked == ""
	})
	if v := d.view(); !strings.Contains(v, "PDF检查：") || !strings.Contains(v, "SHA-256：") || !strings.Contains(v, "guarantee_pdf_hash") {
		t.Fatalf("push confirmation does not show the check and the hash:\n%s", v)
	}
	d.keys("y")
	d.waitFor("the push's answer", func(m *Model) bool { a, ok := m.pc.Top().(*action.View); return ok && a.State() == action.StateResult })
	assertNoError(t, d)
	d.keys("esc")
	g, err := db.GetGuarantee(ctx, "G-DAY-0001")
	if err != nil || g.SerialNum == "" || g.PushedAt == 0 {
		t.Fatalf("after 2.5: guarantee %+v, %v", g, err)
	}
	sha, _, err := pdfsign.HashFile(pdf)
	if err != nil || g.PDFSHA256 != sha {
		t.Fatalf("pushed PDF hash %s, file %s (%v)", g.PDFSHA256, sha, err)
	}

	// 2.8: the block is revoked; 2.9: the clerk releases the guarantee.
	_, del, err = sb.Revoke(ctx, sandbox.RevokeSpec{BlockNumber: o.BlockNumber, Note: "已定标",
		Declaration: sandbox.DeclarationPDF(o.BlockNumber, o.Creditor)})
	if err != nil {
		t.Fatal(err)
	}
	if !mean {
		if err := del.Wait(ctx); err != nil {
			t.Fatalf("deliver guarantee_release: %v", err)
		}
	} else {
		// The batch names a guarantee we never issued: held, shown in 待办,
		// and accepted by the clerk after checking with the platform.
		var held []store.Held
		d.waitFor("the held revocation in 待办", func(m *Model) bool {
			held, _ = db.ListHeld(ctx, store.HeldQuery{State: store.HeldHeld})
			return len(held) == 1 && m.todo.Pending() != nil && m.todo.Pending().HeldTotal == 1
		})
		if v := d.view(); !strings.Contains(v, "暂存的回调") || !strings.Contains(v, "保函撤销（2.8）") {
			t.Fatalf("the held revocation is not on the screen:\n%s", v)
		}
		if _, err := lis.DecideHeld(ctx, held[0].ID, true, "平台确认名单多列了别家保函，本公司保函照撤"); err != nil {
			t.Fatal(err)
		}
	}
	d.keys("4")
	d.waitFor("the revocation listed", func(m *Model) bool {
		s := m.panes[m.active].Selection()
		return s != nil && s.Kind == common.KindRevocation && s.Revocation.BlockNumber == o.BlockNumber
	})
	d.keys("l")
	d.waitFor("the release form", func(m *Model) bool {
		a, ok := m.pc.Top().(*action.View)
		return ok && a.Form().Values()["guarantees"] == "G-DAY-0001"
	})
	d.keys("enter", "enter")
	d.waitFor("the release confirmation", func(m *Model) bool { a, ok := m.pc.Top().(*action.View); return ok && a.State() == action.StateConfirm })
	d.keys("y")
	d.waitFor("the release's answer", func(m *Model) bool { a, ok := m.pc.Top().(*action.View); return ok && a.State() == action.StateResult })
	assertNoError(t, d)
	d.keys("esc")
	if mean {
		// The answer's error_total counted an empty {}: the release is in
		// doubt, nothing is marked released; the clerk releases again and
		// the platform answers with a string data (success).
		if g, _ := db.GetGuarantee(ctx, "G-DAY-0001"); g.ReleasedAt != 0 {
			t.Fatal("released locally though an error of the answer names no item")
		}
		d.keys("l")
		d.waitFor("the release form again", func(m *Model) bool {
			a, ok := m.pc.Top().(*action.View)
			return ok && a.Form().Values()["guarantees"] == "G-DAY-0001"
		})
		d.keys("enter", "enter")
		d.waitFor("the release confirmation", func(m *Model) bool { a, ok := m.pc.Top().(*action.View); return ok && a.State() == action.StateConfirm })
		d.keys("y")
		d.waitFor("the release's answer", func(m *Model) bool { a, ok := m.pc.Top().(*action.View); return ok && a.State() == action.StateResult })
		assertNoError(t, d)
		d.keys("esc")
	}
	g, err = db.GetGuarantee(ctx, "G-DAY-0001")
	if err != nil || g.ReleasedAt == 0 || g.ReleaseStatus != store.ReleaseDone {
		t.Fatalf("after 2.9: guarantee %+v, %v", g, err)
	}

	// 3.1: a claim arrives; 3.2: the clerk accepts it (受理/通过).
	claim, del, err := sb.ApplyClaim(ctx, "G-DAY-0001")
	if err != nil {
		t.Fatal(err)
	}
	if err := del.Wait(ctx); err != nil {
		t.Fatalf("deliver apply_claim: %v", err)
	}
	claimNo := string(claim.ClaimNo)
	d.keys("5")
	d.waitFor("the claim listed and rung", func(m *Model) bool {
		s := m.panes[m.active].Selection()
		return s != nil && s.Key == claimNo && m.pc.NewRefs[claimNo] && m.pc.Bells >= 2
	})
	d.keys("a")
	d.waitFor("the claim form", func(m *Model) bool { _, ok := m.pc.Top().(*action.View); return ok })
	d.keys("down", "tab", "text:材料齐全，同意受理", "enter") // down: 受理：通过 (the form starts on no choice)
	d.waitFor("the claim confirmation", func(m *Model) bool { a, ok := m.pc.Top().(*action.View); return ok && a.State() == action.StateConfirm })
	d.keys("y")
	d.waitFor("the claim's answer", func(m *Model) bool { a, ok := m.pc.Top().(*action.View); return ok && a.State() == action.StateResult })
	assertNoError(t, d)
	d.keys("esc")

	// The store at the end of the day.
	c, err := db.GetClaim(ctx, claimNo)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Results) != 1 || c.Results[0].DoType != 1 || c.Results[0].Status != 1 || c.Results[0].Note != "材料齐全，同意受理" {
		t.Fatalf("claim results %+v", c.Results)
	}
	if len(c.Attachments) == 0 || c.GuaranteePDFSHA256 == "" {
		t.Fatalf("claim files not kept: %+v", c)
	}
	for _, m := range []string{platform.MethodNotifyOrderStatus, platform.MethodPushGuarantee, platform.MethodRemoveGuarantee, platform.MethodUpdateClaimResult} {
		want := 1
		if mean && m == platform.MethodRemoveGuarantee {
			want = 2
		}
		if n := sb.CountCalls(m); n != want {
			t.Errorf("the platform got %d %s calls, want %d", n, m, want)
		}
	}
	if mean {
		// A claim for a guarantee the platform believes in but we never
		// issued: held; the clerk dismisses it.
		sb.PutGuarantee(sandbox.Guarantee{GuaranteeNo: "G-NOT-OURS", SerialNum: "806097210890990009", BlockNumber: o.BlockNumber,
			BlockName: o.BlockName, Principal: "外地某某建设工程有限公司", Creditor: o.Creditor})
		if _, _, err := sb.ApplyClaim(ctx, "G-NOT-OURS"); err != nil {
			t.Fatal(err)
		}
		var held []store.Held
		d.waitFor("the held claim", func(*Model) bool {
			held, _ = db.ListHeld(ctx, store.HeldQuery{State: store.HeldHeld})
			return len(held) == 1 && held[0].Method == platform.CallbackApplyClaim
		})
		if _, err := lis.DecideHeld(ctx, held[0].ID, false, "非本公司保函"); err != nil {
			t.Fatal(err)
		}
	}
	agree(t, ctx, db, sb, mean)
	evs, err := db.ListEvents(ctx, store.EventQuery{Kind: store.KindCall, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) < 4 {
		t.Errorf("%d calls in the journal, want at least 4", len(evs))
	}
	if os.Getenv("DAY_SCREEN") != "" {
		t.Log("\n" + d.view())
	}
}

// agree checks that the store and the sandbox's own records agree, order
// by order and guarantee by guarantee; what the sandbox has that we never
// issued must be in a held callback.
func agree(t *testing.T, ctx context.Context, db *store.Store, sb *sandbox.Server, mean bool) {
	t.Helper()
	for _, so := range sb.Orders() {
		o, err := db.GetOrder(ctx, string(so.OrderNo))
		if err != nil || o.OrderStatus != so.Status() {
			t.Errorf("order %s: store %q (%v), sandbox %q", so.OrderNo, o.OrderStatus, err, so.Status())
		}
	}
	ours := 0
	for _, sg := range sb.Guarantees() {
		g, err := db.GetGuarantee(ctx, sg.GuaranteeNo)
		if errors.Is(err, store.ErrNotFound) {
			if sg.GuaranteeNo != "G-NOT-OURS" {
				t.Errorf("guarantee %s is on the platform only", sg.GuaranteeNo)
			}
			continue
		}
		ours++
		if err != nil || g.SerialNum != sg.SerialNum || (g.ReleasedAt != 0) != sg.Released || g.PDFSHA256 != sg.PDFHash {
			t.Errorf("guarantee %s: store %+v (%v), sandbox %+v", sg.GuaranteeNo, g, err, sg)
		}
	}
	if ours != 1 {
		t.Errorf("%d of our guarantees on the platform, want 1", ours)
	}
	for _, sr := range sb.Revocations() {
		r, err := db.GetRevocation(ctx, sr.RevokeNo)
		n := len(sr.Data.CurrentRevokeData) + len(sr.Data.RevokeSuccessData) + len(sr.Data.PenaltyData)
		if err != nil || len(r.Items) != n {
			t.Errorf("revocation %s: store %d items (%v), sandbox %d", sr.RevokeNo, len(r.Items), err, n)
		}
	}
	for _, sc := range sb.Claims() {
		c, err := db.GetClaim(ctx, string(sc.ClaimNo))
		if string(sc.GuaranteeNo) == "G-NOT-OURS" {
			if err == nil {
				t.Errorf("the claim %s for a guarantee we never issued is a record", sc.ClaimNo)
			}
			continue
		}
		if err != nil || c.Status != string(sc.Status) {
			t.Errorf("claim %s: store %q (%v), sandbox %q", sc.ClaimNo, c.Status, err, sc.Status)
		}
	}
	held, err := db.ListHeld(ctx, store.HeldQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	if mean {
		want = 2 // the revocation (accepted) and the claim (dismissed)
	}
	if len(held) != want {
		t.Errorf("%d held callbacks listed, want %d: %+v", len(held), want, held)
	}
	for _, h := range held {
		if h.State == store.HeldHeld {
			t.Errorf("held callback %d undecided", h.ID)
		}
	}
}

// assertNoError fails when the action ended with an error.
func assertNoError(t *testing.T, d *desk) {
	t.Helper()
	var msg string
	d.inspect(func(m *Model) {
		if a, ok := m.pc.Top().(*action.View); ok {
			if _, err := a.Result(); err != nil {
				msg = err.Error()
			}
		}
	})
	if msg != "" {
		t.Fatalf("action failed: %s\n%s", msg, d.view())
	}
}

// dayEnv is the platform simulated over loopback and the guarantor's side
// against it (sandboxtest.New: store, client, workflows) with the real
// listener serving the sandbox's callbacks. Everything stops when the test
// ends.
type dayEnv struct {
	*sandboxtest.Env
	lis *listener.Server
}

func startDay(t *testing.T, opts ...func(*sandbox.Options)) *dayEnv {
	t.Helper()
	var so []sandboxtest.Option
	for _, f := range opts {
		so = append(so, sandboxtest.WithSandbox(f))
	}
	e := sandboxtest.New(t, so...)
	cfg := e.Config
	lis := listener.New(listener.Config{
		APISecret: cfg.Platform.APISecret, PrivateKey: cfg.PrivateKey, Apply: cfg.Apply,
		PDF: pdfsign.Options{Timeout: 20 * time.Second}, Fetcher: e.Workflows,
	}, e.Store)
	ln := e.Listener
	go func() {
		if err := lis.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("listener: %v", err)
		}
	}()
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = lis.Shutdown(sctx)
	})
	return &dayEnv{Env: e, lis: lis}
}
