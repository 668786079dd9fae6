// Package push is `baohan guarantee push ORDER_NO --no N --pdf FILE`: the
// PDF check, then guarantor_push_guarantee (2.5).
package push

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"baohan/pdfsign"
	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// PushOptions are what `guarantee push` needs.
type PushOptions struct {
	Workflows func() (*platform.Workflows, error)
	Execute   func(context.Context, *platform.Workflows, *platform.Plan) error
	JSON      func() bool
	ErrOut    io.Writer
	Context   context.Context
	Input     platform.PushInput
}

// NewCmdPush is `baohan guarantee push`.
func NewCmdPush(f *cmdutil.Factory, runF func(*PushOptions) error) *cobra.Command {
	opts := &PushOptions{Workflows: f.Workflows, Execute: f.Execute, JSON: func() bool { return f.JSON }, ErrOut: f.IOStreams.ErrOut}
	cmd := &cobra.Command{
		Use:   "push ORDER_NO --no GUARANTEE_NO --pdf FILE",
		Short: "先检查 PDF，再推送电子保函 guarantor_push_guarantee（2.5）；打印 serial_num",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.Input.OrderNo = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return pushRun(opts)
		},
	}
	in := &opts.Input
	cmd.Flags().StringVar(&in.GuaranteeNo, "no", "", "保函编号 guarantee_no")
	cmd.Flags().StringVar(&in.PDFPath, "pdf", "", "电子保函原件 PDF")
	cmd.Flags().StringVar(&in.OutTime, "out-time", "", "出函时间 out_guarantee_time，格式 \"YYYY-MM-DD HH:MM:SS\"（默认现在，北京时间）")
	cmd.Flags().StringVar(&in.TransNo, "trans-no", "", "传输流水号 trans_no")
	cmd.Flags().BoolVar(&in.Force, "force", false, "即使 PDF 未通过检查也推送")
	return cmd
}

func pushRun(opts *PushOptions) error {
	wf, err := opts.Workflows()
	if err != nil {
		return err
	}
	p, err := wf.PlanPush(opts.Context, opts.Input)
	if err != nil {
		if p != nil && p.Report != nil {
			if !opts.JSON() {
				_ = pdfsign.WriteText(opts.ErrOut, p.Report)
			}
			return cli.CheckFailed("%v", err) // the check said no: exit 1
		}
		return err
	}
	return opts.Execute(opts.Context, wf, p)
}
