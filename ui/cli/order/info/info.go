// Package info is `baohan order info ORDER_NO` (2.2).
package info

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/records"
)

// InfoOptions are what `order info` needs.
type InfoOptions struct {
	Workflows func() (*platform.Workflows, error)
	Print     cmdutil.PrintFunc
	Context   context.Context
	OrderNo   string
}

// NewCmdInfo is `baohan order info ORDER_NO`.
func NewCmdInfo(f *cmdutil.Factory, runF func(*InfoOptions) error) *cobra.Command {
	opts := &InfoOptions{Workflows: f.Workflows, Print: f.Print}
	return &cobra.Command{
		Use:   "info ORDER_NO",
		Short: "获取订单信息 get_guarantee_info（2.2），并存入本地",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.OrderNo = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return infoRun(opts)
		},
	}
}

func infoRun(opts *InfoOptions) error {
	wf, err := opts.Workflows()
	if err != nil {
		return err
	}
	o, err := wf.FetchOrder(opts.Context, opts.OrderNo)
	if err != nil {
		return err
	}
	j := []records.Order{records.OrderOf(*o)}
	if err := records.AddOrderFiles(opts.Context, wf.Store, j); err != nil {
		return err
	}
	return opts.Print(j[0], func(w io.Writer) { records.WriteOrder(w, *o) })
}
