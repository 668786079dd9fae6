// Package held is `baohan held`: accept or dismiss a held callback.
package held

import (
	"github.com/spf13/cobra"

	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/held/decide"
)

// NewCmdHeld is `baohan held`.
func NewCmdHeld(f *cmdutil.Factory) *cobra.Command {
	c := &cobra.Command{Use: "held", Short: "暂存回调：accept 接受（按回调内容入账，平台下次重发时答复成功），dismiss 驳回（继续拒收）"}
	c.AddCommand(decide.NewCmdDecide(f, true, nil), decide.NewCmdDecide(f, false, nil))
	return c
}
