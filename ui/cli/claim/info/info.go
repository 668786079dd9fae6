// Package info is `baohan claim info CLAIM_NO`: guarantor_get_lp_info (3.3).
package info

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/records"
)

// InfoOptions are what `claim info` needs.
type InfoOptions struct {
	Workflows func() (*platform.Workflows, error)
	Print     cmdutil.PrintFunc
	Context   context.Context
	ClaimNo   string
}

// NewCmdInfo is `baohan claim info CLAIM_NO`.
func NewCmdInfo(f *cmdutil.Factory, runF func(*InfoOptions) error) *cobra.Command {
	opts := &InfoOptions{Workflows: f.Workflows, Print: f.Print}
	return &cobra.Command{
		Use:   "info CLAIM_NO",
		Short: "获取理赔信息 guarantor_get_lp_info（3.3），并存入本地",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.ClaimNo = cmd.Context(), args[0]
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
	c, err := wf.RefreshClaim(opts.Context, opts.ClaimNo)
	if err != nil {
		return err
	}
	return opts.Print(records.ClaimOf(*c), func(w io.Writer) { records.WriteClaim(w, *c) })
}
