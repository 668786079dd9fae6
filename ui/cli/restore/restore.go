// Package restore is `baohan restore`: how to go back to a backup.
package restore

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"baohan/store"
	"baohan/ui/cli/cmdutil"
)

// Steps is how to go back to a backup into the data folder dir ("" when
// neither --data nor a config names it: the steps then say so).
func Steps(dir string) []string {
	db := filepath.Join(dir, store.DBName)
	where := "数据文件夹 " + dir
	if dir == "" {
		db, where = "<数据文件夹>/"+store.DBName, "数据文件夹（用 --data 或 --config 指定后再运行 baohan restore，这里会写出它的位置）"
	}
	return []string{
		"停止" + where + " 上的工作台和所有 baohan serve。",
		fmt.Sprintf("把 %s、%s-wal 和 %s-shm 移到别处。", db, db, db),
		fmt.Sprintf("把备份文件复制为 %s（权限 0600）。", db),
		"重新启动 baohan。备份之后平台发来的回调，平台只在重试期内（约 3 小时）重发；订单和理赔可用 baohan order info / baohan claim info 重新获取。",
	}
}

// RestoreOptions are what `restore` needs.
type RestoreOptions struct {
	Print cmdutil.PrintFunc
	// DataDir is the data folder of --data or the config ("" none).
	DataDir func() string
}

// RestoreJSON is the `--json` document.
type RestoreJSON struct {
	Data  string   `json:"data"`
	Steps []string `json:"steps"`
}

// NewCmdRestore is `baohan restore`.
func NewCmdRestore(f *cmdutil.Factory, runF func(*RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{Print: f.Print, DataDir: func() string {
		if f.DataDir != "" {
			return f.DataDir
		}
		if cfg, err := f.Config(); err == nil {
			return cfg.DataDir("")
		}
		return ""
	}}
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
	dir := opts.DataDir()
	steps := Steps(dir)
	return opts.Print(RestoreJSON{Data: dir, Steps: steps}, func(w io.Writer) {
		fmt.Fprintln(w, "恢复备份：")
		for i, s := range steps {
			fmt.Fprintf(w, "  %d. %s\n", i+1, s)
		}
	})
}
