// Package log is the 日志 pane: the event journal, every callback received and call sent.
package log

import (
	"context"
	"fmt"
	"strconv"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/components/pane"
	"baohan/ui/program"
)

var logKinds = []string{"", store.KindCallback, store.KindCall, store.KindFlag, store.KindFault}

// New is the pane.
func New() *pane.Table[store.Event] {
	t := pane.NewTable(pane.IDLog, "日志", func(e store.Event) string { return strconv.FormatInt(e.ID, 10) })
	t.Views = []string{"全部", "收到的回调", "发出的调用", "标记", "故障"}
	t.Sorts = []string{"最新在前"}
	t.Empty = "还没有日志：每个收到的回调和发出的调用都记在这里"
	t.Search.Placeholder = "方法、编号、摘要"
	t.Fetch = func(db *store.Store, q pane.Query) pane.FetchFunc[store.Event] {
		return func(ctx context.Context, after string, limit int) ([]store.Event, string, error) {
			eq := store.EventQuery{Filter: q.Filter, Kind: logKinds[q.View], Limit: limit}
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
	t.Count = func(ctx context.Context, db *store.Store, q pane.Query) (int, error) {
		if q.View != 0 || q.Filter != "" {
			return -1, nil // not counted
		}
		// Events are never deleted: the last id is their number.
		id, err := db.LastEventID(ctx)
		return int(id), err
	}
	t.Sel = common.EventSel
	t.Cols = []pane.Column[store.Event]{
		{Title: "时间", Width: 14, Cell: func(pc *program.Context, e store.Event) common.Cell {
			return common.Txt(common.Clock(e.At, common.LayoutLog))
		}},
		{Title: "方向", Width: 4, Cell: func(pc *program.Context, e store.Event) common.Cell { return common.Txt(common.EventDirection(e)) }},
		{Title: "方法", Width: 18, Cell: func(pc *program.Context, e store.Event) common.Cell {
			c := common.Txt(common.MethodName(e.Method, e.Direction))
			switch e.Kind {
			case platform.KindIssued:
				c = common.Txt("签发电子保函")
			case store.KindFlag:
				c = common.Styled("标记 "+c.Text, common.StyleWarn)
			case store.KindFault:
				c = common.Styled("故障 "+c.Text, common.StyleErr)
			}
			return c
		}},
		{Title: "编号", Whole: true, Width: 12, Drop: 3, Cell: func(pc *program.Context, e store.Event) common.Cell { return common.Txt(e.Ref) }},
		{Title: "状态", Width: 5, Right: true, Cell: func(pc *program.Context, e store.Event) common.Cell {
			if e.Status == 0 {
				return common.Txt("")
			}
			if e.Status != platform.StatusOK {
				return common.Styled(strconv.Itoa(e.Status), common.StyleErr)
			}
			return common.Txt(strconv.Itoa(e.Status))
		}},
		{Title: "耗时", Width: 7, Drop: 4, Right: true, Cell: func(pc *program.Context, e store.Event) common.Cell {
			if e.LatencyMS == 0 && e.Direction != store.DirOut {
				return common.Txt("")
			}
			return common.Txt(fmt.Sprintf("%dms", e.LatencyMS))
		}},
		{Title: "摘要", Min: 16, Drop: 2, Cell: func(pc *program.Context, e store.Event) common.Cell { return common.Txt(e.Summary) }},
	}
	return t
}
