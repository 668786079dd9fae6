package doctor

import (
	"context"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// DoctorOptions are what `doctor` needs.
type DoctorOptions struct {
	Config  func() (*platform.Config, error)
	DataDir func() string // --data
	Print   cmdutil.PrintFunc
	// PrintFailure prints the report of checks that did not all pass.
	PrintFailure cmdutil.FailFunc
	Context      context.Context
}

// NewCmdDoctor is `baohan doctor`.
func NewCmdDoctor(f *cmdutil.Factory, runF func(*DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{Config: f.Config, DataDir: func() string { return f.DataDir }, Print: f.Print, PrintFailure: f.PrintFailure}
	return &cobra.Command{
		Use:   "doctor",
		Short: "逐项检查配置、密钥、令牌、时钟、回调监听、公网地址、数据文件夹、结果未知的调用；全部通过才返回 0",
		Long: "逐项检查并给出结论，未通过时给出一句修复办法：配置文件和密钥（可读、权限、是否一对）、\n" +
			"平台的访问令牌、本机时钟与平台时间、回调监听（运行、可监听）、公网地址（经隧道送出一次性校验值，\n" +
			"必须由本机的这个回调监听正确回答）、数据文件夹（可写、剩余空间）、结果未知的调用。全部通过才返回 0。",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return doctorRun(opts)
		},
	}
}

func doctorRun(opts *DoctorOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	rep := Run(opts.Context, Options{Config: cfg, DataDir: cfg.DataDir(opts.DataDir())})
	if !rep.OK {
		return opts.PrintFailure(rep, rep.WriteText, cli.CheckFailed("%d 项检查未通过", rep.Failed()))
	}
	return opts.Print(rep, rep.WriteText)
}
