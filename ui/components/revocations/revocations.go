// Package revocations is the 撤销 pane: the revocation notices (2.8) and their lists.
package revocations

import (
	"context"
	"fmt"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/pane"
	"baohan/ui/program"
)

func revocationQuery(q pane.Query) store.RevocationQuery {
	return store.RevocationQuery{Filter: q.Filter}
}

// New is the 撤销 pane.
func New() *pane.Table[store.Revocation] {
	t := pane.NewTable(pane.IDRevocations, "撤销", func(r store.Revocation) string { return r.RevokeNo })
	t.LedgerOf = ledger
	t.Sorts = []string{"最新在前"}
	t.Empty = "还没有保函撤销通知（2.8）"
	pane.ReadStore(t, revocationQuery, func(q store.RevocationQuery, after store.Cursor, limit int) store.RevocationQuery {
		q.After, q.Limit = after, limit
		return q
	}, (*store.Store).ListRevocations, (*store.Store).CountRevocations)
	t.Sel = common.RevocationSel
	t.Cols = []pane.Column[store.Revocation]{
		{Title: "批次号", Whole: true, Width: 16, Cell: func(pc *program.Context, r store.Revocation) common.Cell { return common.Txt(r.RevokeNo) }},
		{Title: "标段编号", Whole: true, Width: 21, Drop: 3, Cell: func(pc *program.Context, r store.Revocation) common.Cell { return common.Txt(r.BlockNumber) }},
		{Title: "标段名称", Min: 10, Cell: func(pc *program.Context, r store.Revocation) common.Cell { return common.Txt(r.BlockName) }},
		{Title: "受益人", Min: 8, Drop: 2, Cell: func(pc *program.Context, r store.Revocation) common.Cell { return common.Txt(r.Creditor) }},
		{Title: "名单", Width: 20, Cell: func(pc *program.Context, r store.Revocation) common.Cell {
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
		{Title: "收到时间", Width: 11, Drop: 4, Cell: func(pc *program.Context, r store.Revocation) common.Cell {
			return common.Txt(common.Clock(r.ReceivedAt, common.LayoutShort))
		}},
	}
	return t
}

// ledger is the pane's 台账: the same store query as its list.
func ledger(ctx context.Context, db *store.Store, q pane.Query) (*platform.Ledger, error) {
	return platform.RevocationsLedger(ctx, db, revocationQuery(q))
}
