// Package verify is `baohan verify FILE`: the PDF check.
package verify

import (
	"baohan/platform"
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"

	"baohan/pdfsign"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// VerifyOptions are what `verify` needs.
type VerifyOptions struct {
	PDFOptions func() pdfsign.Options
	Print      cmdutil.PrintFunc
	Context    context.Context
	File       string
}

// NewCmdVerify is `baohan verify FILE`.
func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{PDFOptions: f.PDFOptions, Print: f.Print}
	return &cobra.Command{
		Use:   "verify FILE",
		Short: "PDF structure and each signature; exit 0 only for a valid PDF whose signatures are intact",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.File = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return verifyRun(opts)
		},
	}
}

func verifyRun(opts *VerifyOptions) error {
	if _, err := os.Stat(opts.File); err != nil {
		return cli.UsageErr("无法读取文件 %s（%s）", opts.File, platform.FileProblem(err))
	}
	rep, err := pdfsign.CheckFile(opts.Context, opts.File, opts.PDFOptions())
	if err != nil {
		return cli.UsageErr("无法检查文件 %s（%s）", opts.File, cli.Message(err))
	}
	if err := opts.Print(rep, func(w io.Writer) { _ = pdfsign.WriteText(w, rep) }); err != nil {
		return err
	}
	if !rep.Intact() {
		return cli.CheckFailed("%s 未通过检查", opts.File)
	}
	return nil
}
