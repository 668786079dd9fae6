package ui

import (
	"baohan/ui/common"
	"baohan/ui/program"
	"context"
	"fmt"
	"strconv"

	"baohan/platform"
	"baohan/store"
)

// The list panes: 订单, 保函, 撤销, 理赔, 日志. Each reads its page of the
// store with the store's keyset cursors (see pager).

// notIssuedStates are the 5.4 states of an order still to be issued.
func notIssuedStates() []string {
	var out []string
	for _, s := range platform.OrderStates {
		if !platform.OrderIssued(s.Code) {
			out = append(out, s.Code)
		}
	}
	return out
}

// page turns a store list's answer into a fetchFunc's.
func page[T any](rows []T, next store.Cursor, err error) ([]T, string, error) {
	return rows, string(next), err
}

// ---- 订单 ----

func orderQuery(q listQuery) store.OrderQuery {
	oq := store.OrderQuery{Filter: q.filter}
	switch q.view {
	case 1:
		oq.Status = notIssuedStates()
	case 2:
		oq.Status = []string{platform.OrderWaitOutGuarantee}
	case 3:
		oq.FlaggedOnly = true
	}
	if q.sort == 1 {
		oq.Sort = store.ByUpdated
	}
	return oq
}

func newOrdersPane() *tablePane[store.Order] {
	t := newTable(paneOrders, "订单", func(o store.Order) string { return o.OrderNo })
	t.views = []string{"全部", "未出函", "待出函", "已标记"}
	t.sorts = []string{"投标截止时间", "最近更新"}
	t.empty = "还没有订单：保函申请（2.1）到达后显示在这里"
	t.fetch = func(db *store.Store, q listQuery) fetchFunc[store.Order] {
		return func(ctx context.Context, after string, limit int) ([]store.Order, string, error) {
			t := orderQuery(q)
			t.After, t.Limit = store.Cursor(after), limit
			return page(db.ListOrders(ctx, t))
		}
	}
	t.count = func(ctx context.Context, db *store.Store, q listQuery) (int, error) {
		return db.CountOrders(ctx, orderQuery(q))
	}
	t.sel = common.OrderSel
	t.isNew = func(pc *program.Context, o store.Order) bool { return pc.NewRefs[o.OrderNo] }
	t.alert = func(pc *program.Context, o store.Order) string { return pc.DeadlineAlert(o) }
	t.ledgerOf = ordersLedger
	t.cols = []column[store.Order]{
		{title: "订单编号", whole: true, width: 12, cell: func(pc *program.Context, o store.Order) common.Cell { return common.Txt(o.OrderNo) }},
		{title: "状态", width: 10, cell: func(pc *program.Context, o store.Order) common.Cell {
			if o.Flagged {
				return common.Styled("标记/"+common.OrderState(o.OrderStatus), common.StyleWarn)
			}
			return common.Txt(common.OrderState(o.OrderStatus))
		}},
		{title: "投标截止", width: 11, drop: 3, cell: func(pc *program.Context, o store.Order) common.Cell {
			return common.Txt(common.DeadlineShort(o.BidDeadline))
		}},
		{title: "剩余", width: 14, cell: func(pc *program.Context, o store.Order) common.Cell {
			if platform.OrderIssued(o.OrderStatus) {
				return common.Styled("-", common.StyleDim)
			}
			s, urgent := common.Countdown(o.BidDeadline, pc.Now())
			if urgent {
				return common.Styled("!"+s, common.StyleUrgent)
			}
			return common.Txt(s)
		}},
		{title: "标段名称", min: 12, cell: func(pc *program.Context, o store.Order) common.Cell { return common.Txt(o.BlockName) }},
		{title: "被保证人", min: 8, drop: 2, cell: func(pc *program.Context, o store.Order) common.Cell { return common.Txt(o.Principal) }},
		{title: "担保金额(元)", whole: true, width: 14, drop: 4, right: true, cell: func(pc *program.Context, o store.Order) common.Cell {
			return common.Txt(common.Money(o.GuaranteeAmount))
		}},
		{title: "受益人", min: 12, drop: 5, wide: 140, cell: func(pc *program.Context, o store.Order) common.Cell { return common.Txt(o.Creditor) }},
	}
	return t
}

