package listener

import (
	"errors"
	"fmt"

	"baohan/platform"
	"baohan/store"
)

// handleApplyGuarantee serves 2.1 保函申请订单: a new order. It is stored
// once per order_no and answered with [apply] from the config.
func handleApplyGuarantee(s *Server, c *call) (*result, error) {
	if err := c.requestMethod(platform.CallbackApplyGuarantee); err != nil {
		return nil, err
	}
	if err := c.require(platform.ApplyGuaranteeRequired...); err != nil {
		return nil, err
	}
	var m platform.ApplyGuarantee
	if err := c.decode(&m); err != nil {
		return nil, err
	}
	orderNo := string(m.OrderNo)
	answer := okAnswer(s.cfg.Apply)
	detail := c.detail()
	return s.idempotent(c, orderNo, answer, func(tx *store.Tx) error {
		if err := c.checkTimestamp(); err != nil {
			return err
		}
		o := store.Order{
			OrderNo:            orderNo,
			OrderStatus:        s.cfg.Apply.OrderStatus,
			BlockNumber:        string(m.BlockNumber),
			BlockName:          string(m.BlockName),
			Principal:          string(m.Principal),
			Creditor:           string(m.Creditor),
			GuaranteeAmount:    string(m.GuaranteeAmount),
			BidDeadline:        string(m.BidDeadline),
			ValidDay:           string(m.ValidDay),
			ProjectType:        string(m.ProjectType),
			GuaranteeStartDate: string(m.GuaranteeStartDate),
			GuaranteeEndDate:   string(m.GuaranteeEndDate),
			Fields:             detail,
			Raw:                detail,
		}
		if o.OrderStatus == "" {
			o.OrderStatus = string(m.OrderStatus)
		}
		// An order already known (from a 2.2 refresh after an early 2.4)
		// keeps the status it has: this 2.1 arrived late.
		old, err := tx.GetOrder(orderNo)
		switch {
		case err == nil && old.OrderStatus != "":
			o.OrderStatus = ""
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
		if err := tx.UpsertOrder(o); err != nil {
			return err
		}
		summary := fmt.Sprintf("新订单 %s %s，担保金额 %s 元，被保证人 %s", orderNo, m.BlockName, m.GuaranteeAmount, m.Principal)
		_, err = tx.AddEvent(c.event(orderNo, summary))
		return err
	})
}
