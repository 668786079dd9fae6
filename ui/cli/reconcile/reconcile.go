// Package reconcile is `baohan reconcile`: settle the calls whose answer
// never came (结果未知) by asking the platform.
package reconcile

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli/cmdutil"
)

// ReconcileOptions are what `reconcile` needs.
type ReconcileOptions struct {
	Workflows func() (*platform.Workflows, error)
	Print     cmdutil.PrintFunc
	Context   context.Context
}

// CallJSON is one settled call in the `--json` list.
type CallJSON struct {
	Method  string `json:"method"`
	Ref     string `json:"ref"`
	State   string `json:"state"`
	Summary string `json:"summary"`
}

// NewCmdReconcile is `baohan reconcile`.
func NewCmdReconcile(f *cmdutil.Factory, runF func(*ReconcileOptions) error) *cobra.Command {
	opts := &ReconcileOptions{Workflows: f.Workflows, Print: f.Print}
	return &cobra.Command{
		Use:   "reconcile",
		Short: "向平台查询，核对结果未知的调用",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return reconcileRun(opts)
		},
	}
}

func reconcileRun(opts *ReconcileOptions) error {
	wf, err := opts.Workflows()
	if err != nil {
		return err
	}
	rs, err := wf.Reconcile(opts.Context)
	out := []CallJSON{}
	for _, r := range rs {
		out = append(out, CallJSON{Method: r.Attempt.Method, Ref: r.Attempt.Ref, State: r.State, Summary: r.Summary})
	}
	if perr := opts.Print(out, func(w io.Writer) {
		if len(rs) == 0 {
			fmt.Fprintln(w, "没有结果未知的调用")
		}
		for _, r := range rs {
			fmt.Fprintln(w, r.Summary)
		}
	}); perr != nil {
		return perr
	}
	return err
}
