package sandbox

import (
	"errors"
	"testing"
	"time"

	"baohan/platform"
)

func TestFaultTokenExpiredOnce(t *testing.T) {
	e := newEnv(t)
	o := e.order("WAIT_FIRST_TRAIL")
	if _, _, err := e.client.Token(ctx); err != nil {
		t.Fatal(err)
	}
	e.s.InjectFault(platform.MethodGetGuaranteeInfo, TokenExpiredOnce())
	if _, _, err := e.client.GetGuaranteeInfo(ctx, string(o.OrderNo)); err != nil {
		t.Fatalf("client did not renew and retry: %v", err)
	}
	if n := e.s.CountCalls(platform.MethodGetAccessToken); n != 2 {
		t.Fatalf("token calls = %d, want 2 (first + renewal)", n)
	}
	calls := e.s.Calls()
	if len(calls) != 4 || calls[1].Status != platform.StatusTokenExpired || calls[1].Fault == "" || calls[3].Status != platform.StatusOK {
		t.Fatalf("calls %+v", calls)
	}
}

func TestFaultTokenExpiredTwice(t *testing.T) {
	e := newEnv(t)
	o := e.order("WAIT_FIRST_TRAIL")
	e.s.InjectFault(platform.MethodGetGuaranteeInfo, StatusTimes(platform.StatusTokenExpired, 2))
	_, _, err := e.client.GetGuaranteeInfo(ctx, string(o.OrderNo))
	wantStatus(t, err, platform.StatusTokenExpired)
	if n := e.s.CountCalls(platform.MethodGetGuaranteeInfo); n != 2 {
		t.Fatalf("business calls = %d, want 2 (one retry only)", n)
	}
	// The fault is used up.
	if _, _, err := e.client.GetGuaranteeInfo(ctx, string(o.OrderNo)); err != nil {
		t.Fatal(err)
	}
}

func TestFaultStatus(t *testing.T) {
	e := newEnv(t)
	e.s.InjectFault(AnyMethod, StatusTimes(1013, 1))
	_, _, err := e.client.Token(ctx)
	wantStatus(t, err, 1013)
	if _, _, err := e.client.Token(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestFaultHTTP500(t *testing.T) {
	e := newEnv(t)
	o := e.order("WAIT_FIRST_TRAIL")
	e.s.InjectFault(platform.MethodNotifyOrderStatus, HTTP500())
	err := e.client.NotifyOrderStatus(ctx, platform.NotifyOrderStatusRequest{OrderNo: string(o.OrderNo), OrderStatus: "WAIT_PAY"})
	var te *platform.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("want TransportError, got %v", err)
	}
	if got, _ := e.s.Order(string(o.OrderNo)); got.Status() != "WAIT_FIRST_TRAIL" {
		t.Fatal("a 500 processed the call")
	}
}

func TestFaultDelayPastTimeout(t *testing.T) {
	e := newEnv(t)
	o := e.order("WAIT_FIRST_TRAIL")
	c := e.newClient(func(c *platform.ClientConfig) { c.Timeout = 500 * time.Millisecond })
	if _, _, err := c.Token(ctx); err != nil {
		t.Fatal(err)
	}
	e.s.InjectFault(platform.MethodNotifyOrderStatus, Delay(time.Hour))
	err := c.NotifyOrderStatus(ctx, platform.NotifyOrderStatusRequest{OrderNo: string(o.OrderNo), OrderStatus: "WAIT_PAY"})
	var te *platform.TransportError
	if !errors.As(err, &te) || !te.Sent || !platform.OutcomeUnknown(err) {
		t.Fatalf("want TransportError with Sent, got %#v", err)
	}
}

func TestFaultDrop(t *testing.T) {
	e := newEnv(t)
	o := e.order(platform.OrderWaitOutGuarantee)
	if _, _, err := e.client.Token(ctx); err != nil {
		t.Fatal(err)
	}
	e.s.InjectFault(platform.MethodPushGuarantee, Drop())
	_, _, err := e.push(o, "BH-D1")
	if !platform.OutcomeUnknown(err) {
		t.Fatalf("want outcome unknown, got %v", err)
	}
	// The platform did process it: a retry gets 2428, the cue to reconcile.
	if _, ok := e.s.Guarantee("BH-D1"); !ok {
		t.Fatal("dropped call was not processed")
	}
	_, _, err = e.push(o, "BH-D1")
	wantStatus(t, err, platform.StatusGuaranteeExists)
	calls := e.s.Calls()
	var dropped int
	for _, c := range calls {
		if c.Dropped {
			dropped++
		}
	}
	if dropped != 1 {
		t.Fatalf("calls %+v", calls)
	}
}
