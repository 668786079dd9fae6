package platform

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"baohan/store"
)

// RefreshOrder is 2.2 get_guarantee_info: it fetches the order and stores
// every field that came back. It also serves the listener, which fetches an
// order it was told about but did not know.
func (w *Workflows) RefreshOrder(ctx context.Context, orderNo string) error {
	_, err := w.fetchOrder(ctx, orderNo, true)
	return err
}

// FetchOrder is 2.2 for the clerk: the order is stored as the platform has
// it and its flag cleared.
func (w *Workflows) FetchOrder(ctx context.Context, orderNo string) (*store.Order, error) {
	return w.fetchOrder(ctx, orderNo, false)
}

// PlanFetchOrder is 2.2 for a confirmation: the request as it will be
// sent (Fields), and FetchOrder when executed (Result.Data the order).
func (w *Workflows) PlanFetchOrder(orderNo string) *Plan {
	p := &Plan{Method: MethodGetGuaranteeInfo, Title: "获取订单信息", Ref: orderNo, Request: OrderInfoRequest{OrderNo: orderNo}}
	p.run = func(ctx context.Context) (*Result, error) {
		o, err := w.FetchOrder(ctx, orderNo)
		if err != nil {
			return nil, err
		}
		return &Result{Summary: fmt.Sprintf("获取订单信息 %s：%s", orderNo, OrderStateLabel(o.OrderStatus)), Data: o}, nil
	}
	return p
}

// ErrNoOrderStatus: the platform's 2.2 answer has no order_status (the
// manual's own example has none). Its other fields are stored; the order's
// state is not settled, and the order stays flagged saying why.
var ErrNoOrderStatus = errors.New("2.2 answer without order_status")

// fetchTries bounds the 2.2 fetches of one settle while 2.4 transitions
// keep arriving during them.
const fetchTries = 3

// fetchOrder gets and stores an order; settle (the listener's fetch after a
// 2.4 that did not fit) clears only the flag set for that fetch. The write
// is a compare-and-set (protocol.md, "Settling with 2.2"): the answer is
// applied only when no 2.4 transition was applied to the order after the
// fetch began; otherwise the order is fetched again.
func (w *Workflows) fetchOrder(ctx context.Context, orderNo string, settle bool) (*store.Order, error) {
	if err := required("order_no", "", orderNo); err != nil {
		return nil, err
	}
	for try := 1; ; try++ {
		o, moved, err := w.fetchOrderOnce(ctx, orderNo, settle)
		if err != nil || !moved {
			return o, err
		}
		if try == fetchTries {
			return nil, fmt.Errorf("订单 %s 在获取订单信息（2.2）期间又收到状态通知（2.4），已连续 %d 次，平台答复未采用，稍后再核对", orderNo, fetchTries)
		}
	}
}

// fetchOrderOnce is one 2.2 fetch; moved reports that a 2.4 transition was
// applied meanwhile, so nothing was written.
func (w *Workflows) fetchOrderOnce(ctx context.Context, orderNo string, settle bool) (*store.Order, bool, error) {
	before, err := w.Store.Transitions(ctx, orderNo)
	if err != nil {
		return nil, false, err
	}
	req := OrderInfoRequest{OrderNo: orderNo}
	var info *OrderInfo
	var raw []byte
	err = w.call(ctx, MethodGetGuaranteeInfo, orderNo, req, func(ctx context.Context) (string, error) {
		var err error
		info, raw, err = w.Client.GetGuaranteeInfo(ctx, orderNo)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("获取订单信息 %s：%s", orderNo, OrderStateLabel(string(info.OrderStatus))), nil
	}, nil)
	if IsStatus(err, StatusOrderNotFound) {
		if serr := w.orderNotFound(ctx, orderNo); serr != nil {
			return nil, false, errors.Join(err, serr)
		}
	}
	if err != nil {
		return nil, false, err
	}
	o := info.OrderRecord()
	o.OrderNo, o.Fields, o.Raw = orderNo, fieldsJSON(raw), fieldsJSON(raw)
	noStatus := strings.TrimSpace(o.OrderStatus) == ""
	moved := false
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err = w.Store.Update(rctx, func(tx *store.Tx) error {
		moved = false
		now, err := tx.Transitions(orderNo)
		if err != nil {
			return err
		}
		if now != before {
			moved = true
			return nil
		}
		o.OrderStatus = strings.TrimSpace(o.OrderStatus)
		if err := tx.UpsertOrder(o); err != nil {
			return err
		}
		if noStatus {
			// Settles nothing: the order stays flagged, saying why.
			reason := "平台的订单信息答复（2.2）中没有订单状态（order_status），订单状态未能核对，请向平台核实"
			if settle {
				return tx.SettleOrder(orderNo, reason, 0)
			}
			return tx.FlagOrder(orderNo, reason)
		}
		if settle {
			return tx.SettledOrder(orderNo)
		}
		return tx.UnflagOrder(orderNo)
	})
	if err != nil {
		return nil, false, fmt.Errorf("store order %s: %w", orderNo, err)
	}
	if moved {
		return nil, true, nil
	}
	got, err := w.Store.GetOrder(ctx, orderNo)
	if err != nil {
		return nil, false, err
	}
	if noStatus {
		return &got, false, fmt.Errorf("订单 %s：%w", orderNo, ErrNoOrderStatus)
	}
	return &got, false, nil
}

