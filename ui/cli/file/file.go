// Package file is `baohan file`: url (4.1).
package file

import (
	"github.com/spf13/cobra"

	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/file/url"
)

// NewCmdFile is `baohan file`.
func NewCmdFile(f *cmdutil.Factory) *cobra.Command {
	c := &cobra.Command{Use: "file", Short: "文件：url 获取文件URL（4.1）"}
	c.AddCommand(url.NewCmdURL(f, nil))
	return c
}
