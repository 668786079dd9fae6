// Package todo is `baohan todo`: 待办, what waits for the clerk now, as
// the desk's 待办 pane shows it (platform.Todo).
package todo

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli/cmdutil"
)

// TodoOptions are what `todo` needs.
type TodoOptions struct {
	Store   func() (*store.Store, error)
	Print   cmdutil.PrintFunc
	Now     func() time.Time
	Context context.Context
}

// NewCmdTodo is `baohan todo`.
func NewCmdTodo(f *cmdutil.Factory, runF func(*TodoOptions) error) *cobra.Command {
	opts := &TodoOptions{Store: f.StoreOnly, Print: f.Print, Now: time.Now}
	return &cobra.Command{
		Use:   "todo",
		Short: "待办：待出函的订单、待解保的保函、理赔、标记的订单、暂存回调、结果未知的调用、近期故障",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return todoRun(opts)
		},
	}
}

func todoRun(opts *TodoOptions) error {
	s, err := opts.Store()
	if err != nil {
		return err
	}
	now := opts.Now()
	t, err := platform.Todo(opts.Context, s, now)
	if err != nil {
		return err
	}
	return opts.Print(t, func(w io.Writer) { writeText(w, t, now) })
}

func stamp(ms int64) string {
	return time.UnixMilli(ms).In(platform.CST).Format(platform.DateTimeLayout)
}

// writeText is 待办 as the clerk reads it: the sections of the desk's pane,
// each a heading with its count and a table.
func writeText(w io.Writer, t *platform.TodoList, now time.Time) {
	section := func(title string, shown, total int, rows [][]string) {
		h := fmt.Sprintf("%s %d", title, total)
		if total > shown {
			h += fmt.Sprintf("（显示前 %d）", shown)
		}
		fmt.Fprintln(w, h)
		if total == 0 {
			fmt.Fprintln(w, "  无")
			return
		}
		for i := range rows {
			rows[i][0] = "  " + rows[i][0]
		}
		cmdutil.WriteTable(w, rows)
	}
	if len(t.Faults) > 0 {
		var rows [][]string
		for _, e := range t.Faults {
			rows = append(rows, []string{stamp(e.At), e.Summary})
		}
		title := "故障（近 24 小时）"
		if t.MoreFaults {
			title = fmt.Sprintf("故障（近 24 小时，显示最近 %d 条）", len(t.Faults))
		}
		section(title, len(t.Faults), len(t.Faults), rows)
	}
	if len(t.Unresolved) > 0 {
		var rows [][]string
		for _, a := range t.Unresolved {
			rows = append(rows, []string{platform.MethodTitle(a.Method), a.Ref, stamp(a.StartedAt)})
		}
		section("结果未知的调用（需核对，运行 baohan reconcile）", len(rows), len(rows), rows)
	}
	p := t.Pending
	if p.HeldTotal > 0 {
		var rows [][]string
		for _, h := range p.Held {
			rows = append(rows, []string{"#" + strconv.FormatInt(h.ID, 10), platform.CallbackTitle(h.Method), h.Ref, stamp(h.ReceivedAt), h.Reason})
		}
		section("暂存的回调（核对未通过，用 baohan held accept|dismiss 处理）", len(p.Held), p.HeldTotal, rows)
	}
	var rows [][]string
	for _, o := range p.Orders {
		mark := ""
		if a, _ := platform.OrderDeadlineAlert(o, now); a != platform.NoAlert {
			mark = "!" // within 24 hours of its bid deadline, not issued
		}
		rows = append(rows, []string{mark, o.OrderNo, platform.OrderStateName(o.OrderStatus), o.BlockName, o.BidDeadline, timeLeft(o.BidDeadline, now)})
	}
	section("未出函订单（按投标截止时间；! 为不到 24 小时截止）", len(p.Orders), p.OrdersTotal, rows)
	rows = nil
	for _, r := range p.Releases {
		what := "撤销 " + r.RevokeNo
		if r.DoubtAt != 0 {
			what += "；解保结果不明，请再次解保以确认"
		}
		rows = append(rows, []string{r.GuaranteeNo, r.SerialNum, r.BlockNumber, r.Creditor, what})
	}
	section("待解保（收到撤销通知）", len(p.Releases), p.ReleasesTotal, rows)
	rows = nil
	for _, c := range p.Claims {
		rows = append(rows, []string{c.ClaimNo, platform.ClaimStateName(c.Status), "保函 " + c.GuaranteeNo, "索赔 " + c.ClaimAmount + " 元"})
	}
	section("待处理理赔（待受理、待结果）", len(p.Claims), p.ClaimsTotal, rows)
	rows = nil
	for _, o := range p.Flagged {
		rows = append(rows, []string{o.OrderNo, platform.OrderStateName(o.OrderStatus), o.FlagReason})
	}
	section("标记的回调（需核对）", len(p.Flagged), p.FlaggedTotal, rows)
}

// timeLeft is the time to a bid deadline ("剩 3 小时", "已过 2 天"), "" when
// the deadline does not read.
func timeLeft(deadline string, now time.Time) string {
	d, err := platform.ParseDeadline(deadline)
	if err != nil {
		return ""
	}
	if left := d.Sub(now); left < 0 {
		return "已过 " + platform.Span(left)
	}
	return "剩 " + platform.Span(d.Sub(now))
}