// orderNotFound settles a flagged order the platform says does not exist
// (1101): the stub made by a callback about an unknown order is removed
// (the callback stays in the journal), so it leaves 待办; an order we hold
// more of keeps its flag, with the platform's answer as the reason.
func (w *Workflows) orderNotFound(ctx context.Context, orderNo string) error {
	o, err := w.Store.GetOrder(ctx, orderNo)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !o.Flagged) {
		return nil
	}
	if err != nil {
		return err
	}
	return w.Store.Update(ctx, func(tx *store.Tx) error {
		dropped, err := tx.DropStubOrder(orderNo)
		if err != nil {
			return err
		}
		summary := fmt.Sprintf("订单 %s：平台答复订单不存在（1101），先前关于它的通知视为假通知；本地占位记录已移除，标记已清除", orderNo)
		if !dropped {
			summary = fmt.Sprintf("订单 %s：平台答复订单不存在（1101），但本地有该订单的资料，仍保留标记待核对", orderNo)
			if err := tx.FlagOrder(orderNo, "平台答复订单不存在（1101），本地却有该订单的资料"); err != nil {
				return err
			}
		}
		_, err = tx.AddEvent(store.Event{Kind: store.KindFlag, Direction: store.DirOut, Method: MethodGetGuaranteeInfo,
			Ref: orderNo, Status: StatusOrderNotFound, Summary: summary})
		return err
	})
}

// NotifiableStates are the 5.4 states a guarantor reports with 2.3. The
// guarantee's issue (HAS_OUT_GUARANTEE) is reported by pushing it (2.5), a
// cancellation by cancel_order (2.11); FINISH is the platform's.
var NotifiableStates = []string{"WAIT_FIRST_TRAIL", "WAIT_SUBMIT_FIRST_TRAIL", "WAIT_TUNE_UP",
	"WAIT_SUBMIT_TUNE_UP", "WAIT_OFFER", "WAIT_PAY", OrderWaitOutGuarantee}

var amountRE = regexp.MustCompile(`^\d{1,14}(\.\d{1,2})?$`)

// StatusInput is what the clerk gives for 2.3.
type StatusInput struct {
	OrderNo   string
	Status    string
	Amount    string // order_amount, required for WAIT_OUT_GUARANTEE
	Withdraw  bool   // is_withdraw=1: 审批退回
	Statement string // required with Withdraw
}

// knownOrder reads the order a call is about; an order the store does not
// hold is refused locally (fetch it first with 2.2).
func (w *Workflows) knownOrder(ctx context.Context, orderNo string) (store.Order, error) {
	if err := required("order_no", "", orderNo); err != nil {
		return store.Order{}, err
	}
	o, err := w.Store.GetOrder(ctx, orderNo)
	if errors.Is(err, store.ErrNotFound) {
		return o, inputErr("本地没有订单 %s：先用 baohan order info %s 获取", orderNo, orderNo)
	}
	return o, err
}

// NotifyRefusal is why no order status can be notified (2.3) for order o
// in its stored state, with what would make it possible; nil when one
// can. The desk asks it before it opens the form, PlanNotifyStatus again
// before it sends.
func NotifyRefusal(o store.Order) error {
	if OrderIssued(o.OrderStatus) {
		return inputErr("订单 %s 已是 %s，不能再通知状态（要作废订单请用订单取消）", o.OrderNo, OrderStateLabel(o.OrderStatus))
	}
	return nil
}

// CancelRefusal is why order o cannot be cancelled (2.11) in its stored
// state; nil when it can. The desk asks it before it opens the form,
// PlanCancelOrder again before it sends.
func CancelRefusal(o store.Order) error {
	switch o.OrderStatus {
	case OrderCancel:
		return inputErr("订单 %s 已是交易取消，无需再取消", o.OrderNo)
	case OrderFinish:
		return inputErr("订单 %s 已是交易完成（FINISH），不能取消", o.OrderNo)
	}
	return nil
}

