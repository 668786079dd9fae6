// Package cancel is `baohan order cancel ORDER_NO --reason TEXT` (2.11).
package cancel

import (
	"context"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli/cmdutil"
)

// CancelOptions are what `order cancel` needs.
type CancelOptions struct {
	Workflows func() (*platform.Workflows, error)
	Execute   func(context.Context, *platform.Workflows, *platform.Plan) error
	Context   context.Context
	OrderNo   string
	Reason    string
}

// NewCmdCancel is `baohan order cancel`.
func NewCmdCancel(f *cmdutil.Factory, runF func(*CancelOptions) error) *cobra.Command {
	opts := &CancelOptions{Workflows: f.Workflows, Execute: f.Execute}
	cmd := &cobra.Command{
		Use:   "cancel ORDER_NO --reason TEXT",
		Short: "订单取消 cancel_order（2.11）",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.OrderNo = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return cancelRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "取消订单原因 cancel_reason")
	return cmd
}

func cancelRun(opts *CancelOptions) error {
	wf, err := opts.Workflows()
	if err != nil {
		return err
	}
	p, err := wf.PlanCancelOrder(opts.Context, opts.OrderNo, opts.Reason)
	if err != nil {
		return err
	}
	return opts.Execute(opts.Context, wf, p)
}
