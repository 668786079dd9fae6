package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"baohan/store"
)

// StaleSending is how long an attempt may stay "sending" before it is taken
// for one whose process died mid-call (结果未知). It is well past any call's
// timeout, so a call still in flight in another process is left alone.
const StaleSending = 5 * time.Minute

// Reconciliation is what became of one call whose outcome was unknown.
type Reconciliation struct {
	Attempt store.Attempt
	State   string // the attempt's state now
	Summary string // for the clerk
}

// Reconcile settles the calls whose answer never came (结果未知) by asking
// the platform what it has: a push or a status notification or a
// cancellation by fetching the order (2.2). A call that cannot be checked
// that way (a release, a claim result) stays unknown and is listed, so the
// clerk can repeat it: both are safe to repeat (the platform answers a
// repeated release per item, a repeated result with the same state).
func (w *Workflows) Reconcile(ctx context.Context) ([]Reconciliation, error) {
	atts, err := w.Store.Unresolved(ctx)
	if err != nil {
		return nil, err
	}
	var out []Reconciliation
	for _, a := range atts {
		if a.State == store.AttemptSending && time.Since(time.UnixMilli(a.StartedAt)) < StaleSending {
			continue // may be in flight right now
		}
		r, err := w.reconcileOne(ctx, a)
		if err != nil {
			return out, fmt.Errorf("reconcile %s %s: %w", a.Method, a.Ref, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (w *Workflows) reconcileOne(ctx context.Context, a store.Attempt) (Reconciliation, error) {
	var req struct {
		OrderNo     string `json:"order_no"`
		OrderStatus string `json:"order_status"`
		GuaranteeNo string `json:"guarantee_no"`
	}
	_ = json.Unmarshal([]byte(a.Request), &req)
	settle := func(state, summary string) (Reconciliation, error) {
		status := 0
		if state == store.AttemptOK {
			status = StatusOK
		}
		err := w.Store.Update(ctx, func(tx *store.Tx) error {
			if err := tx.FinishAttempt(a.ID, state, status, summary, ""); err != nil {
				return err
			}
			_, err := tx.AddEvent(store.Event{Kind: store.KindCall, Direction: store.DirOut, Method: a.Method, Ref: a.Ref, Status: status, Summary: summary})
			return err
		})
		return Reconciliation{Attempt: a, State: state, Summary: summary}, err
	}
	switch a.Method {
	case MethodGetAccessToken, MethodGetGuaranteeInfo, MethodGetClaimInfo, MethodGetFileURL:
		return settle(store.AttemptFailed, fmt.Sprintf("对账：%s %s 是查询，无需核对，可重新查询", methodTitle(a.Method), a.Ref))
	case MethodPushGuarantee, MethodNotifyOrderStatus, MethodCancelOrder:
	case MethodRemoveGuarantee:
		// No query tells a release's state; but when a later release has
		// settled every guarantee of the call as released, so is this one.
		if w.allReleased(ctx, a.Request) {
			return settle(store.AttemptOK, fmt.Sprintf("对账：%s %s 的保函均已确认解保（后来的解保已确认）", methodTitle(a.Method), a.Ref))
		}
		fallthrough
	default:
		if a.State == store.AttemptSending {
			return settle(store.AttemptUnknown, fmt.Sprintf("对账：%s %s 结果未知，平台无查询接口，请人工核对后重发", methodTitle(a.Method), a.Ref))
		}
		return Reconciliation{Attempt: a, State: a.State, Summary: fmt.Sprintf("%s %s 结果未知，平台无查询接口，请人工核对后重发", methodTitle(a.Method), a.Ref)}, nil
	}
	if req.OrderNo == "" {
		return settle(store.AttemptFailed, fmt.Sprintf("对账：%s %s 的请求记录中没有订单编号", methodTitle(a.Method), a.Ref))
	}
	o, err := w.FetchOrder(ctx, req.OrderNo)
	if errors.Is(err, ErrNoOrderStatus) {
		// The platform's answer tells nothing of the state: the outcome
		// stays unknown (protocol.md, "Settling with 2.2").
		sum := fmt.Sprintf("对账：获取订单 %s 的答复中没有订单状态，%s %s 结果仍未知", req.OrderNo, methodTitle(a.Method), a.Ref)
		if a.State == store.AttemptSending {
			return settle(store.AttemptUnknown, sum)
		}
		return Reconciliation{Attempt: a, State: a.State, Summary: sum}, nil
	}
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			return settle(store.AttemptFailed, fmt.Sprintf("对账：获取订单 %s 被拒绝（%s）", req.OrderNo, DescribeStatus(pe.Status)))
		}
		return Reconciliation{}, err // the platform is still unreachable: try later
	}
	switch a.Method {
	case MethodPushGuarantee:
		if o.OrderStatus == OrderHasOutGuarantee || o.OrderStatus == OrderFinish {
			if err := w.markPushed(ctx, req.GuaranteeNo); err != nil {
				return Reconciliation{}, err
			}
			return settle(store.AttemptOK, fmt.Sprintf("对账：订单 %s 已出函，保函 %s 已被平台接收，不再重复推送", o.OrderNo, req.GuaranteeNo))
		}
		return settle(store.AttemptFailed, fmt.Sprintf("对账：订单 %s 仍为 %s，保函 %s 未被接收，可重新推送", o.OrderNo, OrderStateLabel(o.OrderStatus), req.GuaranteeNo))
	case MethodNotifyOrderStatus:
		if o.OrderStatus == req.OrderStatus {
			return settle(store.AttemptOK, fmt.Sprintf("对账：订单 %s 已是 %s，通知已生效", o.OrderNo, OrderStateLabel(o.OrderStatus)))
		}
		return settle(store.AttemptFailed, fmt.Sprintf("对账：订单 %s 是 %s，通知未生效，可重新通知", o.OrderNo, OrderStateLabel(o.OrderStatus)))
	default: // cancel_order
		if o.OrderStatus == OrderCancel {
			return settle(store.AttemptOK, fmt.Sprintf("对账：订单 %s 已取消", o.OrderNo))
		}
		return settle(store.AttemptFailed, fmt.Sprintf("对账：订单 %s 是 %s，取消未生效，可重新取消", o.OrderNo, OrderStateLabel(o.OrderStatus)))
	}
}

// markPushed records that the platform has a guarantee whose push answer
// was lost; its serial is learnt from the next 查验 or 撤销 naming it.
func (w *Workflows) markPushed(ctx context.Context, guaranteeNo string) error {
	g, err := w.Store.GetGuarantee(ctx, guaranteeNo)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || g.PushedAt > 0 {
		return err
	}
	g.PushedAt = w.now().UnixMilli()
	return w.Store.Update(ctx, func(tx *store.Tx) error { return tx.PutGuarantee(g) })
}

// allReleased tells whether every guarantee of a 2.9 request (the attempt's
// recorded request) is released locally.
func (w *Workflows) allReleased(ctx context.Context, request string) bool {
	var req struct {
		RemoveGuaranteeData string `json:"remove_guarantee_data"`
	}
	var items []RemoveItem
	if json.Unmarshal([]byte(request), &req) != nil || json.Unmarshal([]byte(req.RemoveGuaranteeData), &items) != nil || len(items) == 0 {
		return false
	}
	for _, it := range items {
		g, err := w.Store.GetGuarantee(ctx, it.GuaranteeNo)
		if err != nil || g.ReleasedAt == 0 {
			return false
		}
	}
	return true
}
