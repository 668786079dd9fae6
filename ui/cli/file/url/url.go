// Package url is `baohan file url FILE_ID`: get_file_url (4.1), and with
// --download the file itself.
package url

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// URLOptions are what `file url` needs.
type URLOptions struct {
	Workflows func() (*platform.Workflows, error)
	Print     cmdutil.PrintFunc
	Context   context.Context
	FileID    string
	Download  string // --download PATH
	Force     bool   // --force: replace an existing PATH
}

// URLJSON is the `--json` document.
type URLJSON struct {
	FileID  string `json:"file_id"`
	FileURL string `json:"file_url"`
	Saved   string `json:"saved,omitempty"`
	Name    string `json:"name,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	Size    int64  `json:"size,omitempty"`
}

// NewCmdURL is `baohan file url`.
func NewCmdURL(f *cmdutil.Factory, runF func(*URLOptions) error) *cobra.Command {
	opts := &URLOptions{Workflows: f.Workflows, Print: f.Print}
	cmd := &cobra.Command{
		Use:   "url FILE_ID",
		Short: "获取文件URL get_file_url（4.1）：新的URL，2 小时内有效",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.FileID = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return urlRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Download, "download", "", "同时把文件下载到这个路径（已存在时不覆盖，除非 --force）")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "覆盖已有的 --download 文件")
	return cmd
}

func urlRun(opts *URLOptions) error {
	wf, err := opts.Workflows()
	if err != nil {
		return err
	}
	u, err := wf.FileURL(opts.Context, opts.FileID)
	if err != nil {
		return err
	}
	out := URLJSON{FileID: opts.FileID, FileURL: u}
	if opts.Download != "" {
		ref, name, err := wf.Download(opts.Context, u, nil)
		if err != nil {
			return err
		}
		if err := copyFile(wf.Store.FilePath(ref.SHA256), opts.Download, opts.Force); err != nil {
			return err
		}
		out.Saved, out.Name, out.SHA256, out.Size = opts.Download, name, ref.SHA256, ref.Size
	}
	return opts.Print(out, func(w io.Writer) {
		fmt.Fprintln(w, u)
		if out.Saved != "" {
			fmt.Fprintf(w, "已下载到 %s（%s，SHA-256 %s）\n", out.Saved, platform.Size(out.Size), out.SHA256)
		}
	})
}

// copyFile copies the stored file to dst (cli.WriteOutput: never over an
// existing file unless force; no partial file is left).
func copyFile(src, dst string, force bool) error {
	return cli.WriteOutput(dst, 0o644, force, func(tmp string) error {
		in, err := os.Open(src)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
		if err != nil {
			return cli.UsageErr("无法写入 %s（%s）", dst, platform.FileProblem(err))
		}
		_, err = io.Copy(out, in)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return cli.UsageErr("无法写入 %s（%s）", dst, platform.FileProblem(err))
		}
		return nil
	})
}
