// Package claims is the 理赔 pane: the claims (3.1) and their states.
package claims

import (
	"context"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/pane"
	"baohan/ui/program"
)

func claimQuery(q pane.Query) store.ClaimQuery {
	cq := store.ClaimQuery{Filter: q.Filter}
	if q.View == 1 {
		cq.Status = []string{platform.ClaimApplyWaitDeal, platform.ClaimDealPass}
	}
	return cq
}

// New is the pane.
func New() *pane.Table[store.Claim] {
	t := pane.NewTable(pane.IDClaims, "理赔", func(c store.Claim) string { return c.ClaimNo })
	t.Views = []string{"全部", "待处理"}
	t.Sorts = []string{"最近更新"}
	t.Empty = "还没有理赔申请（3.1）"
	pane.ReadStore(t, claimQuery, func(q store.ClaimQuery, after store.Cursor, limit int) store.ClaimQuery {
		q.After, q.Limit = after, limit
		return q
	}, (*store.Store).ListClaims, (*store.Store).CountClaims)
	t.Sel = common.ClaimSel
	t.IsNew = func(pc *program.Context, c store.Claim) bool { return pc.NewRefs[c.ClaimNo] }
	t.LedgerOf = ledger
	t.Cols = []pane.Column[store.Claim]{
		{Title: "理赔序列号", Whole: true, Width: 16, Cell: func(pc *program.Context, c store.Claim) common.Cell { return common.Txt(c.ClaimNo) }},
		{Title: "状态", Width: 16, Cell: func(pc *program.Context, c store.Claim) common.Cell {
			if platform.ClaimAwaitsAction(c.Status) {
				return common.Styled(common.ClaimState(c.Status), common.StyleWarn)
			}
			return common.Txt(common.ClaimState(c.Status))
		}},
		{Title: "保函编号", Whole: true, Width: 14, Drop: 3, Cell: func(pc *program.Context, c store.Claim) common.Cell { return common.Txt(c.GuaranteeNo) }},
		{Title: "被保证人", Min: 8, Cell: func(pc *program.Context, c store.Claim) common.Cell { return common.Txt(c.Principal) }},
		{Title: "索赔金额(元)", Whole: true, Width: 14, Drop: 2, Right: true, Cell: func(pc *program.Context, c store.Claim) common.Cell { return common.Txt(common.Money(c.ClaimAmount)) }},
		{Title: "受益人", Min: 8, Drop: 6, Cell: func(pc *program.Context, c store.Claim) common.Cell { return common.Txt(c.Creditor) }},
		{Title: "更新", Width: 11, Drop: 5, Cell: func(pc *program.Context, c store.Claim) common.Cell {
			return common.Txt(common.Clock(c.UpdatedAt, common.LayoutShort))
		}},
	}
	return t
}

// ledger is the pane's 台账: the same store query as its list.
func ledger(ctx context.Context, db *store.Store, q pane.Query) (*platform.Ledger, error) {
	return platform.ClaimsLedger(ctx, db, claimQuery(q))
}