// PlanNotifyStatus validates 2.3 notify_order_status.
func (w *Workflows) PlanNotifyStatus(ctx context.Context, in StatusInput) (*Plan, error) {
	o, err := w.knownOrder(ctx, in.OrderNo)
	if err != nil {
		return nil, err
	}
	allowed := false
	for _, s := range NotifiableStates {
		allowed = allowed || s == in.Status
	}
	if !allowed {
		if IsOrderState(in.Status) {
			return nil, inputErr("订单状态 %s 不能用订单状态通知发送（出函请推送电子保函，取消请用订单取消）", OrderStateLabel(in.Status))
		}
		return nil, inputErr("订单状态 %q 不是手册5.4的直开式状态", in.Status)
	}
	if err := NotifyRefusal(o); err != nil {
		return nil, err
	}
	req := NotifyOrderStatusRequest{OrderNo: o.OrderNo, OrderStatus: in.Status}
	if in.Status == OrderWaitOutGuarantee {
		if in.Amount == "" {
			return nil, inputErrHint("--amount", "订单状态为 WAIT_OUT_GUARANTEE（待出函）时必须给出订单金额 order_amount")
		}
	}
	if in.Amount != "" {
		if !amountRE.MatchString(in.Amount) {
			return nil, inputErr("订单金额 %q 不是最多两位小数的金额", in.Amount)
		}
		req.OrderAmount = in.Amount
	}
	if in.Withdraw {
		if in.Statement == "" {
			return nil, inputErrHint("--statement", "审批退回（is_withdraw=1）时必须给出说明 statement")
		}
		req.IsWithdraw, req.Statement = "1", in.Statement
	} else if in.Statement != "" {
		req.Statement = in.Statement
	}
	p := &Plan{Method: MethodNotifyOrderStatus, Title: "订单状态通知", Ref: o.OrderNo, Request: req}
	p.run = func(ctx context.Context) (*Result, error) {
		err := w.call(ctx, MethodNotifyOrderStatus, o.OrderNo, req, func(ctx context.Context) (string, error) {
			if err := w.Client.NotifyOrderStatus(ctx, req); err != nil {
				return "", err
			}
			return fmt.Sprintf("订单 %s 状态已通知：%s", o.OrderNo, OrderStateLabel(in.Status)), nil
		}, func(tx *store.Tx) error {
			if req.OrderAmount != "" {
				cur, err := tx.GetOrder(o.OrderNo)
				if err != nil {
					return err
				}
				cur.OrderAmount = req.OrderAmount
				cur.OrderStatus = in.Status
				cur.Fields, cur.Raw = nil, nil
				return tx.UpsertOrder(cur)
			}
			return tx.SetOrderStatus(o.OrderNo, in.Status)
		})
		if err != nil {
			return nil, err
		}
		return &Result{Summary: fmt.Sprintf("订单 %s 已通知为 %s", o.OrderNo, OrderStateLabel(in.Status))}, nil
	}
	return p, nil
}

// PlanCancelOrder validates 2.11 cancel_order.
func (w *Workflows) PlanCancelOrder(ctx context.Context, orderNo, reason string) (*Plan, error) {
	o, err := w.knownOrder(ctx, orderNo)
	if err != nil {
		return nil, err
	}
	if err := required("cancel_reason", "--reason", reason); err != nil {
		return nil, err
	}
	if err := CancelRefusal(o); err != nil {
		return nil, err
	}
	req := CancelOrderRequest{OrderNo: orderNo, CancelReason: reason}
	p := &Plan{Method: MethodCancelOrder, Title: "订单取消", Ref: orderNo, Request: req}
	if o.OrderStatus == OrderHasOutGuarantee {
		p.Warnings = append(p.Warnings, "该订单已出函")
	}
	p.run = func(ctx context.Context) (*Result, error) {
		err := w.call(ctx, MethodCancelOrder, orderNo, req, func(ctx context.Context) (string, error) {
			if err := w.Client.CancelOrder(ctx, orderNo, reason); err != nil {
				return "", err
			}
			return fmt.Sprintf("订单 %s 已取消：%s", orderNo, reason), nil
		}, func(tx *store.Tx) error { return tx.SetOrderStatus(orderNo, OrderCancel) })
		if err != nil {
			return nil, err
		}
		return &Result{Summary: fmt.Sprintf("订单 %s 已取消", orderNo)}, nil
	}
	return p, nil
}
