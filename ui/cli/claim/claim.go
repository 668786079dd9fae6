// Package claim is `baohan claim`: result (3.2), info (3.3).
package claim

import (
	"github.com/spf13/cobra"

	"baohan/ui/cli/claim/info"
	"baohan/ui/cli/claim/result"
	"baohan/ui/cli/cmdutil"
)

// NewCmdClaim is `baohan claim`.
func NewCmdClaim(f *cmdutil.Factory) *cobra.Command {
	c := &cobra.Command{Use: "claim", Short: "理赔：result 理赔结果更新（3.2），info 获取理赔信息（3.3）"}
	c.AddCommand(result.NewCmdResult(f, nil), info.NewCmdInfo(f, nil))
	return c
}
