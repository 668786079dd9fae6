package listener

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"baohan/platform"
	"baohan/store"
)

// handleOrderStatus serves 2.4 保函申请订单状态更新 as a state change
// (protocol.md, "Repeats, conflicts and held callbacks"): applied when
// order_status_old equals the stored state; a repeat when the stored state
// already equals order_status; anything else (a late retry of an old
// transition, a missed transition, an unknown order) is recorded, not
// applied, and settled with 2.2 (retried later while 2.2 fails). The same
// content again while the order has not moved is a repeat too (it finds its
// inbound row). A state outside 5.4 is held. A second genuine visit to a
// state is a new transition: so is, unavoidably, a retry of an old
// transition into a state the order has come back to (protocol.md decides
// by state alone; see the note of issue 9).
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
	orderNo, status, oldStatus := string(m.OrderNo), string(m.OrderStatus), string(m.OrderStatusOld)
	if err := c.checkTimestamp(); err != nil {
		return nil, err
	}
	if !platform.IsOrderState(status) && !c.accepting {
		held := false
		err := s.st.Update(c.ctx, func(tx *store.Tx) error {
			var err error
			held, err = c.acceptedIn(tx)
			return err
		})
		if err != nil {
			return nil, err
		}
		if !held {
			return nil, s.hold(c, orderNo, fmt.Sprintf("订单 %s 的状态通知（2.4）中 order_status 为 %s，不是 5.4 订单状态表中的状态", orderNo, shorten(status, 40)))
		}
	}
	settle, dup := false, false
	answer := okAnswer(nil)
	err := s.st.Update(c.ctx, func(tx *store.Tx) error {
		settle, dup = false, false
		// The same content while the order is where it was, after as many
		// transitions, is a repeat (whatever its timestamp); a genuine
		// revisit of a state comes after another transition.
		n, err := tx.Transitions(orderNo)
		if err != nil {
			return err
		}
		cur := ""
		if o, err := tx.GetOrder(orderNo); err == nil {
			cur = o.OrderStatus
		}
		in := store.Inbound{Method: c.ep.method, Key: fmt.Sprintf("%s@%s#%d", contentKey(c.fields), cur, n), Remote: c.remote, Plaintext: string(c.plain)}
		if _, seen, err := tx.InboundAnswer(in.Method, in.Key); err != nil || seen {
			dup = seen
			return err
		}
		wrote, err := func() (bool, error) {
			old, err := tx.GetOrder(orderNo)
			accepted := c.accepting
			if !accepted && !platform.IsOrderState(status) {
				accepted = true // held and accepted by the clerk (checked above)
			}
			switch {
			case errors.Is(err, store.ErrNotFound):
				settle = true
				reason := "收到未知订单的状态通知（2.4），订单信息待向平台查询（2.2）核对"
				if err := tx.UpsertOrder(store.Order{OrderNo: orderNo, BlockNumber: string(m.BlockNumber),
					BlockName: string(m.BlockName), Principal: string(m.Principal), Creditor: string(m.Creditor), Stub: true}); err != nil {
					return false, err
				}
				if err := tx.SettleOrder(orderNo, reason, tx.Now()); err != nil {
					return false, err
				}
				if _, err := tx.AddEvent(c.flagEvent(orderNo, fmt.Sprintf("未知订单 %s 的状态通知：%s → %s，已记录，%s", orderNo,
					stateName(oldStatus), stateName(status), reason))); err != nil {
					return false, err
				}
			case err != nil:
				return false, err
			case old.OrderStatus == status && !c.accepting:
				// A repeat (re-signed; also the platform's repeat of a held
				// 2.4 the clerk accepted): nothing changes.
				dup = true
				return false, nil
			case old.OrderStatus == oldStatus || accepted:
				if diff := orderMismatch(old, m); diff != "" {
					reason := "订单状态通知（2.4）与已知订单不一致：" + diff
					if err := tx.FlagOrder(orderNo, reason); err != nil {
						return false, err
					}
					if _, err := tx.AddEvent(c.flagEvent(orderNo, fmt.Sprintf("订单 %s %s，已标记待核对", orderNo, reason))); err != nil {
						return false, err
					}
				}
				revisit, err := tx.Revisits(orderNo, status)
				if err != nil {
					return false, err
				}
				if err := tx.ApplyTransition(orderNo, status); err != nil {
					return false, err
				}
				summary := fmt.Sprintf("订单 %s 状态 %s → %s", orderNo, stateName(oldStatus), stateName(status))
				if _, err := tx.AddEvent(c.event(orderNo, summary)); err != nil {
					return false, err
				}
				if revisit {
					// Back in a state it has been in: a genuine revisit or a
					// late retry of an old transition, which look the same.
					// Applied, then confirmed with 2.2 (protocol.md).
					settle = true
					reason := fmt.Sprintf("订单再次进入 %s（状态通知 2.4），已按通知更新，待向平台查询（2.2）确认", stateName(status))
					if err := tx.SettleOrder(orderNo, reason, tx.Now()); err != nil {
						return false, err
					}
				}
			default:
				settle = true
				reason := fmt.Sprintf("状态通知（2.4）%s → %s 与本地状态 %s 不符，已记录，待向平台查询（2.2）核对",
					stateName(oldStatus), stateName(status), stateName(old.OrderStatus))
				if err := tx.SettleOrder(orderNo, reason, tx.Now()); err != nil {
					return false, err
				}
				e := c.flagEvent(orderNo, fmt.Sprintf("订单 %s %s", orderNo, reason))
				e.Detail = string(c.plain)
				if _, err := tx.AddEvent(e); err != nil {
					return false, err
				}
			}
			if err := c.decideAccepted(tx); err != nil {
				return false, err
			}
			return true, nil
		}()
		if err != nil || !wrote {
			return err
		}
		return tx.RecordInbound(in, answer)
	})
	if err != nil {
		return nil, err
	}
	res := &result{answer: answer, duplicate: dup, ref: orderNo}
	if settle && !dup && s.cfg.Fetcher != nil {
		res.after = func() { s.fetchOrder(orderNo) }
	}
	return res, nil
}

