package platform_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"baohan/listener"
	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/platform/sandbox/sandboxtest"
	"baohan/store"
)

// TestWholeDayMean (issue 20, Done when): a day of the firm's work against
// the mean sandbox, with the real listener over loopback: new orders whose
// 2.1 comes again with other content, repeats re-signed, late 2.4 retries,
// revocations naming a guarantee we never issued (held, then accepted),
// answers lost after the platform acted (every third state-changing call),
// 2.9 answers in doubt, and the desk quitting in the middle of a push (its
// context cancelled as the answer arrives). Everything in doubt is settled
// the way the clerk would (reconcile; release again). At the end the store
// and the sandbox agree guarantee by guarantee: pushed, serial, released.
func TestWholeDayMean(t *testing.T) {
	if testing.Short() {
		t.Skip("a whole day: not with -short")
	}
	env := sandboxtest.New(t, sandboxtest.WithSandbox(func(o *sandbox.Options) {
		o.Mean = true
		o.RetrySchedule = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond}
	}))
	ctx := context.Background()
	st, sb, wf := env.Store, env.Sandbox, env.Workflows
	srv := listener.New(listener.Config{APISecret: env.Keys.APISecret, PrivateKey: env.Keys.GuarantorKey,
		Apply: env.Config.Apply, Fetcher: wf, Logger: slog.New(slog.DiscardHandler)}, st)
	hs := &http.Server{Handler: srv.Handler()}
	go func() { _ = hs.Serve(env.Listener) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		_ = hs.Close()
	})
	cfg := platform.ClientConfigFrom(env.Config)
	reconcile := func() {
		t.Helper()
		// The calls in doubt are old enough to reconcile (the desk's 对账).
		if _, err := wf.Reconcile(ctx); err != nil {
			t.Fatalf("reconcile: %v", err)
		}
	}
	// execute sends a plan as the clerk would: an answer lost is settled
	// by reconcile; a 2.9 in doubt or lost is released again.
	execute := func(p *platform.Plan) (*platform.Result, error) {
		t.Helper()
		res, err := wf.Execute(ctx, p)
		if platform.OutcomeUnknown(err) {
			reconcile()
			return nil, err
		}
		return res, err
	}
	const orders = 6
	var pushed []string
	for i := range orders {
		o, d := sb.NewOrder(ctx, sandbox.OrderSpec{})
		wait(t, d)
		no := string(o.OrderNo)
		settle(t, srv)
		for try := 0; ; try++ {
			p, err := wf.PlanNotifyStatus(ctx, platform.StatusInput{OrderNo: no, Status: platform.OrderWaitOutGuarantee, Amount: "300.00"})
			if err != nil {
				if lo, _ := st.GetOrder(ctx, no); lo.OrderStatus == platform.OrderWaitOutGuarantee {
					break // reconciled: the platform took it
				}
				t.Fatalf("order %s: %v", no, err)
			}
			if _, err := execute(p); err == nil {
				break
			} else if !platform.OutcomeUnknown(err) || try > 2 {
				t.Fatalf("notify %s: %v", no, err)
			}
			if lo, _ := st.GetOrder(ctx, no); lo.OrderStatus == platform.OrderWaitOutGuarantee {
				break
			}
		}
		settle(t, srv)
		gno := "BH-DAY-" + string(rune('A'+i))
		p, err := wf.PlanPush(ctx, platform.PushInput{OrderNo: no, GuaranteeNo: gno, PDFPath: signedPDF, Force: true})
		if err != nil {
			t.Fatalf("plan push %s: %v", gno, err)
		}
		if i == 1 {
			// The desk quits as the platform's answer arrives.
			qctx, cancel := context.WithCancel(ctx)
			tr := &afterAnswer{hook: cancel}
			saved := wf.Client
			if _, _, err := saved.Token(ctx); err != nil {
				t.Fatal(err)
			}
			wf.Client = platform.NewClient(cfg, st, &http.Client{Transport: tr})
			_, _ = wf.Execute(qctx, p)
			wf.Client = saved
			cancel()
		} else if _, err := execute(p); err != nil && !platform.OutcomeUnknown(err) {
			t.Fatalf("push %s: %v", gno, err)
		}
		pushed = append(pushed, gno)
	}
	reconcile()
	settle(t, srv)
	// Every guarantee is on both sides, pushed.
	for _, gno := range pushed {
		pg, ok := sb.Guarantee(gno)
		g, err := st.GetGuarantee(ctx, gno)
		if !ok || err != nil || g.PushedAt == 0 {
			t.Fatalf("%s: platform %v, store %+v %v", gno, ok, g, err)
		}
		if g.SerialNum != "" && g.SerialNum != pg.SerialNum {
			t.Fatalf("%s: serial %s, platform %s", gno, g.SerialNum, pg.SerialNum)
		}
	}
	// The beneficiary revokes every block; the mean platform adds a
	// guarantee we never issued: held, the clerk accepts it.
	for _, gno := range pushed {
		pg, _ := sb.Guarantee(gno)
		_, d, err := sb.Revoke(ctx, sandbox.RevokeSpec{BlockNumber: pg.BlockNumber, Current: []string{gno},
			Declaration: sandbox.DeclarationPDF(pg.BlockNumber, pg.Creditor)})
		if err != nil {
			t.Fatal(err)
		}
		<-d.Done()
	}
	held, err := st.ListHeld(ctx, store.HeldQuery{State: store.HeldHeld})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range held {
		if _, err := srv.DecideHeld(ctx, h.ID, true, "平台名单多列了别家保函，本公司保函照撤"); err != nil {
			t.Fatalf("accept held %d (%s): %v", h.ID, h.Reason, err)
		}
	}
	// Released, each until nothing is in doubt.
	for _, gno := range pushed {
		for try := 0; ; try++ {
			g, _ := st.GetGuarantee(ctx, gno)
			if g.ReleasedAt > 0 {
				break
			}
			if try > 4 {
				t.Fatalf("%s not released after %d tries: %+v", gno, try, g)
			}
			plans, err := wf.PlanRelease(ctx, []string{gno}, "")
			if err != nil {
				t.Fatalf("plan release %s: %v (guarantee %+v)", gno, err, g)
			}
			if _, err := execute(plans[0]); err != nil && !platform.OutcomeUnknown(err) {
				t.Fatalf("release %s: %v", gno, err)
			}
		}
	}
	reconcile()
	// The store and the sandbox agree, guarantee by guarantee.
	for _, gno := range pushed {
		pg, _ := sb.Guarantee(gno)
		g, _ := st.GetGuarantee(ctx, gno)
		if g.SerialNum != pg.SerialNum || (g.ReleasedAt > 0) != pg.Released || g.ReleaseDoubtAt != 0 {
			t.Errorf("%s: store serial %q released %v doubt %d; platform serial %q released %v",
				gno, g.SerialNum, g.ReleasedAt > 0, g.ReleaseDoubtAt, pg.SerialNum, pg.Released)
		}
	}
	t.Logf("day: %d held accepted; platform calls: %d notify, %d push, %d remove, %d 2.2, %d token",
		len(held), sb.CountCalls(platform.MethodNotifyOrderStatus), sb.CountCalls(platform.MethodPushGuarantee),
		sb.CountCalls(platform.MethodRemoveGuarantee), sb.CountCalls(platform.MethodGetGuaranteeInfo), sb.CountCalls(platform.MethodGetAccessToken))
	if len(held) == 0 || sb.CountCalls(platform.MethodRemoveGuarantee) <= orders {
		t.Errorf("the day was not mean: %d held, %d releases for %d guarantees", len(held), sb.CountCalls(platform.MethodRemoveGuarantee), orders)
	}
	if atts, _ := st.Unresolved(ctx); len(atts) != 0 {
		for _, a := range atts {
			t.Errorf("unresolved at the end of the day: %s %s %s", a.Method, a.Ref, a.State)
		}
	}
}

// settle runs the listener's 2.2 settles that are due (the serve loop's
// work), so that late 2.4 retries are checked.
func settle(t *testing.T, srv *listener.Server) {
	t.Helper()
	if _, err := srv.SettleOrders(context.Background()); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("settle: %v", err)
	}
}

func wait(t *testing.T, d *sandbox.Delivery) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Wait(ctx); err != nil {
		t.Fatalf("delivery %s: %v (answer %s)", d.Path(), err, d.Answer())
	}
}
