// Package guarantee is `baohan guarantee`: issue (签发, ui/cli/issuecmd),
// push (2.5), release (2.9).
package guarantee

import (
	"github.com/spf13/cobra"

	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/guarantee/push"
	"baohan/ui/cli/guarantee/release"
	"baohan/ui/cli/issuecmd"
)

// NewCmdGuarantee is `baohan guarantee`.
func NewCmdGuarantee(f *cmdutil.Factory) *cobra.Command {
	c := &cobra.Command{Use: "guarantee", Short: "电子保函: issue (签发), push (2.5), release (2.9)"}
	c.AddCommand(push.NewCmdPush(f, nil), release.NewCmdRelease(f, nil), issuecmd.New(issuecmd.Deps{
		Workflows: f.Workflows, Print: f.Print, JSON: func() bool { return f.JSON }, Stderr: f.IOStreams.ErrOut,
	}))
	return c
}
