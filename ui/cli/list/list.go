// Package list is `baohan list orders|guarantees|revocations|claims|held`:
// what the local store holds.
package list

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/records"
)

// Limit bounds what list prints; the store holds more than a terminal.
const Limit = 100000

// Kinds are what list lists.
var Kinds = []string{"orders", "guarantees", "revocations", "claims", "held"}

// kindNames are the kinds in the clerk's words.
var kindNames = map[string]string{"orders": "订单", "guarantees": "保函", "revocations": "撤销", "claims": "理赔", "held": "暂存回调"}

// ListOptions are what `list KIND` needs.
type ListOptions struct {
	Store   func() (*store.Store, error)
	Print   cmdutil.PrintFunc
	ErrOut  io.Writer
	Context context.Context
	Kind    string
	// The filters list and export share (interface.md).
	Status, Search, Since, Until string
}

// FilterFlags are the filters list and export share (interface.md).
func FilterFlags(c *cobra.Command, status, search, since, until *string) {
	c.Flags().StringVar(status, "status", "", "状态代码或其中文含义（订单、理赔：多个用逗号分隔；保函：unreleased 未解保 | released 已解保；暂存回调：held | accepted | dismissed）")
	c.Flags().StringVar(search, "search", "", "编号（订单编号、保函编号、标段编号、序列号）或名称中的一段")
	c.Flags().StringVar(since, "since", "", "收到时间不早于 DATE（YYYY-MM-DD 或 \"YYYY-MM-DD HH:MM:SS\"，北京时间）")
	c.Flags().StringVar(until, "until", "", "收到时间不晚于 DATE（只给日期时含当天全天）")
}

// NewCmdList is `baohan list`; runF, when given, runs instead of each
// kind's listing.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	c := &cobra.Command{Use: "list", Short: "列出本地记录：订单、保函、撤销、理赔、暂存回调"}
	for _, kind := range Kinds {
		opts := &ListOptions{Store: f.StoreOnly, Print: f.Print, ErrOut: f.IOStreams.ErrOut, Kind: kind}
		sub := &cobra.Command{
			Use:   kind,
			Short: "列出" + kindNames[kind],
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				opts.Context = cmd.Context()
				if runF != nil {
					return runF(opts)
				}
				return listRun(opts)
			},
		}
		FilterFlags(sub, &opts.Status, &opts.Search, &opts.Since, &opts.Until)
		c.AddCommand(sub)
	}
	return c
}

// filter is the query the filter flags ask for; a usage error (exit 2)
// before any store is opened.
func filter(opts *ListOptions) (platform.LedgerFilter, error) {
	if opts.Kind != "held" {
		return platform.ParseLedgerFilter(opts.Kind, opts.Status, opts.Search, opts.Since, opts.Until)
	}
	if opts.Since != "" || opts.Until != "" {
		return platform.LedgerFilter{}, cli.UsageErr("list held 不支持 --since/--until")
	}
	if opts.Status != "" && !slices.Contains([]string{store.HeldHeld, store.HeldAccepted, store.HeldDismissed}, opts.Status) {
		return platform.LedgerFilter{}, cli.UsageErr("list held 的 --status 只能是 held、accepted 或 dismissed")
	}
	f := platform.LedgerFilter{Search: opts.Search}
	if opts.Status != "" {
		f.Status = []string{opts.Status}
	}
	return f, nil
}

func listRun(opts *ListOptions) error {
	f, err := filter(opts)
	if err != nil {
		return err
	}
	s, err := opts.Store()
	if err != nil {
		return err
	}
	if err := list(opts.Context, s, opts.Kind, f, opts.Print); err != nil {
		return err
	}
	NoteUnresolved(opts.Context, s, opts.ErrOut)
	return nil
}

// table is a listing's --json array and its text table.
func table[R any](print cmdutil.PrintFunc, rows []R, header []string, line func(R) []string) error {
	return print(rows, func(w io.Writer) {
		t := [][]string{header}
		for _, r := range rows {
			t = append(t, line(r))
		}
		cmdutil.WriteTable(w, t)
	})
}

