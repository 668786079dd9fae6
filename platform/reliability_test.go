package platform_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

// Outbound certainty under faults, beyond workflows_test.go: every call is
// in the store before it goes out, a notification whose answer was lost is
// reconciled by fetching the order, a push repeated without reconciling is
// stopped by 2428 and never reaches the platform twice, a call that never
// left is "failed" (not in doubt), and a clock 30 minutes off is measured
// and named.

// addOrder puts an order in state on both sides.
func (e *wfEnv) addOrder(t *testing.T, state string) string {
	t.Helper()
	o := e.sb.GenerateOrder(sandbox.OrderSpec{Status: state})
	e.sb.PutOrder(o)
	if err := e.st.Update(context.Background(), func(tx *store.Tx) error {
		return tx.UpsertOrder(store.Order{OrderNo: string(o.OrderNo), OrderStatus: state,
			BlockNumber: string(o.BlockNumber), BlockName: string(o.BlockName), Principal: string(o.Principal),
			Creditor: string(o.Creditor), GuaranteeAmount: string(o.GuaranteeAmount), BidDeadline: string(o.BidDeadline), ValidDay: string(o.ValidDay)})
	}); err != nil {
		t.Fatal(err)
	}
	return string(o.OrderNo)
}

func (e *wfEnv) notify(t *testing.T, orderNo, state string) error {
	t.Helper()
	p, err := e.wf.PlanNotifyStatus(context.Background(), platform.StatusInput{OrderNo: orderNo, Status: state})
	if err != nil {
		t.Fatalf("plan notify: %v", err)
	}
	_, err = e.wf.Execute(context.Background(), p)
	return err
}

// seenTransport records, as each request leaves, the attempts the store
// holds in state "sending" for the method.
type seenTransport struct {
	st *store.Store
	mu sync.Mutex
	// sending[i] is the number of unresolved "sending" attempts when the
	// i-th request left.
	sending []int
}

