package platform_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/platform/sandbox/sandboxtest"
	"baohan/store"
)

// wfEnv is the workflows against the simulated platform, with an order the
// platform and the store both hold, waiting for its guarantee.
type wfEnv struct {
	sb      *sandbox.Server
	wf      *platform.Workflows
	st      *store.Store
	orderNo string
	cfg     platform.ClientConfig
}

func newWFEnv(t *testing.T, timeout time.Duration, opts ...func(*sandbox.Options)) *wfEnv {
	t.Helper()
	// No callbacks: these tests are about the calls the firm makes.
	env := sandboxtest.New(t, sandboxtest.WithoutListener(),
		sandboxtest.WithSandbox(func(o *sandbox.Options) {
			o.CallbackBase = ""
			for _, f := range opts {
				f(o)
			}
		}))
	sb, st := env.Sandbox, env.Store
	cfg := platform.ClientConfigFrom(env.Config)
	cfg.Timeout = timeout
	wf := env.Workflows
	wf.Client = platform.NewClient(cfg, st, nil)

	o := sb.GenerateOrder(sandbox.OrderSpec{Status: platform.OrderWaitOutGuarantee})
	sb.PutOrder(o)
	if err := st.Update(context.Background(), func(tx *store.Tx) error {
		return tx.UpsertOrder(store.Order{OrderNo: string(o.OrderNo), OrderStatus: platform.OrderWaitOutGuarantee,
			BlockNumber: string(o.BlockNumber), BlockName: string(o.BlockName), Principal: string(o.Principal),
			Creditor: string(o.Creditor), GuaranteeAmount: string(o.GuaranteeAmount), BidDeadline: string(o.BidDeadline), ValidDay: string(o.ValidDay)})
	}); err != nil {
		t.Fatal(err)
	}
	return &wfEnv{sb: sb, wf: wf, st: st, orderNo: string(o.OrderNo), cfg: cfg}
}

var signedPDF = filepath.Join("..", "testdata", "pdf", "signed.pdf")

func (e *wfEnv) planPush(t *testing.T, no string) *platform.Plan {
	t.Helper()
	p, err := e.wf.PlanPush(context.Background(), platform.PushInput{OrderNo: e.orderNo, GuaranteeNo: no, PDFPath: signedPDF})
	if err != nil {
		t.Fatalf("plan push: %v", err)
	}
	return p
}

