package export

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/list"
)

// ExportOptions are what `export KIND --out FILE` needs.
type ExportOptions struct {
	Options
	Print   cmdutil.PrintFunc
	Warn    func(format string, a ...any)
	Context context.Context
}

// NewCmdExport is `baohan export orders|guarantees|revocations|claims`.
func NewCmdExport(f *cmdutil.Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{Options: Options{Store: f.StoreOnly}, Print: f.Print, Warn: f.Warn}
	c := &cobra.Command{
		Use:       "export orders|guarantees|revocations|claims --out FILE.xlsx|FILE.csv",
		Short:     "导出台账（Excel 工作簿或 CSV）：中文表头，金额为数字，日期为日期",
		Args:      cobra.ExactArgs(1),
		ValidArgs: platform.LedgerKinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(platform.LedgerKinds, args[0]) {
				return cli.UsageErr("没有 %q 台账，可用：%s", args[0], strings.Join(platform.LedgerKinds, "、"))
			}
			opts.Context, opts.Kind = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return exportRun(opts)
		},
	}
	c.Flags().StringVar(&opts.Out, "out", "", "FILE.xlsx 或 FILE.csv（必填；已存在时不覆盖，除非 --force）")
	c.Flags().BoolVar(&opts.Force, "force", false, "覆盖已有的 --out 文件")
	list.FilterFlags(c, &opts.Status, &opts.Search, &opts.Since, &opts.Until)
	return c
}

func exportRun(opts *ExportOptions) error {
	res, err := Run(opts.Context, opts.Options)
	if err != nil {
		return err
	}
	if res.Truncated {
		opts.Warn("超过 %d 行，只导出了前 %d 行；请用 --since/--until 等条件分批导出", platform.MaxLedgerRows, res.Rows)
	}
	return opts.Print(res, func(w io.Writer) {
		fmt.Fprintf(w, "已导出%s %d 行到 %s\n", platform.LedgerTitle(res.Kind), res.Rows, res.Path)
	})
}