// ---- 保函 ----

func guaranteeQuery(q listQuery) store.GuaranteeQuery {
	return store.GuaranteeQuery{Filter: q.filter, Unreleased: q.view == 1}
}

func newGuaranteesPane() *tablePane[store.Guarantee] {
	t := newTable(paneGuarantees, "保函", func(g store.Guarantee) string { return g.GuaranteeNo })
	t.views = []string{"全部", "未解保"}
	t.ledgerOf = guaranteesLedger
	t.sorts = []string{"最新在前"}
	t.empty = "还没有保函：在订单上按 p 推送电子保函"
	t.fetch = func(db *store.Store, q listQuery) fetchFunc[store.Guarantee] {
		return func(ctx context.Context, after string, limit int) ([]store.Guarantee, string, error) {
			gq := guaranteeQuery(q)
			gq.After, gq.Limit = store.Cursor(after), limit
			return page(db.ListGuarantees(ctx, gq))
		}
	}
	t.count = func(ctx context.Context, db *store.Store, q listQuery) (int, error) {
		return db.CountGuarantees(ctx, guaranteeQuery(q))
	}
	t.sel = common.GuaranteeSel
	t.cols = []column[store.Guarantee]{
		{title: "保函编号", whole: true, width: 14, cell: func(pc *program.Context, g store.Guarantee) common.Cell { return common.Txt(g.GuaranteeNo) }},
		{title: "订单编号", whole: true, width: 12, drop: 3, cell: func(pc *program.Context, g store.Guarantee) common.Cell { return common.Txt(g.OrderNo) }},
		{title: "保函序列号", whole: true, width: 18, drop: 2, cell: func(pc *program.Context, g store.Guarantee) common.Cell {
			if g.SerialNum == "" {
				return common.Styled("(无)", common.StyleDim)
			}
			return common.Txt(g.SerialNum)
		}},
		{title: "被保证人", min: 8, cell: func(pc *program.Context, g store.Guarantee) common.Cell { return common.Txt(g.Principal) }},
		{title: "标段名称", min: 8, drop: 6, cell: func(pc *program.Context, g store.Guarantee) common.Cell { return common.Txt(g.BlockName) }},
		{title: "出函时间", width: 16, drop: 5, cell: func(pc *program.Context, g store.Guarantee) common.Cell {
			if len(g.OutGuaranteeTime) >= 16 {
				return common.Txt(g.OutGuaranteeTime[:16])
			}
			return common.Txt(g.OutGuaranteeTime)
		}},
		{title: "解保状态", width: 10, cell: func(pc *program.Context, g store.Guarantee) common.Cell {
			s := common.ReleaseShort(g)
			switch g.ReleaseStatus {
			case platform.ReleaseAwaiting:
				return common.Styled(s, common.StyleWarn)
			case platform.ReleasePenalty:
				return common.Styled(s, common.StyleUrgent)
			}
			return common.Txt(s)
		}},
	}
	return t
}

// ---- 撤销 ----