func TestPushRecordsSerialExactly(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	p := e.planPush(t, "BH-1")
	if p.Report == nil || len(p.Report.SHA256) != 64 {
		t.Fatal("push plan carries no PDF report")
	}
	res, err := e.wf.Execute(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	pg, _ := e.sb.Guarantee("BH-1")
	g, err := e.st.GetGuarantee(ctx, "BH-1")
	if err != nil {
		t.Fatal(err)
	}
	if string(res.SerialNum) != pg.SerialNum || g.SerialNum != pg.SerialNum || len(g.SerialNum) < 16 {
		t.Fatalf("serial: result %s, store %s, platform %s", res.SerialNum, g.SerialNum, pg.SerialNum)
	}
	if g.PDFSHA256 != pg.PDFHash || g.PushedAt == 0 {
		t.Fatalf("guarantee record: %+v", g)
	}
	o, _ := e.st.GetOrder(ctx, e.orderNo)
	if o.OrderStatus != platform.OrderHasOutGuarantee {
		t.Fatalf("order status %s", o.OrderStatus)
	}
	if _, err := e.wf.PlanPush(ctx, platform.PushInput{OrderNo: e.orderNo, GuaranteeNo: "BH-1", PDFPath: signedPDF}); !platform.IsInputError(err) {
		t.Fatalf("second push of a pushed guarantee: %v", err)
	}
}

// 2428: the platform has the guarantee already. It is reconciled by
// fetching the order, never pushed twice.
func TestPush2428Reconciled(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	// The platform took a first push whose answer was lost; the clerk
	// pushes again and the platform answers 2428.
	e.sb.InjectFault(platform.MethodPushGuarantee, sandbox.Drop())
	plan := e.planPush(t, "BH-2")
	if _, err := e.wf.Execute(ctx, plan); !platform.OutcomeUnknown(err) {
		t.Fatalf("dropped answer: %v", err)
	}
	res, err := e.wf.Execute(ctx, e.planPush(t, "BH-2"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Reconciled {
		t.Fatalf("not reconciled: %+v", res)
	}
	if n := e.sb.CountCalls(platform.MethodPushGuarantee); n != 2 {
		t.Fatalf("%d pushes", n)
	}
	if n := e.sb.CountCalls(platform.MethodGetGuaranteeInfo); n != 1 {
		t.Fatalf("order fetched %d times", n)
	}
	g, _ := e.st.GetGuarantee(ctx, "BH-2")
	if g.PushedAt == 0 {
		t.Fatal("guarantee not marked pushed")
	}
}

// TestPush2428Taken (issue 9, item 4): 2428 while the platform does not show
// the order issued: the number is taken by something else; the guarantee is
// not marked pushed and the clerk is told to choose another number.
func TestPush2428Taken(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	e.sb.InjectFault(platform.MethodPushGuarantee, sandbox.StatusTimes(platform.StatusGuaranteeExists, 1))
	_, err := e.wf.Execute(ctx, e.planPush(t, "BH-2T"))
	if !platform.IsStatus(err, platform.StatusGuaranteeExists) || !strings.Contains(err.Error(), "换一个保函编号") {
		t.Fatalf("err %v", err)
	}
	if g, _ := e.st.GetGuarantee(ctx, "BH-2T"); g.PushedAt != 0 {
		t.Fatal("guarantee marked pushed though the platform's order is not issued")
	}
	if o, _ := e.st.GetOrder(ctx, e.orderNo); o.OrderStatus != platform.OrderWaitOutGuarantee {
		t.Fatalf("order %s", o.OrderStatus)
	}
	// Another number goes through.
	if _, err := e.wf.Execute(ctx, e.planPush(t, "BH-2U")); err != nil {
		t.Fatal(err)
	}
}

// The answer to a push is lost after the platform took it: the attempt is
// 结果未知; reconciling finds the order issued and never pushes again.
func TestPushOutcomeUnknownReconciled(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	e.sb.InjectFault(platform.MethodPushGuarantee, sandbox.Drop())
	_, err := e.wf.Execute(ctx, e.planPush(t, "BH-3"))
	if !platform.OutcomeUnknown(err) {
		t.Fatalf("dropped answer: %v", err)
	}
	atts, _ := e.st.Unresolved(ctx)
	if len(atts) != 1 || atts[0].Method != platform.MethodPushGuarantee || atts[0].State != store.AttemptUnknown {
		t.Fatalf("unresolved: %+v", atts)
	}
	rs, err := e.wf.Reconcile(ctx)
	if err != nil || len(rs) != 1 || rs[0].State != store.AttemptOK {
		t.Fatalf("reconcile: %+v %v", rs, err)
	}
	if atts, _ := e.st.Unresolved(ctx); len(atts) != 0 {
		t.Fatalf("still unresolved: %+v", atts)
	}
	g, _ := e.st.GetGuarantee(ctx, "BH-3")
	if g.PushedAt == 0 {
		t.Fatal("guarantee not marked pushed after reconciling")
	}
	if n := e.sb.CountCalls(platform.MethodPushGuarantee); n != 1 {
		t.Fatalf("%d pushes", n)
	}
}

// The platform is slow past the timeout: unknown, reconciled as not
// received, and the retry succeeds once.
func TestPushTimeoutThenRetry(t *testing.T) {
	e := newWFEnv(t, 300*time.Millisecond)
	ctx := context.Background()
	e.sb.InjectFault(platform.MethodPushGuarantee, sandbox.Delay(2*time.Second))
	if _, err := e.wf.Execute(ctx, e.planPush(t, "BH-4")); !platform.OutcomeUnknown(err) {
		t.Fatalf("slow platform: %v", err)
	}
	rs, err := e.wf.Reconcile(ctx)
	if err != nil || len(rs) != 1 {
		t.Fatalf("reconcile: %+v %v", rs, err)
	}
	want := store.AttemptFailed
	if o, _ := e.sb.Order(e.orderNo); o.Status() == platform.OrderHasOutGuarantee {
		want = store.AttemptOK // the slow platform took it in the end
	}
	if rs[0].State != want {
		t.Fatalf("reconciled as %s, want %s", rs[0].State, want)
	}
	if want == store.AttemptFailed {
		if _, err := e.wf.Execute(ctx, e.planPush(t, "BH-4")); err != nil {
			t.Fatalf("retry: %v", err)
		}
	}
	if pg, ok := e.sb.Guarantee("BH-4"); !ok || pg.SerialNum == "" {
		t.Fatal("guarantee not on the platform")
	}
}

func TestTokenRenewedOnceOn1006(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	if _, _, err := e.wf.Client.Token(ctx); err != nil {
		t.Fatal(err)
	}
	e.sb.InjectFault(platform.MethodGetGuaranteeInfo, sandbox.TokenExpiredOnce())
	if err := e.wf.RefreshOrder(ctx, e.orderNo); err != nil {
		t.Fatalf("refresh after 1006: %v", err)
	}
	if n := e.sb.CountCalls(platform.MethodGetAccessToken); n != 2 {
		t.Fatalf("%d token calls, want 2", n)
	}
	// Twice in a row: renewed once, then the refusal stands.
	e.sb.InjectFault(platform.MethodGetGuaranteeInfo, sandbox.StatusTimes(platform.StatusTokenExpired, 2))
	if err := e.wf.RefreshOrder(ctx, e.orderNo); !platform.IsStatus(err, platform.StatusTokenExpired) {
		t.Fatalf("1006 twice: %v", err)
	}
}

// The token is kept in the store: a second process reuses it.
func TestTokenSharedThroughStore(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	tok, _, err := e.wf.Client.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored, exp, err := e.st.Token(ctx)
	if err != nil || stored != tok || time.Until(time.Unix(exp, 0)) < time.Hour {
		t.Fatalf("stored token %q exp %d: %v", stored, exp, err)
	}
	if n := e.sb.CountCalls(platform.MethodGetAccessToken); n != 1 {
		t.Fatalf("%d token calls", n)
	}
}

func TestPlatformDownAndHTTP500(t *testing.T) {
	e := newWFEnv(t, 2*time.Second)
	ctx := context.Background()
	e.sb.InjectFault(platform.MethodGetGuaranteeInfo, sandbox.HTTP500())
	err := e.wf.RefreshOrder(ctx, e.orderNo)
	var te *platform.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("HTTP 500: %v", err)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String() + "/api/guarantor/v1/"
	ln.Close()
	client := platform.NewClient(platform.ClientConfig{BaseURL: dead, APIKey: "k", APISecret: "s", BtcID: 1,
		PlatformPublicKey: &mustKey(t).PublicKey, PublicKey: &mustKey(t).PublicKey, Timeout: time.Second}, nil, nil)
	_, _, err = client.Token(ctx)
	if !errors.As(err, &te) || te.Sent {
		t.Fatalf("platform down: %v (sent=%v)", err, te != nil && te.Sent)
	}
}

func mustKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	_, _, k, err := platform.GenerateKeyPair(1024)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestNotifyAndClaimRulesRefuseLocally(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	cases := []platform.StatusInput{
		{OrderNo: e.orderNo, Status: platform.OrderWaitOutGuarantee},
		{OrderNo: e.orderNo, Status: "WAIT_PAY", Withdraw: true},
		{OrderNo: e.orderNo, Status: "NOT_A_STATE"},
		{OrderNo: e.orderNo, Status: platform.OrderHasOutGuarantee},
		{OrderNo: e.orderNo, Status: "WAIT_PAY", Amount: "12.345"},
		{OrderNo: "unknown", Status: "WAIT_PAY"},
	}
	for _, in := range cases {
		if _, err := e.wf.PlanNotifyStatus(ctx, in); !platform.IsInputError(err) {
			t.Errorf("%+v: %v", in, err)
		}
	}
	if _, err := e.wf.PlanClaimResult(ctx, platform.ClaimResultInput{ClaimNo: "none", DoType: "1", Status: "1", Note: "x"}); !platform.IsInputError(err) {
		t.Errorf("unknown claim: %v", err)
	}
	if _, err := e.wf.PlanPush(ctx, platform.PushInput{OrderNo: e.orderNo, GuaranteeNo: "X", PDFPath: filepath.Join("..", "testdata", "pdf", "tampered.pdf")}); !platform.IsInputError(err) {
		t.Errorf("tampered PDF: %v", err)
	}
	if len(e.sb.Calls()) != 0 {
		t.Fatalf("calls sent by refused plans: %+v", e.sb.Calls())
	}
	if _, err := os.Stat(signedPDF); err != nil {
		t.Fatal(err)
	}
}

// TestClaimResultStateMachine (issue 9, item 6): 5.7 — 受理 first, 理赔 only
// after 受理通过, 追偿 only after 代偿; after each successful 3.2 the local
// claim takes the state the platform now has, so it leaves 待办 when it no
// longer waits for the guarantor.
func TestClaimResultStateMachine(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	if _, err := e.wf.Execute(ctx, e.planPush(t, "BH-C1")); err != nil {
		t.Fatal(err)
	}
	c, d, err := e.sb.ApplyClaim(ctx, "BH-C1")
	if err != nil {
		t.Fatal(err)
	}
	<-d.Done() // no listener here: the claim is stored by hand below
	if err := e.st.Update(ctx, func(tx *store.Tx) error {
		return tx.PutClaim(store.Claim{ClaimNo: string(c.ClaimNo), Status: store.ClaimApplyWaitDeal, GuaranteeNo: "BH-C1",
			Principal: string(c.Principal), Creditor: string(c.Creditor), Guarantor: string(c.Guarantor),
			BlockNumber: string(c.BlockNumber), BlockName: string(c.BlockName), ClaimAmount: string(c.ClaimAmount)})
	}); err != nil {
		t.Fatal(err)
	}
	no := string(c.ClaimNo)
	plan := func(doType, status string) (*platform.Plan, error) {
		return e.wf.PlanClaimResult(ctx, platform.ClaimResultInput{ClaimNo: no, DoType: doType, Status: status, Note: "经审核"})
	}
	for _, dt := range []string{"2", "3"} {
		if _, err := plan(dt, "1"); err == nil {
			t.Errorf("do_type %s allowed before 受理", dt)
		}
	}
	step := func(doType, status, want string) {
		t.Helper()
		p, err := plan(doType, status)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.wf.Execute(ctx, p); err != nil {
			t.Fatal(err)
		}
		got, _ := e.st.GetClaim(ctx, no)
		sbc, _ := e.sb.Claim(no)
		if got.Status != want || sbc.Status != platform.Str(want) {
			t.Fatalf("after %s/%s: local %s, platform %s, want %s", doType, status, got.Status, sbc.Status, want)
		}
	}
	step("1", "1", "DEAL_PASS")
	if p, _ := e.st.Pending(ctx, 10); p.ClaimsTotal != 1 {
		t.Errorf("a claim awaiting its result is not in 待办")
	}
	if _, err := plan("1", "1"); err == nil {
		t.Error("受理 allowed twice")
	}
	if _, err := plan("3", "1"); err == nil {
		t.Error("追偿 allowed before 代偿")
	}
	step("2", "2", "GUARANTOR_COMPENSATE")
	if p, _ := e.st.Pending(ctx, 10); p.ClaimsTotal != 0 {
		t.Errorf("a compensated claim stays in 待办")
	}
	step("3", "2", "JUDICIAL_LITIGATION_RECOVERY")
}

// TestJournalExact (issue 9, item 9): what exactly was pushed and what the
// platform said: the attempt keeps the exact signed plaintext (method,
// timestamp, btc_id and sign included, the sign verifying) and the answer
// body, and the journal's event shows both.
func TestJournalExact(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	res, err := e.wf.Execute(ctx, e.planPush(t, "BH-J1"))
	if err != nil {
		t.Fatal(err)
	}
	atts, err := e.st.AttemptsFor(ctx, "BH-J1", 10)
	if err != nil || len(atts) != 1 {
		t.Fatalf("attempts %+v %v", atts, err)
	}
	a := atts[0]
	f, err := platform.ParseFields([]byte(a.Plaintext))
	if err != nil {
		t.Fatalf("plaintext %q: %v", a.Plaintext, err)
	}
	for _, k := range []string{"method", "timestamp", "btc_id", "enter_institution_type", "sign", "guarantee_pdf_hash", "block_number", "applicant"} {
		if platform.FieldText(f[k]) == "" {
			t.Errorf("sent plaintext lacks %s: %s", k, a.Plaintext)
		}
	}
	if platform.FieldText(f["method"]) != platform.MethodPushGuarantee || !platform.VerifySign(e.cfg.APISecret, f) {
		t.Errorf("plaintext is not what was signed: %s", a.Plaintext)
	}
	if !strings.Contains(a.Response, string(res.SerialNum)) || !strings.Contains(a.Response, `"status":200`) {
		t.Errorf("answer not kept: %q (serial %s)", a.Response, res.SerialNum)
	}
	evs, _ := e.st.ListEvents(ctx, store.EventQuery{Kind: store.KindCall, Limit: 10})
	found := false
	for _, ev := range evs {
		if ev.Method == platform.MethodPushGuarantee && strings.Contains(ev.Detail, `"request"`) &&
			strings.Contains(ev.Detail, string(res.SerialNum)) && strings.Contains(ev.Detail, platform.FieldText(f["sign"])) {
			found = true
		}
	}
	if !found {
		t.Errorf("the journal does not show the call and its answer: %+v", evs)
	}
}

// TestTokenLifetime (issue 9, item 7): an expired_at under 10^9 is a
// lifetime in seconds (the mean sandbox answers so), not a 1970 date.
func TestTokenLifetime(t *testing.T) {
	keys := sandboxtest.Keys(t)
	opt := keys.Options()
	opt.Mean = true
	sb := sandbox.New(opt)
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	client := platform.NewClient(platform.ClientConfig{BaseURL: base, APIKey: keys.APIKey, APISecret: keys.APISecret,
		BtcID: keys.BtcID, PlatformPublicKey: &keys.PlatformKey.PublicKey, PublicKey: &keys.GuarantorKey.PublicKey, Timeout: 10 * time.Second}, nil, nil)
	_, exp, err := client.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 90*time.Minute || d > 3*time.Hour {
		t.Errorf("token expires %s (in %s)", exp, d)
	}
	now := time.Unix(1_800_000_000, 0)
	for _, c := range []struct{ in, want int64 }{{7200, 1_800_007_200}, {1_800_003_600, 1_800_003_600}, {0, 1_800_007_200}} {
		if got := platform.TokenExpiry(now, c.in); got != c.want {
			t.Errorf("TokenExpiry(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

// TestCancelFinished (issue 9, item 7): cancel_order is refused locally
// for an order that is 交易完成.
func TestCancelFinished(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	if err := e.st.Update(ctx, func(tx *store.Tx) error { return tx.SetOrderStatus(e.orderNo, platform.OrderFinish) }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.wf.PlanCancelOrder(ctx, e.orderNo, "投标人放弃"); err == nil || !strings.Contains(err.Error(), "交易完成") {
		t.Fatalf("err %v", err)
	}
}

// TestPushRefusals (issue 9, item 5; interface.md): refused unless --force:
// an unsigned PDF, one signed by someone other than [guarantor] name, one
// already pushed for another guarantee.
func TestPushRefusals(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	unsigned := filepath.Join(t.TempDir(), "unsigned.pdf")
	if err := os.WriteFile(unsigned, sandbox.MinimalPDF("投标保函", "no signature"), 0o600); err != nil {
		t.Fatal(err)
	}
	plan := func(no, pdf string, force bool) (*platform.Plan, error) {
		return e.wf.PlanPush(ctx, platform.PushInput{OrderNo: e.orderNo, GuaranteeNo: no, PDFPath: pdf, Force: force})
	}
	if _, err := plan("BH-R1", unsigned, false); err == nil || !strings.Contains(err.Error(), "没有电子签名") {
		t.Errorf("unsigned: %v", err)
	}
	if p, err := plan("BH-R1", unsigned, true); err != nil || len(p.Warnings) == 0 {
		t.Errorf("unsigned with --force: %v %+v", err, p)
	}
	e.wf.Guarantor = "另一家融资担保有限公司"
	if _, err := plan("BH-R1", signedPDF, false); err == nil || !strings.Contains(err.Error(), "不是本公司") {
		t.Errorf("other signer: %v", err)
	}
	e.wf.Guarantor = "福州某某融资担保有限公司"
	if _, err := e.wf.Execute(ctx, e.planPush(t, "BH-R2")); err != nil {
		t.Fatal(err)
	}
	// A second order, and the same file for another guarantee.
	o := e.sb.GenerateOrder(sandbox.OrderSpec{Status: platform.OrderWaitOutGuarantee})
	e.sb.PutOrder(o)
	if err := e.st.Update(ctx, func(tx *store.Tx) error {
		return tx.UpsertOrder(store.Order{OrderNo: string(o.OrderNo), OrderStatus: platform.OrderWaitOutGuarantee,
			Principal: string(o.Principal), Creditor: string(o.Creditor), BidDeadline: string(o.BidDeadline), ValidDay: string(o.ValidDay),
			BlockNumber: string(o.BlockNumber), BlockName: string(o.BlockName), GuaranteeAmount: string(o.GuaranteeAmount)})
	}); err != nil {
		t.Fatal(err)
	}
	_, err := e.wf.PlanPush(ctx, platform.PushInput{OrderNo: string(o.OrderNo), GuaranteeNo: "BH-R3", PDFPath: signedPDF})
	if err == nil || !strings.Contains(err.Error(), "BH-R2") {
		t.Errorf("same file for another guarantee: %v", err)
	}
	// The refused plan is held: Execute refuses it (nothing is sent) until
	// Override, the desk's second confirmation, lifts the objections.
	held, err := e.wf.PlanPush(ctx, platform.PushInput{OrderNo: string(o.OrderNo), GuaranteeNo: "BH-R4", PDFPath: unsigned})
	if held == nil || len(held.Overridable) != 1 || !strings.Contains(held.Overridable[0], "没有电子签名") {
		t.Fatalf("unsigned: plan %+v err %v, want the objection in Overridable", held, err)
	}
	if _, err := e.wf.Execute(ctx, held); !platform.IsInputError(err) {
		t.Fatalf("a held plan executed: %v", err)
	}
	if a, _ := e.st.AttemptsFor(ctx, "BH-R4", 10); len(a) != 0 {
		t.Fatalf("a held plan made %d attempts", len(a))
	}
	if !held.Override() || held.Override() {
		t.Fatal("Override: want true once, then false")
	}
	if res, err := e.wf.Execute(ctx, held); err != nil || res.SerialNum == "" {
		t.Fatalf("overridden plan: %v %+v", err, res)
	}
	if len(held.Warnings) == 0 || !strings.Contains(held.Warnings[len(held.Warnings)-1], "强制推送") {
		t.Fatalf("overridden plan's warnings %q", held.Warnings)
	}
}
