// Package decide is `baohan held accept ID` and `baohan held dismiss ID`.
package decide

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/spf13/cobra"

	"baohan/listener"
	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/records"
)

// DecideOptions are what `held accept|dismiss` needs.
type DecideOptions struct {
	Store   func() (*store.Store, error)
	Print   cmdutil.PrintFunc
	Context context.Context
	ID      int64
	Accept  bool
	Note    string
}

// NewCmdDecide is `baohan held accept ID` (accept) or `held dismiss ID`.
func NewCmdDecide(f *cmdutil.Factory, accept bool, runF func(*DecideOptions) error) *cobra.Command {
	opts := &DecideOptions{Store: f.StoreOnly, Print: f.Print, Accept: accept}
	verb, short := "dismiss", "驳回一条暂存回调（继续拒收）"
	if accept {
		verb, short = "accept", "接受一条暂存回调（按回调内容入账，平台下次重发时答复成功）"
	}
	cmd := &cobra.Command{
		Use:   verb + " ID",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return cli.UsageErr("暂存回调编号 %q 不是正整数", args[0])
			}
			opts.Context, opts.ID = cmd.Context(), id
			if runF != nil {
				return runF(opts)
			}
			return decideRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Note, "note", "", "处理说明")
	return cmd
}

func decideRun(opts *DecideOptions) error {
	s, err := opts.Store()
	if err != nil {
		return err
	}
	srv := listener.New(listener.Config{Logger: slog.New(slog.DiscardHandler)}, s)
	h, err := srv.DecideHeld(opts.Context, opts.ID, opts.Accept, opts.Note)
	if errors.Is(err, store.ErrNotFound) {
		return cli.UsageErr("没有编号为 %d 的暂存回调", opts.ID)
	}
	if err != nil {
		return err // the listener's refusals are input errors (exit 2)
	}
	return opts.Print(records.HeldOf(h), func(w io.Writer) {
		fmt.Fprintf(w, "暂存回调 %d（%s %s）：%s\n", h.ID, h.Method, h.Ref, platform.HeldStateName(h.State))
	})
}