func newRevocationsPane() *tablePane[store.Revocation] {
	t := newTable(paneRevocations, "撤销", func(r store.Revocation) string { return r.RevokeNo })
	t.ledgerOf = revocationsLedger
	t.sorts = []string{"最新在前"}
	t.empty = "还没有保函撤销通知（2.8）"
	t.fetch = func(db *store.Store, q listQuery) fetchFunc[store.Revocation] {
		return func(ctx context.Context, after string, limit int) ([]store.Revocation, string, error) {
			return page(db.ListRevocations(ctx, store.RevocationQuery{Filter: q.filter, After: store.Cursor(after), Limit: limit}))
		}
	}
	t.count = func(ctx context.Context, db *store.Store, q listQuery) (int, error) {
		return db.CountRevocations(ctx, store.RevocationQuery{Filter: q.filter})
	}
	t.sel = common.RevocationSel
	t.cols = []column[store.Revocation]{
		{title: "批次号", whole: true, width: 16, cell: func(pc *program.Context, r store.Revocation) common.Cell { return common.Txt(r.RevokeNo) }},
		{title: "标段编号", whole: true, width: 21, drop: 3, cell: func(pc *program.Context, r store.Revocation) common.Cell { return common.Txt(r.BlockNumber) }},
		{title: "标段名称", min: 10, cell: func(pc *program.Context, r store.Revocation) common.Cell { return common.Txt(r.BlockName) }},
		{title: "受益人", min: 8, drop: 2, cell: func(pc *program.Context, r store.Revocation) common.Cell { return common.Txt(r.Creditor) }},
		{title: "名单", width: 20, cell: func(pc *program.Context, r store.Revocation) common.Cell {
			n := map[string]int{}
			for _, it := range r.Items {
				n[it.List]++
			}
			s := fmt.Sprintf("当次%d 已发起%d", n[store.ListCurrent], n[store.ListSuccess])
			if n[store.ListPenalty] > 0 {
				return common.Styled(s+fmt.Sprintf(" 罚没%d", n[store.ListPenalty]), common.StyleWarn)
			}
			return common.Txt(s)
		}},
		{title: "收到时间", width: 11, drop: 4, cell: func(pc *program.Context, r store.Revocation) common.Cell {
			return common.Txt(common.Clock(r.ReceivedAt, common.LayoutShort))
		}},
	}
	return t
}

// ---- 理赔 ----

func claimQuery(q listQuery) store.ClaimQuery {
	cq := store.ClaimQuery{Filter: q.filter}
	if q.view == 1 {
		cq.Status = []string{platform.ClaimApplyWaitDeal, platform.ClaimDealPass}
	}
	return cq
}

func newClaimsPane() *tablePane[store.Claim] {
	t := newTable(paneClaims, "理赔", func(c store.Claim) string { return c.ClaimNo })
	t.views = []string{"全部", "待处理"}
	t.sorts = []string{"最近更新"}
	t.empty = "还没有理赔申请（3.1）"
	t.fetch = func(db *store.Store, q listQuery) fetchFunc[store.Claim] {
		return func(ctx context.Context, after string, limit int) ([]store.Claim, string, error) {
			cq := claimQuery(q)
			cq.After, cq.Limit = store.Cursor(after), limit
			return page(db.ListClaims(ctx, cq))
		}
	}
	t.count = func(ctx context.Context, db *store.Store, q listQuery) (int, error) {
		return db.CountClaims(ctx, claimQuery(q))
	}
	t.sel = common.ClaimSel
	t.isNew = func(pc *program.Context, c store.Claim) bool { return pc.NewRefs[c.ClaimNo] }
	t.ledgerOf = claimsLedger
	t.cols = []column[store.Claim]{
		{title: "理赔序列号", whole: true, width: 16, cell: func(pc *program.Context, c store.Claim) common.Cell { return common.Txt(c.ClaimNo) }},
		{title: "状态", width: 16, cell: func(pc *program.Context, c store.Claim) common.Cell {
			if platform.ClaimAwaitsAction(c.Status) {
				return common.Styled(common.ClaimState(c.Status), common.StyleWarn)
			}
			return common.Txt(common.ClaimState(c.Status))
		}},
		{title: "保函编号", whole: true, width: 14, drop: 3, cell: func(pc *program.Context, c store.Claim) common.Cell { return common.Txt(c.GuaranteeNo) }},
		{title: "被保证人", min: 8, cell: func(pc *program.Context, c store.Claim) common.Cell { return common.Txt(c.Principal) }},
		{title: "索赔金额(元)", whole: true, width: 14, drop: 2, right: true, cell: func(pc *program.Context, c store.Claim) common.Cell { return common.Txt(common.Money(c.ClaimAmount)) }},
		{title: "受益人", min: 8, drop: 6, cell: func(pc *program.Context, c store.Claim) common.Cell { return common.Txt(c.Creditor) }},
		{title: "更新", width: 11, drop: 5, cell: func(pc *program.Context, c store.Claim) common.Cell {
			return common.Txt(common.Clock(c.UpdatedAt, common.LayoutShort))
		}},
	}
	return t
}

