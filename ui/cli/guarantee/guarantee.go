// Package guarantee is `baohan guarantee`: issue (签发),
// push (2.5), release (2.9).
package guarantee

import (
	"github.com/spf13/cobra"

	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/guarantee/issue"
	"baohan/ui/cli/guarantee/push"
	"baohan/ui/cli/guarantee/release"
)

// NewCmdGuarantee is `baohan guarantee`.
func NewCmdGuarantee(f *cmdutil.Factory) *cobra.Command {
	c := &cobra.Command{Use: "guarantee", Short: "电子保函：issue 签发，push 推送（2.5），release 解保（2.9）"}
	c.AddCommand(push.NewCmdPush(f, nil), release.NewCmdRelease(f, nil), issue.NewCmdIssue(f, nil))
	return c
}