func (s *seenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	atts, err := s.st.Unresolved(r.Context())
	n := 0
	for _, a := range atts {
		if a.State == store.AttemptSending {
			n++
		}
	}
	if err != nil {
		n = -1
	}
	s.mu.Lock()
	s.sending = append(s.sending, n)
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// Every business call is recorded ("sending") before it goes out, and its
// outcome after.
func TestAttemptRecordedBeforeSending(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	if _, _, err := e.wf.Client.Token(ctx); err != nil { // the token call is not a workflow attempt
		t.Fatal(err)
	}
	tr := &seenTransport{st: e.st}
	e.wf.Client = platform.NewClient(e.cfg, e.st, &http.Client{Transport: tr})
	no := e.addOrder(t, "WAIT_FIRST_TRAIL")
	if err := e.notify(t, no, "WAIT_PAY"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.wf.Execute(ctx, e.planPush(t, "BH-REC")); err != nil {
		t.Fatal(err)
	}
	if len(tr.sending) != 2 || tr.sending[0] != 1 || tr.sending[1] != 1 {
		t.Fatalf("attempts in state sending as each call left: %v (want [1 1])", tr.sending)
	}
	if atts, _ := e.st.Unresolved(ctx); len(atts) != 0 {
		t.Fatalf("unresolved after answered calls: %+v", atts)
	}
}

// A status notification whose answer is lost after the platform applied
// it: 结果未知, then reconciled by fetching the order (2.2) as applied,
// without sending it again.
func TestNotifyOutcomeUnknownReconciled(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	no := e.addOrder(t, "WAIT_FIRST_TRAIL")
	e.sb.InjectFault(platform.MethodNotifyOrderStatus, sandbox.Drop())
	if err := e.notify(t, no, "WAIT_PAY"); !platform.OutcomeUnknown(err) {
		t.Fatalf("dropped answer: %v", err)
	}
	atts, _ := e.st.Unresolved(ctx)
	if len(atts) != 1 || atts[0].State != store.AttemptUnknown || atts[0].Method != platform.MethodNotifyOrderStatus {
		t.Fatalf("unresolved: %+v", atts)
	}
	rs, err := e.wf.Reconcile(ctx)
	if err != nil || len(rs) != 1 || rs[0].State != store.AttemptOK {
		t.Fatalf("reconcile: %+v %v", rs, err)
	}
	if n := e.sb.CountCalls(platform.MethodNotifyOrderStatus); n != 1 {
		t.Fatalf("notification sent %d times", n)
	}
	if atts, _ := e.st.Unresolved(ctx); len(atts) != 0 {
		t.Fatalf("still unresolved: %+v", atts)
	}
}

// HTTP 500 from a proxy: the outcome is unknown; reconciling finds the
// order unchanged (failed), and the repeat is applied once.
func TestNotifyHTTP500ReconciledThenRepeated(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	no := e.addOrder(t, "WAIT_FIRST_TRAIL")
	e.sb.InjectFault(platform.MethodNotifyOrderStatus, sandbox.HTTP500())
	if err := e.notify(t, no, "WAIT_PAY"); !platform.OutcomeUnknown(err) {
		t.Fatalf("HTTP 500: %v", err)
	}
	rs, err := e.wf.Reconcile(ctx)
	if err != nil || len(rs) != 1 || rs[0].State != store.AttemptFailed {
		t.Fatalf("reconcile: %+v %v", rs, err)
	}
	if err := e.notify(t, no, "WAIT_PAY"); err != nil {
		t.Fatalf("repeat: %v", err)
	}
	if o, _ := e.sb.Order(no); o.Status() != "WAIT_PAY" {
		t.Fatalf("platform has %s", o.Status())
	}
	if atts, _ := e.st.Unresolved(ctx); len(atts) != 0 {
		t.Fatalf("still unresolved: %+v", atts)
	}
}

// The clerk repeats a push whose answer was lost without reconciling
// first: the platform answers 2428, the guarantee is reconciled, and the
// platform holds it once. Reconcile afterwards settles the first attempt
// without pushing.
func TestPushRepeatedWithoutReconcileNeverDoubles(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	e.sb.InjectFault(platform.MethodPushGuarantee, sandbox.Drop())
	if _, err := e.wf.Execute(ctx, e.planPush(t, "BH-R1")); !platform.OutcomeUnknown(err) {
		t.Fatalf("dropped: %v", err)
	}
	res, err := e.wf.Execute(ctx, e.planPush(t, "BH-R1"))
	if err != nil || !res.Reconciled {
		t.Fatalf("repeat: %+v %v", res, err)
	}
	if n := len(e.sb.Guarantees()); n != 1 {
		t.Fatalf("platform holds %d guarantees", n)
	}
	rs, err := e.wf.Reconcile(ctx)
	if err != nil || len(rs) != 1 || rs[0].State != store.AttemptOK {
		t.Fatalf("reconcile: %+v %v", rs, err)
	}
	if n := e.sb.CountCalls(platform.MethodPushGuarantee); n != 2 {
		t.Fatalf("%d push calls, want 2 (the lost one and the one answered 2428)", n)
	}
	if _, err := e.wf.PlanPush(ctx, platform.PushInput{OrderNo: e.orderNo, GuaranteeNo: "BH-R1", PDFPath: signedPDF}); !platform.IsInputError(err) {
		t.Fatalf("third push planned: %v", err)
	}
}

// The platform is down: the call never left, so it is "failed", not in
// doubt, and nothing waits for reconciling.
func TestPlatformDownIsNotInDoubt(t *testing.T) {
	e := newWFEnv(t, 2*time.Second)
	ctx := context.Background()
	if _, _, err := e.wf.Client.Token(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.cfg
	cfg.BaseURL = "http://" + ln.Addr().String() + "/api/guarantor/v1/"
	ln.Close()
	e.wf.Client = platform.NewClient(cfg, e.st, nil)
	no := e.addOrder(t, "WAIT_FIRST_TRAIL")
	err = e.notify(t, no, "WAIT_PAY")
	var te *platform.TransportError
	if !errors.As(err, &te) || te.Sent {
		t.Fatalf("platform down: %v", err)
	}
	if atts, _ := e.st.Unresolved(ctx); len(atts) != 0 {
		t.Fatalf("a call that never left is in doubt: %+v", atts)
	}
	atts, _ := e.st.AttemptsFor(ctx, no, 10)
	if len(atts) != 1 || atts[0].State != store.AttemptFailed {
		t.Fatalf("attempts: %+v", atts)
	}
}

// Our clock 30 minutes ahead of the platform: the platform refuses the
// timestamp; the refusal names the clock difference, measured from the
// platform's Date header. 30 minutes behind: the timestamps are old but
// within the platform's window, the calls go through, and the skew is
// still measured for the desk to show.
func TestClockThirtyMinutesOff(t *testing.T) {
	ctx := context.Background()
	e := newWFEnv(t, 10*time.Second)
	ahead := platform.NewClient(e.cfg, nil, nil)
	ahead.SetClock(func() time.Time { return time.Now().Add(30 * time.Minute) })
	if _, known := ahead.ClockSkew(); known {
		t.Fatal("skew known before any answer")
	}
	_, _, err := ahead.Token(ctx)
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.Status != platform.StatusIllegalAccess {
		t.Fatalf("clock 30 min ahead: %v", err)
	}
	skew, known := ahead.ClockSkew()
	if !known || skew < 29*time.Minute || skew > 31*time.Minute {
		t.Fatalf("skew %s known=%v, want about +30m", skew, known)
	}
	if !strings.Contains(err.Error(), "本机时钟比平台快约 30 分钟") {
		t.Errorf("refusal does not name the clock: %v", err)
	}

	behind := platform.NewClient(e.cfg, nil, nil)
	behind.SetClock(func() time.Time { return time.Now().Add(-30 * time.Minute) })
	if _, _, err := behind.GetGuaranteeInfo(ctx, e.orderNo); err != nil {
		t.Fatalf("clock 30 min behind: %v", err)
	}
	if skew, known := behind.ClockSkew(); !known || skew > -29*time.Minute || skew < -31*time.Minute {
		t.Fatalf("skew %s known=%v, want about -30m", skew, known)
	}

	// A right clock: no hint in a refusal.
	right := platform.NewClient(e.cfg, nil, nil)
	if _, _, err := right.GetGuaranteeInfo(ctx, "404404404"); err == nil || strings.Contains(err.Error(), "时钟") {
		t.Fatalf("unknown order with a right clock: %v", err)
	}
	if skew, known := right.ClockSkew(); !known || skew > 5*time.Second || skew < -5*time.Second {
		t.Fatalf("skew %s known=%v with a right clock", skew, known)
	}
}