// ---- 日志 ----

var logKinds = []string{"", store.KindCallback, store.KindCall, store.KindFlag, store.KindFault}

func newLogPane() *tablePane[store.Event] {
	t := newTable(paneLog, "日志", func(e store.Event) string { return strconv.FormatInt(e.ID, 10) })
	t.views = []string{"全部", "收到的回调", "发出的调用", "标记", "故障"}
	t.sorts = []string{"最新在前"}
	t.empty = "还没有日志：每个收到的回调和发出的调用都记在这里"
	t.filter.Placeholder = "方法、编号、摘要"
	t.fetch = func(db *store.Store, q listQuery) fetchFunc[store.Event] {
		return func(ctx context.Context, after string, limit int) ([]store.Event, string, error) {
			eq := store.EventQuery{Filter: q.filter, Kind: logKinds[q.view], Limit: limit}
			if after != "" {
				id, err := strconv.ParseInt(after, 10, 64)
				if err != nil {
					return nil, "", fmt.Errorf("bad event cursor %q", after)
				}
				eq.Before = id
			}
			evs, err := db.ListEvents(ctx, eq)
			if err != nil {
				return nil, "", err
			}
			next := ""
			if len(evs) == limit && len(evs) > 0 && evs[len(evs)-1].ID > 1 {
				next = strconv.FormatInt(evs[len(evs)-1].ID, 10)
			}
			return evs, next, nil
		}
	}
	t.count = func(ctx context.Context, db *store.Store, q listQuery) (int, error) {
		if q.view != 0 || q.filter != "" {
			return -1, nil // not counted
		}
		// Events are never deleted: the last id is their number.
		id, err := db.LastEventID(ctx)
		return int(id), err
	}
	t.sel = common.EventSel
	t.cols = []column[store.Event]{
		{title: "时间", width: 14, cell: func(pc *program.Context, e store.Event) common.Cell {
			return common.Txt(common.Clock(e.At, common.LayoutLog))
		}},
		{title: "方向", width: 4, cell: func(pc *program.Context, e store.Event) common.Cell { return common.Txt(common.Direction(e.Direction)) }},
		{title: "方法", width: 18, cell: func(pc *program.Context, e store.Event) common.Cell {
			c := common.Txt(common.MethodName(e.Method, e.Direction))
			switch e.Kind {
			case store.KindFlag:
				c = common.Styled("标记 "+c.Text, common.StyleWarn)
			case store.KindFault:
				c = common.Styled("故障 "+c.Text, common.StyleErr)
			}
			return c
		}},
		{title: "编号", whole: true, width: 12, drop: 3, cell: func(pc *program.Context, e store.Event) common.Cell { return common.Txt(e.Ref) }},
		{title: "状态", width: 5, right: true, cell: func(pc *program.Context, e store.Event) common.Cell {
			if e.Status == 0 {
				return common.Txt("")
			}
			if e.Status != platform.StatusOK {
				return common.Styled(strconv.Itoa(e.Status), common.StyleErr)
			}
			return common.Txt(strconv.Itoa(e.Status))
		}},
		{title: "耗时", width: 7, drop: 4, right: true, cell: func(pc *program.Context, e store.Event) common.Cell {
			if e.LatencyMS == 0 && e.Direction != store.DirOut {
				return common.Txt("")
			}
			return common.Txt(fmt.Sprintf("%dms", e.LatencyMS))
		}},
		{title: "摘要", min: 16, drop: 2, cell: func(pc *program.Context, e store.Event) common.Cell { return common.Txt(e.Summary) }},
	}
	return t
}
