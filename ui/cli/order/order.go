// Package order is `baohan order`: info (2.2), status (2.3), cancel (2.11),
// take (a 2.1 version sent again with other content).
package order

import (
	"github.com/spf13/cobra"

	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/order/cancel"
	"baohan/ui/cli/order/info"
	"baohan/ui/cli/order/status"
	"baohan/ui/cli/order/take"
)

// NewCmdOrder is `baohan order`.
func NewCmdOrder(f *cmdutil.Factory) *cobra.Command {
	c := &cobra.Command{Use: "order", Short: "保函申请订单：info 获取订单信息（2.2），status 订单状态通知（2.3），cancel 订单取消（2.11），take 采用平台重发的新版本（2.1）"}
	c.AddCommand(info.NewCmdInfo(f, nil), status.NewCmdStatus(f, nil), cancel.NewCmdCancel(f, nil), take.NewCmdTake(f, nil))
	return c
}
