package cmdutil

import (
	"context"
	"fmt"
	"io"

	"baohan/platform"
)

// ExecuteJSON is the `--json` document of a command that makes one call.
type ExecuteJSON struct {
	Status     int                    `json:"status"`
	Method     string                 `json:"method"`
	Ref        string                 `json:"ref"`
	Summary    string                 `json:"summary"`
	SerialNum  string                 `json:"serial_num,omitempty"`
	Reconciled bool                   `json:"reconciled,omitempty"`
	Errors     []platform.RemoveError `json:"errors,omitempty"`
}

// Execute runs a plan and prints the platform's answer; the plan's
// warnings go to stderr.
func (f *Factory) Execute(ctx context.Context, wf *platform.Workflows, p *platform.Plan) error {
	for _, w := range p.Warnings {
		f.Warn("%s", w)
	}
	res, err := wf.Execute(ctx, p)
	if err != nil {
		return err
	}
	out := ExecuteJSON{Status: platform.StatusOK, Method: p.Method, Ref: p.Ref, Summary: res.Summary,
		SerialNum: string(res.SerialNum), Reconciled: res.Reconciled, Errors: res.RemoveErrors}
	return f.Print(out, func(w io.Writer) {
		fmt.Fprintln(w, res.Summary)
		for _, e := range res.RemoveErrors {
			fmt.Fprintf(w, "  %s %s：%s\n", e.ErrorInfo.GuaranteeNo, e.ErrorInfo.SerialNum, e.ErrorMsg)
		}
	})
}
