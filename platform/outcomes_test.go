package platform_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/platform/sandbox/sandboxtest"
	"baohan/store"
)

// withCancelOnAnswer gives the workflows a client whose transport cancels
// ctx when the first answer has come, and returns that ctx. The token is
// fetched first and shared through the store, so the first request of the
// new client is the business call.
func (e *wfEnv) withCancelOnAnswer(t *testing.T) (context.Context, *afterAnswer) {
	t.Helper()
	if _, _, err := e.wf.Client.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	tr := &afterAnswer{hook: cancel} // the desk quitting, or Ctrl-C, as the answer arrives
	e.wf.Client = platform.NewClient(e.cfg, e.st, &http.Client{Transport: tr})
	return ctx, tr
}

// TestOutcomeRecordedPastCancellation (issue 20, item 3): once the
// platform has answered, the records the answer implies are written even
// though the caller's context is cancelled at that very moment (the desk
// quits, Ctrl-C): a push keeps its serial and pushed, a status notice and
// a cancellation the order's state, a release the released mark. On the
// base commit these writes shared the caller's cancellation and were lost
// while the attempt was recorded as done, so reconcile found nothing.
func TestOutcomeRecordedPastCancellation(t *testing.T) {
	t.Run("2.5 push", func(t *testing.T) {
		e := newWFEnv(t, 10*time.Second)
		p := e.planPush(t, "BH-Q1")
		ctx, tr := e.withCancelOnAnswer(t)
		_, _ = e.wf.Execute(ctx, p)
		if !tr.fired {
			t.Fatal("the answer did not come")
		}
		pg, ok := e.sb.Guarantee("BH-Q1")
		if !ok {
			t.Fatal("the platform did not take the push")
		}
		g, err := e.st.GetGuarantee(context.Background(), "BH-Q1")
		if err != nil || g.SerialNum != pg.SerialNum || g.PushedAt == 0 {
			t.Fatalf("guarantee %+v (%v), platform serial %s", g, err, pg.SerialNum)
		}
		if o, _ := e.st.GetOrder(context.Background(), e.orderNo); o.OrderStatus != platform.OrderHasOutGuarantee {
			t.Errorf("order %s", o.OrderStatus)
		}
		assertNoUnresolved(t, e)
	})
	t.Run("2.3 notify", func(t *testing.T) {
		e := newWFEnv(t, 10*time.Second)
		no := e.addOrder(t, "WAIT_FIRST_TRAIL")
		p, err := e.wf.PlanNotifyStatus(context.Background(), platform.StatusInput{OrderNo: no, Status: "WAIT_PAY"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, tr := e.withCancelOnAnswer(t)
		_, _ = e.wf.Execute(ctx, p)
		if !tr.fired {
			t.Fatal("the answer did not come")
		}
		if o, _ := e.sb.Order(no); string(o.OrderStatus) != "WAIT_PAY" {
			t.Fatalf("platform order %s", o.OrderStatus)
		}
		if o, _ := e.st.GetOrder(context.Background(), no); o.OrderStatus != "WAIT_PAY" {
			t.Errorf("order %s, the platform has %s", o.OrderStatus, "WAIT_PAY")
		}
		assertNoUnresolved(t, e)
	})
	t.Run("2.11 cancel", func(t *testing.T) {
		e := newWFEnv(t, 10*time.Second)
		p, err := e.wf.PlanCancelOrder(context.Background(), e.orderNo, "投标人放弃投标")
		if err != nil {
			t.Fatal(err)
		}
		ctx, tr := e.withCancelOnAnswer(t)
		_, _ = e.wf.Execute(ctx, p)
		if !tr.fired {
			t.Fatal("the answer did not come")
		}
		if o, _ := e.st.GetOrder(context.Background(), e.orderNo); o.OrderStatus != platform.OrderCancel {
			t.Errorf("order %s, the platform cancelled it", o.OrderStatus)
		}
		assertNoUnresolved(t, e)
	})
	t.Run("3.2 claim result", func(t *testing.T) {
		e := newWFEnv(t, 10*time.Second)
		ctx := context.Background()
		if _, err := e.wf.Execute(ctx, e.planPush(t, "BH-Q3")); err != nil {
			t.Fatal(err)
		}
		c, d, err := e.sb.ApplyClaim(ctx, "BH-Q3")
		if err != nil {
			t.Fatal(err)
		}
		<-d.Done() // no listener here: the claim is stored by hand
		if err := e.st.Update(ctx, func(tx *store.Tx) error {
			return tx.PutClaim(store.Claim{ClaimNo: string(c.ClaimNo), Status: store.ClaimApplyWaitDeal, GuaranteeNo: "BH-Q3",
				Principal: string(c.Principal), Creditor: string(c.Creditor), Guarantor: string(c.Guarantor),
				BlockNumber: string(c.BlockNumber), BlockName: string(c.BlockName), ClaimAmount: string(c.ClaimAmount)})
		}); err != nil {
			t.Fatal(err)
		}
		p, err := e.wf.PlanClaimResult(ctx, platform.ClaimResultInput{ClaimNo: string(c.ClaimNo), DoType: "1", Status: "1", Note: "经审核"})
		if err != nil {
			t.Fatal(err)
		}
		cctx, tr := e.withCancelOnAnswer(t)
		_, _ = e.wf.Execute(cctx, p)
		if !tr.fired {
			t.Fatal("the answer did not come")
		}
		if got, _ := e.sb.Claim(string(c.ClaimNo)); got.Status != platform.ClaimDealPass {
			t.Fatalf("platform claim %s", got.Status)
		}
		if got, _ := e.st.GetClaim(ctx, string(c.ClaimNo)); got.Status != platform.ClaimDealPass {
			t.Errorf("claim %s, the platform took 受理通过", got.Status)
		}
		assertNoUnresolved(t, e)
	})
	t.Run("2.9 release", func(t *testing.T) {
		e := newWFEnv(t, 10*time.Second)
		if _, err := e.wf.Execute(context.Background(), e.planPush(t, "BH-Q2")); err != nil {
			t.Fatal(err)
		}
		g, _ := e.st.GetGuarantee(context.Background(), "BH-Q2")
		rev, _, err := e.sb.Revoke(context.Background(), sandbox.RevokeSpec{BlockNumber: g.BlockNumber})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.Update(context.Background(), func(tx *store.Tx) error {
			return tx.PutRevocation(store.Revocation{RevokeNo: rev.RevokeNo, BlockNumber: g.BlockNumber, BlockName: g.BlockName,
				Creditor: g.Creditor, Items: []store.RevocationItem{{List: store.ListCurrent, GuaranteeNo: g.GuaranteeNo, SerialNum: g.SerialNum, Principal: g.Principal}}})
		}); err != nil {
			t.Fatal(err)
		}
		plans, err := e.wf.PlanRelease(context.Background(), []string{"BH-Q2"}, "")
		if err != nil {
			t.Fatal(err)
		}
		ctx, tr := e.withCancelOnAnswer(t)
		_, _ = e.wf.Execute(ctx, plans[0])
		if !tr.fired {
			t.Fatal("the answer did not come")
		}
		if pg, _ := e.sb.Guarantee("BH-Q2"); !pg.Released {
			t.Fatal("the platform did not release")
		}
		if g, _ := e.st.GetGuarantee(context.Background(), "BH-Q2"); g.ReleasedAt == 0 {
			t.Error("released on the platform, not recorded")
		}
		assertNoUnresolved(t, e)
	})
}

func assertNoUnresolved(t *testing.T, e *wfEnv) {
	t.Helper()
	atts, err := e.st.Unresolved(context.Background())
	if err != nil || len(atts) != 0 {
		t.Errorf("unresolved attempts %+v %v", atts, err)
	}
}

// releaseEnv is a pushed guarantee, revoked on both sides, ready for 2.9.
func releaseEnv(t *testing.T, no string, opts ...func(*sandbox.Options)) *wfEnv {
	t.Helper()
	e := newWFEnv(t, 10*time.Second, opts...)
	if _, err := e.wf.Execute(context.Background(), e.planPush(t, no)); err != nil {
		t.Fatal(err)
	}
	g, _ := e.st.GetGuarantee(context.Background(), no)
	rev, _, err := e.sb.Revoke(context.Background(), sandbox.RevokeSpec{BlockNumber: g.BlockNumber, Current: []string{no}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.Update(context.Background(), func(tx *store.Tx) error {
		return tx.PutRevocation(store.Revocation{RevokeNo: rev.RevokeNo, BlockNumber: g.BlockNumber, BlockName: g.BlockName,
			Creditor: g.Creditor, Items: []store.RevocationItem{{List: store.ListCurrent, GuaranteeNo: g.GuaranteeNo, SerialNum: g.SerialNum, Principal: g.Principal}}})
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *wfEnv) release(t *testing.T, no string) *platform.Result {
	t.Helper()
	plans, err := e.wf.PlanRelease(context.Background(), []string{no}, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.wf.Execute(context.Background(), plans[0])
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestReleaseInDoubt (issue 20, item 9): a 2.9 answer whose errors include
// one that names no item (the manual's own empty {}) leaves the release in
// doubt: never counted as refused, kept as 解保结果不明 in 待办 with the
// action, 2.10 answering 4 meanwhile; releasing again settles it. On the
// base commit it was counted as "被平台拒绝" and nothing kept the doubt.
func TestReleaseInDoubt(t *testing.T) {
	ctx := context.Background()
	e := releaseEnv(t, "BH-D1", func(o *sandbox.Options) { o.Mean = true })
	res := e.release(t, "BH-D1")
	if strings.Contains(res.Summary, "拒绝") || !strings.Contains(res.Summary, "结果不明") || res.InDoubt != 1 || res.Refused != 0 {
		t.Errorf("first release: %+v", res)
	}
	g, _ := e.st.GetGuarantee(ctx, "BH-D1")
	if g.ReleasedAt != 0 || g.ReleaseDoubtAt == 0 || g.ReleaseStatus != platform.ReleaseAwaiting {
		t.Fatalf("after a release in doubt: %+v", g)
	}
	p, err := e.st.Pending(ctx, 10)
	if err != nil || len(p.Releases) != 1 || p.Releases[0].GuaranteeNo != "BH-D1" || p.Releases[0].DoubtAt == 0 {
		t.Fatalf("待办 releases %+v %v", p.Releases, err)
	}
	if code, _, _ := e.st.ReleaseStatus(ctx, "BH-D1", g.SerialNum); code != platform.ReleaseAwaiting {
		t.Errorf("2.10 code %d while in doubt", code)
	}
	// Releasing again: the sandbox answers a string data (the whole call
	// succeeded): settled as released.
	res = e.release(t, "BH-D1")
	if res.Released != 1 || res.InDoubt != 0 {
		t.Errorf("second release: %+v", res)
	}
	if g, _ := e.st.GetGuarantee(ctx, "BH-D1"); g.ReleasedAt == 0 || g.ReleaseDoubtAt != 0 {
		t.Errorf("after the second release: %+v", g)
	}
}

// TestReleaseSettleByError (issue 20, item 9): an error that names the
// item and says it is released already settles it as released; one naming
// another reason as refused (protocol.md 2.9).
func TestReleaseSettleByError(t *testing.T) {
	one := func(msg string) *platform.RemoveResult {
		var r platform.RemoveResult
		r.Error.ErrorTotal = 1
		var e platform.RemoveError
		e.ErrorMsg = platform.Str(msg)
		e.ErrorInfo.GuaranteeNo = "BH-S1"
		r.Error.Data = []platform.RemoveError{e}
		return &r
	}
	items := []platform.RemoveItem{{GuaranteeNo: "BH-S1", SerialNum: "806097210890174001"}, {GuaranteeNo: "BH-S2", SerialNum: "806097210890174002"}}
	for _, c := range []struct {
		msg  string
		want int
	}{{"该保函已解保", platform.ReleaseOutcomeDone}, {"该保函已被罚没，不能解保", platform.ReleaseOutcomeRefused}} {
		got := platform.RemoveOutcome(items, one(c.msg))
		if got["BH-S1"] != c.want || got["BH-S2"] != platform.ReleaseOutcomeDone {
			t.Errorf("%q: %v", c.msg, got)
		}
	}
	var empty platform.RemoveResult
	empty.Error.ErrorTotal = 1
	empty.Error.Data = []platform.RemoveError{{}}
	if got := platform.RemoveOutcome(items, &empty); got["BH-S1"] != platform.ReleaseOutcomeInDoubt || got["BH-S2"] != platform.ReleaseOutcomeInDoubt {
		t.Errorf("an empty {}: %v", got)
	}
}

// TestPushSendsPeriodAndItem (issue 20, item 10): an order whose 2.1 left
// the guarantee period out is pushed with the period computed as 2.7
// answers it (start = the bid deadline's date, end = start + valid_day +
// 28 days), guarantee_item as 2.7's proitem, and the file as
// application/pdf (the sandbox refuses another type). On the base commit
// the period went empty and guarantee_item was the project type.
func TestPushSendsPeriodAndItem(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	o, _ := e.st.GetOrder(ctx, e.orderNo)
	if o.GuaranteeStartDate != "" || o.GuaranteeEndDate != "" {
		t.Fatalf("fixture has a period: %+v", o)
	}
	if _, err := e.wf.Execute(ctx, e.planPush(t, "BH-P1")); err != nil {
		t.Fatal(err)
	}
	pg, _ := e.sb.Guarantee("BH-P1")
	start, end := platform.GuaranteePeriod(o)
	dl, _ := platform.ParseDeadline(o.BidDeadline)
	days, _ := strconv.Atoi(o.ValidDay)
	if start != dl.Format(platform.DateLayout) || end != dl.AddDate(0, 0, days+28).Format(platform.DateLayout) {
		t.Fatalf("period %s..%s for deadline %s, valid_day %s", start, end, o.BidDeadline, o.ValidDay)
	}
	if pg.GuaranteeStartDate != start || pg.GuaranteeEndDate != end {
		t.Errorf("pushed period %s..%s, want %s..%s", pg.GuaranteeStartDate, pg.GuaranteeEndDate, start, end)
	}
	if pg.GuaranteeItem != platform.GuaranteeItem(o.BlockName) || !strings.HasSuffix(pg.GuaranteeItem, "投标保证") {
		t.Errorf("guarantee_item %q", pg.GuaranteeItem)
	}
}

// TestMeanLosesAnswersAfterActing (issue 20, item 11): the mean sandbox
// carries out every third state-changing call of a method and loses its
// answer; the call is 结果未知 and reconcile finds it took effect.
func TestMeanLosesAnswersAfterActing(t *testing.T) {
	e := newWFEnv(t, 10*time.Second, func(o *sandbox.Options) { o.Mean = true })
	ctx := context.Background()
	var lost string
	for i := range sandbox.MeanLoseEvery {
		no := e.addOrder(t, "WAIT_FIRST_TRAIL")
		err := e.notify(t, no, "WAIT_PAY")
		switch {
		case i < sandbox.MeanLoseEvery-1 && err != nil:
			t.Fatalf("call %d: %v", i+1, err)
		case i == sandbox.MeanLoseEvery-1:
			if !platform.OutcomeUnknown(err) {
				t.Fatalf("call %d: %v, want its answer lost", i+1, err)
			}
			lost = no
		}
	}
	if o, _ := e.sb.Order(lost); string(o.OrderStatus) != "WAIT_PAY" {
		t.Fatalf("the platform did not act: %s", o.OrderStatus)
	}
	rs, err := e.wf.Reconcile(ctx)
	if err != nil || len(rs) != 1 || rs[0].State != store.AttemptOK {
		t.Fatalf("reconcile %+v %v", rs, err)
	}
}

// TestTokenRenewalSharedBetweenProcesses (issue 20, item 13): two
// processes (two store handles on one folder, two clients) share the
// token. When the platform answers 1006, the first renews; the second,
// answered 1006 with the old token too, reads the store first and takes
// the renewed token instead of asking for another (which would void the
// first's). On the base commit both renewed.
func TestTokenRenewalSharedBetweenProcesses(t *testing.T) {
	env := sandboxtest.New(t, sandboxtest.WithoutListener(), sandboxtest.WithSandbox(func(o *sandbox.Options) { o.CallbackBase = "" }))
	ctx := context.Background()
	st2, err := store.Open(env.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	cfg := platform.ClientConfigFrom(env.Config)
	a := platform.NewClient(cfg, env.Store, nil)
	b := platform.NewClient(cfg, st2, nil)
	o := env.Sandbox.GenerateOrder(sandbox.OrderSpec{})
	env.Sandbox.PutOrder(o)
	if _, _, err := a.GetGuaranteeInfo(ctx, string(o.OrderNo)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.GetGuaranteeInfo(ctx, string(o.OrderNo)); err != nil {
		t.Fatal(err)
	}
	if n := env.Sandbox.CountCalls(platform.MethodGetAccessToken); n != 1 {
		t.Fatalf("%d token calls: the second process did not take the stored token", n)
	}
	env.Sandbox.ExpireTokens()
	if _, _, err := a.GetGuaranteeInfo(ctx, string(o.OrderNo)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.GetGuaranteeInfo(ctx, string(o.OrderNo)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.GetGuaranteeInfo(ctx, string(o.OrderNo)); err != nil {
		t.Fatalf("the first process's token was voided: %v", err)
	}
	if n := env.Sandbox.CountCalls(platform.MethodGetAccessToken); n != 2 {
		t.Errorf("%d token calls, want 2 (one renewal for both processes)", n)
	}
}

// TestTokenTiedToAccount (issue 22, item 4): a token stored for one
// base_url and api_key is not used for another.
func TestTokenTiedToAccount(t *testing.T) {
	env := sandboxtest.New(t, sandboxtest.WithoutListener(), sandboxtest.WithSandbox(func(o *sandbox.Options) { o.CallbackBase = "" }))
	ctx := context.Background()
	cfg := platform.ClientConfigFrom(env.Config)
	tok, _, err := platform.NewClient(cfg, env.Store, nil).Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other := cfg
	other.BaseURL = strings.Replace(cfg.BaseURL, "127.0.0.1", "localhost", 1)
	tok2, _, err := platform.NewClient(other, env.Store, nil).Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok2 == tok || env.Sandbox.CountCalls(platform.MethodGetAccessToken) != 2 {
		t.Errorf("the token of %s was used for %s", cfg.BaseURL, other.BaseURL)
	}
}

// TestTokenTimeoutIsNotSent (issue 20, item 13): a get_access_token that
// times out leaves the business call not sent (failed), never 结果未知:
// nothing needs reconciling.
func TestTokenTimeoutIsNotSent(t *testing.T) {
	e := newWFEnv(t, 300*time.Millisecond)
	ctx := context.Background()
	no := e.addOrder(t, "WAIT_FIRST_TRAIL")
	e.sb.InjectFault(platform.MethodGetAccessToken, sandbox.Delay(2*time.Second))
	err := e.notify(t, no, "WAIT_PAY")
	if err == nil || platform.OutcomeUnknown(err) {
		t.Fatalf("token timeout: %v", err)
	}
	if atts, _ := e.st.Unresolved(ctx); len(atts) != 0 {
		t.Errorf("unresolved %+v", atts)
	}
	atts, _ := e.st.AttemptsFor(ctx, no, 10)
	if len(atts) != 1 || atts[0].State != store.AttemptFailed {
		t.Errorf("attempts %+v", atts)
	}
	if n := e.sb.CountCalls(platform.MethodNotifyOrderStatus); n != 0 {
		t.Errorf("%d notify calls reached the platform", n)
	}
}