// orderMismatch names the fields of a 2.4 that differ from the stored
// order (compared only where both are known).
func orderMismatch(o store.Order, m platform.OrderStatusNotice) string {
	var diffs []string
	cmp := func(name, have, got string) {
		if !sameName(have, got) {
			diffs = append(diffs, fmt.Sprintf("%s 为 %s，通知中为 %s", name, have, got))
		}
	}
	cmp("标段编号", o.BlockNumber, string(m.BlockNumber))
	cmp("被保证人", o.Principal, string(m.Principal))
	cmp("受益人", o.Creditor, string(m.Creditor))
	return strings.Join(diffs, "；")
}

// stateName is a 5.4 state with its code (platform.OrderStateLabel).
func stateName(code string) string {
	if code == "" {
		return "（空）"
	}
	return platform.OrderStateLabel(code)
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
		s.settleOne(ctx, orderNo)
	}()
}

// SettleRetry is how long an order waits for the next 2.2 after one failed.
const SettleRetry = 10 * time.Minute

// settleOne fetches an order with 2.2; a failure postpones the next try.
func (s *Server) settleOne(ctx context.Context, orderNo string) error {
	if err := s.cfg.Fetcher.RefreshOrder(ctx, orderNo); err != nil {
		s.log.Warn("refresh order failed", "order_no", orderNo, "err", err.Error())
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if perr := s.st.PostponeSettle(pctx, orderNo, s.cfg.Now().Add(SettleRetry).UnixMilli()); perr != nil {
			s.log.Error("cannot postpone order refresh", "order_no", orderNo, "err", perr.Error())
		}
		return err
	}
	s.log.Info("refreshed order", "order_no", orderNo)
	return nil
}

// SettleOrders fetches (2.2) every order whose state a 2.4 left in doubt
// and whose next try is due, and returns how many were settled. Serve runs
// it every SettleEvery; the desk and tests may call it too.
func (s *Server) SettleOrders(ctx context.Context) (int, error) {
	if s.cfg.Fetcher == nil {
		return 0, nil
	}
	due, err := s.st.SettleDue(ctx, s.cfg.Now().UnixMilli(), 50)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, no := range due {
		if ctx.Err() != nil {
			break
		}
		fctx, cancel := context.WithTimeout(ctx, FetchTimeout)
		if s.settleOne(fctx, no) == nil {
			n++
		}
		cancel()
	}
	return n, nil
}

// SettleEvery is how often Serve looks for orders to settle with 2.2.
const SettleEvery = time.Minute

// settleLoop runs SettleOrders every SettleEvery until the server stops.
func (s *Server) settleLoop(stop <-chan struct{}) {
	defer s.loops.Done()
	// Stopping ends a settle in progress too (its 2.2 calls may each take
	// FetchTimeout while the platform is unreachable): Shutdown waits for
	// this loop.
	ctx, cancel := context.WithCancel(s.baseCtx)
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(SettleEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.SettleOrders(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("settle orders", "err", err.Error())
			}
		}
	}
}
