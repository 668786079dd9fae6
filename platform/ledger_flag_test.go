package platform_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"baohan/platform"
	"baohan/store"
)

// A 2.4 about an order we never received leaves a flagged stub in 待办; when
// 2.2 answers 1101 (订单不存在) the stub goes (the callback stays in the
// journal) and nothing is left waiting. An order we hold more of keeps its
// flag.
func TestOrderNotFoundClearsFlaggedStub(t *testing.T) {
	e := newWFEnv(t, 10*time.Second)
	ctx := context.Background()
	if err := e.st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.FlagOrder("1899000001", "订单状态更新所指订单本地没有（假通知？）"); err != nil {
			return err
		}
		if err := tx.UpsertOrder(store.Order{OrderNo: "1899000002", OrderStatus: platform.OrderWaitOutGuarantee, BlockName: "某标段"}); err != nil {
			return err
		}
		return tx.FlagOrder("1899000002", "不一致")
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.wf.FetchOrder(ctx, "1899000001"); !platform.IsStatus(err, platform.StatusOrderNotFound) {
		t.Fatalf("2.2 of an unknown order: %v, want 1101", err)
	}
	if _, err := e.st.GetOrder(ctx, "1899000001"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the stub is still there: %v", err)
	}
	if _, err := e.wf.FetchOrder(ctx, "1899000002"); !platform.IsStatus(err, platform.StatusOrderNotFound) {
		t.Fatalf("2.2: %v, want 1101", err)
	}
	p, err := e.st.Pending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if p.FlaggedTotal != 1 || p.Flagged[0].OrderNo != "1899000002" {
		t.Fatalf("flagged after 1101: %d %+v, want only the order we hold more of", p.FlaggedTotal, p.Flagged)
	}
	evs, err := e.st.ListEvents(ctx, store.EventQuery{Ref: "1899000001", Kind: store.KindFlag})
	if err != nil || len(evs) != 1 {
		t.Fatalf("journal of the dropped stub: %v %+v", err, evs)
	}
}
