// Package status is `baohan order status ORDER_NO STATUS` (2.3).
package status

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli/cmdutil"
)

// StatusOptions are what `order status` needs.
type StatusOptions struct {
	Workflows func() (*platform.Workflows, error)
	Execute   func(context.Context, *platform.Workflows, *platform.Plan) error
	Context   context.Context
	Input     platform.StatusInput
}

// NewCmdStatus is `baohan order status ORDER_NO STATUS`.
func NewCmdStatus(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{Workflows: f.Workflows, Execute: f.Execute}
	cmd := &cobra.Command{
		Use:   "status ORDER_NO STATUS",
		Short: "订单状态通知 notify_order_status（2.3）；WAIT_OUT_GUARANTEE 须加 --amount",
		Long:  help(),
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.Input.OrderNo, opts.Input.Status = cmd.Context(), args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return statusRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Input.Amount, "amount", "", "订单金额 order_amount（元，最多两位小数）")
	cmd.Flags().BoolVar(&opts.Input.Withdraw, "withdraw", false, "is_withdraw=1：审批退回（须加 --statement）")
	cmd.Flags().StringVar(&opts.Input.Statement, "statement", "", "说明 statement")
	return cmd
}

func statusRun(opts *StatusOptions) error {
	wf, err := opts.Workflows()
	if err != nil {
		return err
	}
	p, err := wf.PlanNotifyStatus(opts.Context, opts.Input)
	if err != nil {
		return err
	}
	return opts.Execute(opts.Context, wf, p)
}

// help lists the STATUS values notify_order_status takes, in Chinese and
// the manual's codes (5.4).
func help() string {
	var b strings.Builder
	b.WriteString("订单状态通知（手册 2.3 notify_order_status）。STATUS 可取（手册 5.4 直开式）：\n")
	for _, code := range platform.NotifiableStates {
		fmt.Fprintf(&b, "  %-24s %s\n", code, platform.OrderStateText(code))
	}
	b.WriteString("WAIT_OUT_GUARANTEE（待出函）必须加 --amount 订单金额；审批退回加 --withdraw --statement 说明。\n" +
		"已出函（HAS_OUT_GUARANTEE）请用 baohan guarantee push，取消请用 baohan order cancel。")
	return b.String()
}
