// Package release is `baohan guarantee release GUARANTEE_NO...`:
// remove_guarantee (2.9), one call per block.
package release

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// ReleaseOptions are what `guarantee release` needs.
type ReleaseOptions struct {
	Workflows    func() (*platform.Workflows, error)
	Print        cmdutil.PrintFunc
	Context      context.Context
	GuaranteeNos []string
	Date         string
}

// BlockJSON is one block's call in the `--json` list.
type BlockJSON struct {
	BlockNumber string                 `json:"block_number"`
	Summary     string                 `json:"summary"`
	Errors      []platform.RemoveError `json:"errors"`
	Released    int                    `json:"released"`
	Refused     int                    `json:"refused"`
	InDoubt     int                    `json:"in_doubt"` // 解保结果不明: release again to settle
}

// NewCmdRelease is `baohan guarantee release`.
func NewCmdRelease(f *cmdutil.Factory, runF func(*ReleaseOptions) error) *cobra.Command {
	opts := &ReleaseOptions{Workflows: f.Workflows, Print: f.Print}
	cmd := &cobra.Command{
		Use:   "release GUARANTEE_NO...",
		Short: "保函解保 remove_guarantee（2.9），每个标段一次调用；打印平台逐项给出的错误",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.GuaranteeNos = cmd.Context(), args
			if runF != nil {
				return runF(opts)
			}
			return releaseRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Date, "date", "", "解保日期 remove_guarantee_date，格式 \"YYYY-MM-DD HH:MM:SS\"（默认现在，北京时间）")
	return cmd
}

func releaseRun(opts *ReleaseOptions) error {
	wf, err := opts.Workflows()
	if err != nil {
		return err
	}
	plans, err := wf.PlanRelease(opts.Context, opts.GuaranteeNos, opts.Date)
	if err != nil {
		return err
	}
	var results []BlockJSON
	refused, inDoubt := 0, 0
	for _, p := range plans {
		res, err := wf.Execute(opts.Context, p)
		if err != nil && len(results) > 0 {
			// The blocks before were sent: say so with the failure.
			done := make([]string, len(results))
			for i, r := range results {
				done[i] = r.Summary
			}
			return fmt.Errorf("%s；标段 %s：%w", strings.Join(done, "；"), p.Ref, err)
		}
		if err != nil {
			return err
		}
		// The counts are the workflow's reading of data.error (an error that
		// names no item leaves the others in doubt, never refused).
		refused += res.Refused
		inDoubt += res.InDoubt
		results = append(results, BlockJSON{BlockNumber: p.Ref, Summary: res.Summary, Errors: res.RemoveErrors,
			Released: res.Released, Refused: res.Refused, InDoubt: res.InDoubt})
	}
	err = opts.Print(results, func(w io.Writer) {
		for _, r := range results {
			fmt.Fprintln(w, r.Summary)
			for _, e := range r.Errors {
				if e.ErrorInfo.GuaranteeNo == "" && e.ErrorInfo.SerialNum == "" && e.ErrorMsg == "" {
					fmt.Fprintln(w, "  （平台报告了一个未指明保函、也无说明的错误）")
					continue
				}
				fmt.Fprintf(w, "  %s %s：%s\n", e.ErrorInfo.GuaranteeNo, e.ErrorInfo.SerialNum, e.ErrorMsg)
			}
		}
	})
	if err == nil && refused > 0 && inDoubt > 0 {
		return cli.CheckFailed("平台拒绝了 %d 笔解保，另有 %d 笔解保结果不明（请再次解保以确认）", refused, inDoubt)
	}
	if err == nil && refused > 0 {
		return cli.CheckFailed("平台拒绝了 %d 笔解保", refused)
	}
	if err == nil && inDoubt > 0 {
		return cli.CheckFailed("%d 笔解保结果不明（平台报告的错误未指明保函；请再次解保以确认）", inDoubt)
	}
	return err
}
