// Package take is `baohan order take ORDER_NO [VERSION]`: the clerk takes a
// version of a 保函申请订单 (2.1) that the platform sent again with other
// content (protocol.md, "Repeats, conflicts and held callbacks": kept
// beside the first, shown to the clerk, who may take the new version).
package take

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"baohan/listener"
	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/records"
)

// TakeOptions are what `order take` needs.
type TakeOptions struct {
	Store   func() (*store.Store, error)
	Print   cmdutil.PrintFunc
	Context context.Context
	OrderNo string
	// Version is the kept version's number; 0: the one waiting.
	Version int64
}

// TakeJSON is the --json document: the order as it now is and the fields
// the version changed.
type TakeJSON struct {
	Order   records.Order     `json:"order"`
	Version int64             `json:"version"`
	Changed []store.FieldDiff `json:"changed"`
}

// NewCmdTake is `baohan order take`.
func NewCmdTake(f *cmdutil.Factory, runF func(*TakeOptions) error) *cobra.Command {
	opts := &TakeOptions{Store: f.StoreOnly, Print: f.Print}
	return &cobra.Command{
		Use:   "take ORDER_NO [VERSION]",
		Short: "采用平台以不同内容重发的 2.1 版本（待核对的那一个，或指定 VERSION）",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.OrderNo = cmd.Context(), args[0]
			if len(args) == 2 {
				v, err := strconv.ParseInt(args[1], 10, 64)
				if err != nil || v <= 0 {
					return cli.UsageErr("版本号 %q 不是正整数", args[1])
				}
				opts.Version = v
			}
			if runF != nil {
				return runF(opts)
			}
			return takeRun(opts)
		},
	}
}

func takeRun(opts *TakeOptions) error {
	s, err := opts.Store()
	if err != nil {
		return err
	}
	id := opts.Version
	if id == 0 {
		if id, err = waiting(opts.Context, s, opts.OrderNo); err != nil {
			return err
		}
	}
	srv := listener.New(listener.Config{Logger: slog.New(slog.DiscardHandler)}, s)
	o, diff, err := srv.TakeOrderVersion(opts.Context, opts.OrderNo, id)
	if errors.Is(err, store.ErrNotFound) {
		return cli.UsageErr("订单 %s 没有第 %d 号版本", opts.OrderNo, id)
	}
	if err != nil {
		return err // the listener's refusals are input errors (exit 2)
	}
	return opts.Print(TakeJSON{Order: records.OrderOf(o), Version: id, Changed: diff}, func(w io.Writer) {
		fmt.Fprintf(w, "订单 %s 已采用第 %d 号版本：\n", o.OrderNo, id)
		for _, d := range diff {
			fmt.Fprintf(w, "  %s：%s → %s\n", platform.FieldNamed(d.Field), shown(d.First), shown(d.New))
		}
		records.WriteOrder(w, o)
	})
}

// waiting is the one version of the order not yet taken; with none or
// several, a usage error that lists them.
func waiting(ctx context.Context, s *store.Store, orderNo string) (int64, error) {
	cs, err := s.OrderConflicts(ctx, orderNo)
	if err != nil {
		return 0, err
	}
	var open []store.OrderConflict
	for _, c := range cs {
		if c.TakenAt == 0 {
			open = append(open, c)
		}
	}
	switch len(open) {
	case 0:
		return 0, cli.UsageErr("订单 %s 没有待核对的新版本", orderNo)
	case 1:
		return open[0].ID, nil
	}
	var b strings.Builder
	for _, c := range open {
		names := make([]string, 0, len(c.Diff))
		for _, d := range c.Diff {
			names = append(names, d.Field)
		}
		fmt.Fprintf(&b, "；第 %d 号（%s）", c.ID, strings.Join(names, "、"))
	}
	return 0, cli.UsageErr("订单 %s 有 %d 个待核对的新版本，请指定版本号%s", orderNo, len(open), b.String())
}

// shown is a value for the list of differences; an emptied one says so.
func shown(v string) string {
	if v == "" {
		return "（空）"
	}
	return v
}
