// Package backup is `baohan backup FILE`: a consistent copy of the
// database while the listener runs.
package backup

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"baohan/store"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// BackupOptions are what `backup` needs.
type BackupOptions struct {
	Store   func() (*store.Store, error)
	Print   cmdutil.PrintFunc
	Context context.Context
	Dest    string
	Force   bool // --force: replace an existing FILE
}

// BackupJSON is the `--json` document.
type BackupJSON struct {
	Backup string `json:"backup"`
	Data   string `json:"data"`
}

// NewCmdBackup is `baohan backup FILE`.
func NewCmdBackup(f *cmdutil.Factory, runF func(*BackupOptions) error) *cobra.Command {
	opts := &BackupOptions{Store: f.StoreOnly, Print: f.Print}
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "在回调监听运行时做一份一致的数据库副本（VACUUM INTO）",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.Dest = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return backupRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "覆盖已有的备份文件")
	return cmd
}

func backupRun(opts *BackupOptions) error {
	s, err := opts.Store()
	if err != nil {
		return err
	}
	if err := backupPrivate(opts.Context, s, opts.Dest, opts.Force); err != nil {
		return err
	}
	return opts.Print(BackupJSON{Backup: opts.Dest, Data: s.Dir()}, func(w io.Writer) {
		fmt.Fprintf(w, "已备份 %s 到 %s（文件夹 %s 中的附件另需复制）\n", filepath.Join(s.Dir(), store.DBName), opts.Dest, filepath.Join(s.Dir(), "files"))
	})
}

// backupPrivate writes the backup with mode 0600: VACUUM INTO creates its
// file with the process umask, so it is made in a fresh 0700 folder beside
// dest, then narrowed and named dest (cli.WriteOutput: never over an
// existing file unless force).
func backupPrivate(ctx context.Context, s *store.Store, dest string, force bool) error {
	return cli.WriteOutput(dest, 0o600, force, func(tmp string) error {
		if err := s.Backup(ctx, tmp); err != nil {
			return fmt.Errorf("备份到 %s 失败：%s", dest, cli.Message(err))
		}
		return nil
	})
}
