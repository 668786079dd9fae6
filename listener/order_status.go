package listener

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"baohan/platform"
	"baohan/store"
)

// handleOrderStatus serves 2.4 保函申请订单状态更新, once per order_no and
// order_status. An order we do not know (假通知 check) is stored, flagged
// and, when a Fetcher is configured, fetched with 2.2 after the commit; a
// known order whose block, principal or creditor differ from what we hold is
// updated and flagged for the clerk.
func handleOrderStatus(s *Server, c *call) (*result, error) {
	if err := c.requestMethod(platform.CallbackOrderStatus); err != nil {
		return nil, err
	}
	if err := c.require(platform.OrderStatusNoticeRequired...); err != nil {
		return nil, err
	}
	var m platform.OrderStatusNotice
	if err := c.decode(&m); err != nil {
		return nil, err
	}
	orderNo, status := string(m.OrderNo), string(m.OrderStatus)
	unknown := false
	res, err := s.idempotent(c, orderNo+"/"+status, okAnswer(nil), func(tx *store.Tx) error {
		if err := c.checkTimestamp(); err != nil {
			return err
		}
		unknown = false
		old, err := tx.GetOrder(orderNo)
		switch {
		case errors.Is(err, store.ErrNotFound):
			unknown = true
			reason := "收到未知订单的状态通知（2.4），订单信息待向平台查询（2.2）核对"
			if s.cfg.Fetcher == nil {
				reason = "收到未知订单的状态通知（2.4），请核对后向平台查询订单信息（2.2）"
			}
			if err := tx.FlagOrder(orderNo, reason); err != nil {
				return err
			}
			if _, err := tx.AddEvent(c.flagEvent(orderNo, fmt.Sprintf("未知订单 %s 的状态通知：%s，已标记待核对", orderNo, reason))); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if diff := orderMismatch(old, m); diff != "" {
				reason := "订单状态通知（2.4）与已知订单不一致：" + diff
				if err := tx.FlagOrder(orderNo, reason); err != nil {
					return err
				}
				if _, err := tx.AddEvent(c.flagEvent(orderNo, fmt.Sprintf("订单 %s %s，已标记待核对", orderNo, reason))); err != nil {
					return err
				}
			}
		}
		if unknown {
			o := store.Order{OrderNo: orderNo, OrderStatus: status, BlockNumber: string(m.BlockNumber),
				BlockName: string(m.BlockName), Principal: string(m.Principal), Creditor: string(m.Creditor)}
			if err := tx.UpsertOrder(o); err != nil {
				return err
			}
		} else if err := tx.SetOrderStatus(orderNo, status); err != nil {
			return err
		}
		summary := fmt.Sprintf("订单 %s 状态 %s → %s", orderNo, stateName(string(m.OrderStatusOld)), stateName(status))
		if unknown {
			summary = "未知" + summary
		}
		_, err = tx.AddEvent(c.event(orderNo, summary))
		return err
	})
	if err != nil {
		return nil, err
	}
	res.ref = orderNo
	if unknown && !res.duplicate && s.cfg.Fetcher != nil {
		res.after = func() { s.fetchOrder(orderNo) }
	}
	return res, nil
}

// orderMismatch names the fields of a 2.4 that differ from the stored
// order (compared only where both are known).
func orderMismatch(o store.Order, m platform.OrderStatusNotice) string {
	var diffs []string
	cmp := func(name, have, got string) {
		have, got = strings.TrimSpace(have), strings.TrimSpace(got)
		if have != "" && got != "" && have != got {
			diffs = append(diffs, fmt.Sprintf("%s 为 %s，通知中为 %s", name, have, got))
		}
	}
	cmp("标段编号", o.BlockNumber, string(m.BlockNumber))
	cmp("被保证人", o.Principal, string(m.Principal))
	cmp("受益人", o.Creditor, string(m.Creditor))
	return strings.Join(diffs, "；")
}

// stateName is "CODE(含义)" for a 5.4 state.
func stateName(code string) string {
	if code == "" {
		return "（空）"
	}
	if t := platform.OrderStateText(code); t != "" {
		return code + "(" + t + ")"
	}
	return code
}

// fetchOrder asks the Fetcher for an order in the background, bounded by
// FetchTimeout; Shutdown waits for it. A failure is only logged.
func (s *Server) fetchOrder(orderNo string) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.bg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(s.baseCtx, FetchTimeout)
		defer cancel()
		if err := s.cfg.Fetcher.RefreshOrder(ctx, orderNo); err != nil {
			s.log.Warn("refresh unknown order failed", "order_no", orderNo, "err", err.Error())
			return
		}
		s.log.Info("refreshed unknown order", "order_no", orderNo)
	}()
}
