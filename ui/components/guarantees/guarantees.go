// Package guarantees is the 保函 pane: the guarantees pushed (2.5) and their 解保 state.
package guarantees

import (
	"context"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/pane"
	"baohan/ui/program"
)

func guaranteeQuery(q pane.Query) store.GuaranteeQuery {
	return store.GuaranteeQuery{Filter: q.Filter, Unreleased: q.View == 1}
}

// New is the pane.
func New() *pane.Table[store.Guarantee] {
	t := pane.NewTable(pane.IDGuarantees, "保函", func(g store.Guarantee) string { return g.GuaranteeNo })
	t.Views = []string{"全部", "未解保"}
	t.LedgerOf = ledger
	t.Sorts = []string{"最新在前"}
	t.Empty = "还没有保函：在订单上按 p 推送电子保函"
	pane.ReadStore(t, guaranteeQuery, func(q store.GuaranteeQuery, after store.Cursor, limit int) store.GuaranteeQuery {
		q.After, q.Limit = after, limit
		return q
	}, (*store.Store).ListGuarantees, (*store.Store).CountGuarantees)
	t.Sel = common.GuaranteeSel
	t.Cols = []pane.Column[store.Guarantee]{
		{Title: "保函编号", Whole: true, Width: 14, Cell: func(pc *program.Context, g store.Guarantee) common.Cell { return common.Txt(g.GuaranteeNo) }},
		{Title: "订单编号", Whole: true, Width: 12, Drop: 3, Cell: func(pc *program.Context, g store.Guarantee) common.Cell { return common.Txt(g.OrderNo) }},
		{Title: "保函序列号", Whole: true, Width: 18, Drop: 2, Cell: func(pc *program.Context, g store.Guarantee) common.Cell {
			if g.SerialNum == "" {
				return common.Styled("(无)", common.StyleDim)
			}
			return common.Txt(g.SerialNum)
		}},
		{Title: "被保证人", Min: 8, Cell: func(pc *program.Context, g store.Guarantee) common.Cell { return common.Txt(g.Principal) }},
		{Title: "标段名称", Min: 8, Drop: 6, Cell: func(pc *program.Context, g store.Guarantee) common.Cell { return common.Txt(g.BlockName) }},
		{Title: "出函时间", Width: 16, Drop: 5, Cell: func(pc *program.Context, g store.Guarantee) common.Cell {
			if len(g.OutGuaranteeTime) >= 16 {
				return common.Txt(g.OutGuaranteeTime[:16])
			}
			return common.Txt(g.OutGuaranteeTime)
		}},
		{Title: "解保状态", Width: 10, Cell: func(pc *program.Context, g store.Guarantee) common.Cell {
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

// ledger is the pane's 台账: the same store query as its list.
func ledger(ctx context.Context, db *store.Store, q pane.Query) (*platform.Ledger, error) {
	return platform.GuaranteesLedger(ctx, db, guaranteeQuery(q))
}
