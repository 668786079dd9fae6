// Package result is `baohan claim result CLAIM_NO`:
// guarantor_update_claim_result (3.2).
package result

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli/cmdutil"
)

// ResultOptions are what `claim result` needs.
type ResultOptions struct {
	Workflows func() (*platform.Workflows, error)
	Execute   func(context.Context, *platform.Workflows, *platform.Plan) error
	Context   context.Context
	Input     platform.ClaimResultInput
}

// NewCmdResult is `baohan claim result`.
func NewCmdResult(f *cmdutil.Factory, runF func(*ResultOptions) error) *cobra.Command {
	opts := &ResultOptions{Workflows: f.Workflows, Execute: f.Execute}
	cmd := &cobra.Command{
		Use:   "result CLAIM_NO --do-type N --status N --note TEXT",
		Short: "理赔结果更新 guarantor_update_claim_result（3.2）",
		Long:  help(),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.Input.ClaimNo = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return resultRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Input.DoType, "do-type", "", "处理类型 do_type：1 受理，2 理赔，3 追偿")
	cmd.Flags().StringVar(&opts.Input.Status, "status", "", "处理结果的 status（按 do_type，见手册 3.2）")
	cmd.Flags().StringVar(&opts.Input.Note, "note", "", "备注 note")
	return cmd
}

func resultRun(opts *ResultOptions) error {
	wf, err := opts.Workflows()
	if err != nil {
		return err
	}
	p, err := wf.PlanClaimResult(opts.Context, opts.Input)
	if err != nil {
		return err
	}
	return opts.Execute(opts.Context, wf, p)
}

// help lists the --do-type/--status pairs of 3.2.
func help() string {
	var b strings.Builder
	b.WriteString("理赔结果更新（手册 3.2 guarantor_update_claim_result）。--do-type 与 --status 的组合：\n")
	for _, d := range platform.ClaimResultChoices {
		fmt.Fprintf(&b, "  --do-type %s（%s）：", d.Code, d.Meaning)
		for i, s := range d.Statuses {
			if i > 0 {
				b.WriteString("，")
			}
			fmt.Fprintf(&b, "--status %s %s", s.Code, s.Meaning)
		}
		b.WriteString("\n")
	}
	b.WriteString("--note 备注必填。")
	return b.String()
}
