// Package hash is `baohan hash FILE`: the SHA-256 guarantee_pdf_hash takes.
package hash

import (
	"baohan/platform"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"baohan/pdfsign"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// HashOptions are the arguments of `hash`.
type HashOptions struct {
	Print cmdutil.PrintFunc
	File  string
}

// HashJSON is the `--json` document.
type HashJSON struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// NewCmdHash is `baohan hash FILE`.
func NewCmdHash(f *cmdutil.Factory, runF func(*HashOptions) error) *cobra.Command {
	opts := &HashOptions{Print: f.Print}
	return &cobra.Command{
		Use:   "hash FILE",
		Short: "FILE 的 SHA-256（小写十六进制，即 guarantee_pdf_hash 的格式）",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return hashRun(opts)
		},
	}
}

func hashRun(opts *HashOptions) error {
	sum, size, err := pdfsign.HashFile(opts.File)
	if err != nil {
		return cli.UsageErr("无法读取文件 %s（%s）", opts.File, platform.FileProblem(err))
	}
	return opts.Print(HashJSON{File: opts.File, SHA256: sum, Size: size}, func(w io.Writer) {
		fmt.Fprintln(w, sum)
	})
}