func list(ctx context.Context, s *store.Store, kind string, f platform.LedgerFilter, print cmdutil.PrintFunc) error {
	switch kind {
	case "orders":
		rows, err := collect(func(c store.Cursor) ([]store.Order, store.Cursor, error) {
			q := f.OrderQuery()
			q.After, q.Limit = c, 500
			return s.ListOrders(ctx, q)
		}, records.OrderOf)
		if err == nil {
			err = records.AddOrderFiles(ctx, s, rows)
		}
		if err != nil {
			return err
		}
		return table(print, rows, []string{"订单编号", "订单状态", "标段编号", "被保证人", "受益人", "担保金额", "投标截止"}, func(o records.Order) []string {
			return []string{o.OrderNo, platform.OrderStateText(o.OrderStatus), o.BlockNumber, o.Principal, o.Creditor, o.GuaranteeAmount, o.BidDeadline}
		})
	case "guarantees":
		rows, err := collect(func(c store.Cursor) ([]store.Guarantee, store.Cursor, error) {
			q := f.GuaranteeQuery()
			q.After, q.Limit = c, 500
			return s.ListGuarantees(ctx, q)
		}, records.GuaranteeOf)
		if err != nil {
			return err
		}
		return table(print, rows, []string{"保函编号", "保函序列号", "订单编号", "解保状态", "SHA-256"}, func(g records.Guarantee) []string {
			return []string{g.GuaranteeNo, g.SerialNum, g.OrderNo, platform.ReleaseStatusText(g.ReleaseStatus), g.PDFSHA256}
		})
	case "revocations":
		rows, err := collect(func(c store.Cursor) ([]store.Revocation, store.Cursor, error) {
			q := f.RevocationQuery()
			q.After, q.Limit = c, 500
			return s.ListRevocations(ctx, q)
		}, records.RevocationOf)
		if err != nil {
			return err
		}
		return table(print, rows, []string{"批次号", "标段编号", "受益人", "当次撤销", "已发起撤销", "罚没"}, func(r records.Revocation) []string {
			return []string{r.RevokeNo, r.BlockNumber, r.Creditor, strconv.Itoa(len(r.Current)), strconv.Itoa(len(r.Success)), strconv.Itoa(len(r.Penalty))}
		})
	case "claims":
		rows, err := collect(func(c store.Cursor) ([]store.Claim, store.Cursor, error) {
			q := f.ClaimQuery()
			q.After, q.Limit = c, 500
			return s.ListClaims(ctx, q)
		}, records.ClaimOf)
		if err != nil {
			return err
		}
		return table(print, rows, []string{"理赔序列号", "保函编号", "理赔状态", "索赔金额", "附件"}, func(c records.Claim) []string {
			return []string{c.ClaimNo, c.GuaranteeNo, platform.ClaimStateText(c.Status), c.ClaimAmount, strconv.Itoa(len(c.Attachments))}
		})
	case "held":
		hq := store.HeldQuery{Limit: store.MaxLimit, Filter: f.Search}
		if len(f.Status) > 0 {
			hq.State = f.Status[0]
		}
		hs, err := s.ListHeld(ctx, hq)
		if err != nil {
			return err
		}
		rows := []records.Held{}
		for _, h := range hs {
			rows = append(rows, records.HeldOf(h))
		}
		return table(print, rows, []string{"编号", "接口", "编号(业务)", "状态", "重发次数", "收到时间", "原因"}, func(h records.Held) []string {
			return []string{strconv.FormatInt(h.ID, 10), h.Method, h.Ref, platform.HeldStateName(h.State), strconv.Itoa(h.Repeats),
				h.ReceivedAt, h.Reason}
		})
	}
	return fmt.Errorf("list: unknown kind %q", kind)
}

// collect walks a keyset-paged list to its end (at most Limit rows),
// turning each record into its `list --json` object.
func collect[T, R any](page func(store.Cursor) ([]T, store.Cursor, error), obj func(T) R) ([]R, error) {
	out := []R{}
	var c store.Cursor
	for {
		rows, next, err := page(c)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, obj(r))
		}
		if next == "" || len(rows) == 0 || len(out) >= Limit {
			return out, nil
		}
		c = next
	}
}

// NoteUnresolved tells on w (stderr, so that --json stays one document) of
// outbound calls whose outcome is unknown (结果未知), until reconciled.
func NoteUnresolved(ctx context.Context, s *store.Store, w io.Writer) {
	atts, err := s.Unresolved(ctx)
	if err != nil || len(atts) == 0 {
		return
	}
	fmt.Fprintf(w, "baohan: 注意：%d 个调用结果未知，运行 baohan reconcile 核对：\n", len(atts))
	for _, at := range atts {
		fmt.Fprintf(w, "  %s %s（%s）\n", platform.MethodTitle(at.Method), at.Ref, time.UnixMilli(at.StartedAt).In(platform.CST).Format(platform.DateTimeLayout))
	}
}
