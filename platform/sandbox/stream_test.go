package sandbox

import (
	"context"
	"testing"
	"time"

	"baohan/platform"
)

// The demo stream, fast: a clerk pushes the first order that becomes
// WAIT_OUT_GUARANTEE, and every kind of callback follows.
func TestStreamShowsEveryKind(t *testing.T) {
	e := newEnv(t)
	l := newFakeListener(t, e.keys)
	l.hitCh = make(chan string, 1<<14)
	l.answer = func(r received) (int, any) {
		switch r.Path {
		case PathApplyGuarantee:
			return 200, platform.ApplyAnswer{OrderStatus: "WAIT_FIRST_TRAIL", PayMethod: "REDIRECT"}
		case PathVerify:
			return 200, platform.VerifyAnswer{SerialNum: platform.SerialNum(r.str("serial_num")), IsModified: 2}
		case PathQuery:
			return 200, platform.QueryAnswer{GuaranteeNo: r.str("guarantee_no"), Amount: "1.00"}
		case PathReleaseQuery:
			return 200, map[string]any{"status": 4}
		}
		return 200, nil
	}
	e.s.SetCallbackBase(l.srv.URL)

	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		e.s.Run(runCtx, 200)
	}()
	defer func() {
		stop()
		<-ran
	}()

	guard := time.NewTimer(60 * time.Second) // only keeps a broken test from hanging
	defer guard.Stop()
	seen := map[string]int{}
	pushed := ""
	for seen[PathVerify] == 0 || seen[PathQuery] == 0 || seen[PathClaim] == 0 || seen[PathRevoke] == 0 {
		select {
		case p := <-l.hitCh:
			seen[p]++
		case <-guard.C:
			t.Fatalf("callbacks seen: %v", seen)
		}
		if pushed != "" {
			continue
		}
		for _, r := range l.received(PathOrderStatus) {
			if r.str("order_status") != platform.OrderWaitOutGuarantee {
				continue
			}
			o, _ := e.s.Order(r.str("order_no"))
			pushed = "BH-S1"
			if _, _, err := e.push(o, pushed); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if seen[PathApplyGuarantee] < 5 {
		t.Fatalf("only %d orders", seen[PathApplyGuarantee])
	}
	blocks := map[string]int{}
	for _, o := range e.s.Orders() {
		blocks[string(o.BlockNumber)]++
	}
	if len(blocks) >= len(e.s.Orders()) {
		t.Fatal("no block has several bidders")
	}
	claims := e.s.Claims()
	if len(claims) == 0 || string(claims[0].GuaranteeNo) != pushed {
		t.Fatalf("claims %+v", claims)
	}
	if revs := e.s.Revocations(); len(revs) == 0 || revs[0].DeclareFileHash == "" {
		t.Fatalf("revocations %+v", revs)
	}
}

func TestStreamStopsOnClose(t *testing.T) {
	e := newEnv(t)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		e.s.Run(ctx, 1)
	}()
	e.s.Close()
	<-ran
}
