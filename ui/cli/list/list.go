// Package list is `baohan list orders|guarantees|revocations|claims|held`:
// what the local store holds.
package list

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
	"baohan/ui/cli/records"
)

// Limit bounds what list prints; the store holds more than a terminal.
const Limit = 100000

// Kinds are what list lists.
var Kinds = []string{"orders", "guarantees", "revocations", "claims", "held"}

// ListOptions are what `list KIND` needs.
type ListOptions struct {
	Store   func() (*store.Store, error)
	Print   cmdutil.PrintFunc
	ErrOut  io.Writer
	Context context.Context
	Kind    string
}

// NewCmdList is `baohan list`; runF, when given, runs instead of each
// kind's listing.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	c := &cobra.Command{Use: "list", Short: "what the local store holds: orders, guarantees, revocations, claims, held"}
	for _, kind := range Kinds {
		opts := &ListOptions{Store: f.StoreOnly, Print: f.Print, ErrOut: f.IOStreams.ErrOut, Kind: kind}
		c.AddCommand(&cobra.Command{
			Use:   kind,
			Short: "list " + kind,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				opts.Context = cmd.Context()
				if runF != nil {
					return runF(opts)
				}
				return listRun(opts)
			},
		})
	}
	return c
}

func listRun(opts *ListOptions) error {
	s, err := opts.Store()
	if err != nil {
		return err
	}
	if err := list(opts.Context, s, opts.Kind, opts.Print); err != nil {
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

func list(ctx context.Context, s *store.Store, kind string, print cmdutil.PrintFunc) error {
	switch kind {
	case "orders":
		rows, err := collect(func(c store.Cursor) ([]store.Order, store.Cursor, error) {
			return s.ListOrders(ctx, store.OrderQuery{After: c, Limit: 500})
		}, records.OrderOf)
		if err != nil {
			return err
		}
		return table(print, rows, []string{"订单编号", "订单状态", "标段编号", "被保证人", "受益人", "担保金额", "投标截止"}, func(o records.Order) []string {
			return []string{o.OrderNo, platform.OrderStateText(o.OrderStatus), o.BlockNumber, o.Principal, o.Creditor, o.GuaranteeAmount, o.BidDeadline}
		})
	case "guarantees":
		rows, err := collect(func(c store.Cursor) ([]store.Guarantee, store.Cursor, error) {
			return s.ListGuarantees(ctx, store.GuaranteeQuery{After: c, Limit: 500})
		}, records.GuaranteeOf)
		if err != nil {
			return err
		}
		return table(print, rows, []string{"保函编号", "保函序列号", "订单编号", "解保状态", "SHA-256"}, func(g records.Guarantee) []string {
			return []string{g.GuaranteeNo, g.SerialNum, g.OrderNo, platform.ReleaseStatusText(g.ReleaseStatus), g.PDFSHA256}
		})
	case "revocations":
		rows, err := collect(func(c store.Cursor) ([]store.Revocation, store.Cursor, error) {
			return s.ListRevocations(ctx, store.RevocationQuery{After: c, Limit: 500})
		}, records.RevocationOf)
		if err != nil {
			return err
		}
		return table(print, rows, []string{"批次号", "标段编号", "受益人", "当次撤销", "已发起撤销", "罚没"}, func(r records.Revocation) []string {
			return []string{r.RevokeNo, r.BlockNumber, r.Creditor, strconv.Itoa(len(r.Current)), strconv.Itoa(len(r.Success)), strconv.Itoa(len(r.Penalty))}
		})
	case "claims":
		rows, err := collect(func(c store.Cursor) ([]store.Claim, store.Cursor, error) {
			return s.ListClaims(ctx, store.ClaimQuery{After: c, Limit: 500})
		}, records.ClaimOf)
		if err != nil {
			return err
		}
		return table(print, rows, []string{"理赔序列号", "保函编号", "理赔状态", "索赔金额", "附件"}, func(c records.Claim) []string {
			return []string{c.ClaimNo, c.GuaranteeNo, platform.ClaimStateText(c.Status), c.ClaimAmount, strconv.Itoa(len(c.Attachments))}
		})
	case "held":
		hs, err := s.ListHeld(ctx, store.HeldQuery{Limit: store.MaxLimit})
		if err != nil {
			return err
		}
		rows := []records.Held{}
		for _, h := range hs {
			rows = append(rows, records.HeldOf(h))
		}
		return table(print, rows, []string{"编号", "接口", "编号(业务)", "状态", "重发次数", "收到时间", "原因"}, func(h records.Held) []string {
			return []string{strconv.FormatInt(h.ID, 10), h.Method, h.Ref, platform.HeldStateName(h.State), strconv.Itoa(h.Repeats),
				time.UnixMilli(h.ReceivedAt).In(platform.CST).Format(platform.DateTimeLayout), h.Reason}
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
