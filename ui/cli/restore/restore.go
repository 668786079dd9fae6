// Package restore is `baohan restore`: how to go back to a backup.
package restore

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"baohan/ui/cli/cmdutil"
)

// Steps is how to go back to a backup.
var Steps = []string{
	"停止本数据文件夹上的工作台和所有 baohan serve。",
	"把数据文件夹中的 baohan.db、baohan.db-wal 和 baohan.db-shm 移到别处。",
	"把备份文件复制为 <数据文件夹>/baohan.db（权限 0600）。",
	"重新启动 baohan。备份之后平台发来的回调，平台只在重试期内（约 3 小时）重发；订单和理赔可用 baohan order info / baohan claim info 重新获取。",
}

// RestoreOptions are what `restore` needs.
type RestoreOptions struct {
	Print cmdutil.PrintFunc
}

// RestoreJSON is the `--json` document.
type RestoreJSON struct {
	Steps []string `json:"steps"`
}

// NewCmdRestore is `baohan restore`.
func NewCmdRestore(f *cmdutil.Factory, runF func(*RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{Print: f.Print}
	return &cobra.Command{
		Use:   "restore",
		Short: "如何恢复到一份备份",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return restoreRun(opts)
		},
	}
}

func restoreRun(opts *RestoreOptions) error {
	return opts.Print(RestoreJSON{Steps: Steps}, func(w io.Writer) {
		fmt.Fprintln(w, "恢复备份：")
		for i, s := range Steps {
			fmt.Fprintf(w, "  %d. %s\n", i+1, s)
		}
	})
}
