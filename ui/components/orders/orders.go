// Package orders is the 订单 pane: every order (2.1), by bid deadline or last update, with the time left.
package orders

import (
	"context"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/pane"
	"baohan/ui/program"
)

func orderQuery(q pane.Query) store.OrderQuery {
	oq := store.OrderQuery{Filter: q.Filter}
	switch q.View {
	case 1:
		oq.NotIssued = true
	case 2:
		oq.Status = []string{platform.OrderWaitOutGuarantee}
	case 3:
		oq.FlaggedOnly = true
	}
	if q.Sort == 1 {
		oq.Sort = store.ByUpdated
	}
	return oq
}

// New is the pane.
func New() *pane.Table[store.Order] {
	t := pane.NewTable(pane.IDOrders, "订单", func(o store.Order) string { return o.OrderNo })
	t.Views = []string{"全部", "未出函", "待出函", "已标记"}
	t.Sorts = []string{"投标截止时间", "最近更新"}
	t.Empty = "还没有订单：保函申请（2.1）到达后显示在这里"
	pane.ReadStore(t, orderQuery, func(q store.OrderQuery, after store.Cursor, limit int) store.OrderQuery {
		q.After, q.Limit = after, limit
		return q
	}, (*store.Store).ListOrders, (*store.Store).CountOrders)
	t.Sel = common.OrderSel
	t.IsNew = func(pc *program.Context, o store.Order) bool { return pc.NewRefs[o.OrderNo] }
	t.Alert = func(pc *program.Context, o store.Order) string { return pc.DeadlineAlert(o) }
	t.LedgerOf = ledger
	t.Cols = []pane.Column[store.Order]{
		{Title: "订单编号", Whole: true, Width: 12, Cell: func(pc *program.Context, o store.Order) common.Cell { return common.Txt(o.OrderNo) }},
		{Title: "状态", Width: 10, Cell: func(pc *program.Context, o store.Order) common.Cell {
			if o.Flagged {
				return common.Styled("标记/"+common.OrderState(o.OrderStatus), common.StyleWarn)
			}
			return common.Txt(common.OrderState(o.OrderStatus))
		}},
		{Title: "投标截止", Width: 11, Drop: 4, Wide: 100, Cell: func(pc *program.Context, o store.Order) common.Cell {
			return common.Txt(common.DeadlineShort(o.BidDeadline))
		}},
		{Title: "剩余", Width: 14, Cell: func(pc *program.Context, o store.Order) common.Cell {
			if platform.OrderIssued(o.OrderStatus) {
				return common.Styled("-", common.StyleDim)
			}
			s, urgent := common.Countdown(o.BidDeadline, pc.Now())
			if urgent {
				return common.Styled("!"+s, common.StyleUrgent)
			}
			return common.Txt(s)
		}},
		// On a narrow screen the long project name goes first, the money
		// last; below 100 cells the countdown stands for the deadline.
		{Title: "标段名称", Min: 12, Drop: 5, Wide: 100, Cell: func(pc *program.Context, o store.Order) common.Cell { return common.Txt(o.BlockName) }},
		{Title: "被保证人", Min: 8, Drop: 2, Cell: func(pc *program.Context, o store.Order) common.Cell { return common.Txt(o.Principal) }},
		{Title: "担保金额(元)", Whole: true, Width: 14, Drop: 1, Right: true, Cell: func(pc *program.Context, o store.Order) common.Cell {
			return common.Txt(common.Money(o.GuaranteeAmount))
		}},
		{Title: "受益人", Min: 12, Drop: 6, Wide: 140, Cell: func(pc *program.Context, o store.Order) common.Cell { return common.Txt(o.Creditor) }},
	}
	return t
}

// ledger is the pane's 台账: the same store query as its list.
func ledger(ctx context.Context, db *store.Store, q pane.Query) (*platform.Ledger, error) {
	return platform.OrdersLedger(ctx, db, orderQuery(q))
}
