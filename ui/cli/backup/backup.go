// Package backup is `baohan backup FILE`: a consistent copy of the
// database while the listener runs.
package backup

import (
	"baohan/platform"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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
}

// BackupJSON is the `--json` document.
type BackupJSON struct {
	Backup string `json:"backup"`
	Data   string `json:"data"`
}

// NewCmdBackup is `baohan backup FILE`.
func NewCmdBackup(f *cmdutil.Factory, runF func(*BackupOptions) error) *cobra.Command {
	opts := &BackupOptions{Store: f.StoreOnly, Print: f.Print}
	return &cobra.Command{
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
}

func backupRun(opts *BackupOptions) error {
	s, err := opts.Store()
	if err != nil {
		return err
	}
	if err := backupPrivate(opts.Context, s, opts.Dest); err != nil {
		return err
	}
	return opts.Print(BackupJSON{Backup: opts.Dest, Data: s.Dir()}, func(w io.Writer) {
		fmt.Fprintf(w, "已备份 %s 到 %s（文件夹 %s 中的附件另需复制）\n", filepath.Join(s.Dir(), store.DBName), opts.Dest, filepath.Join(s.Dir(), "files"))
	})
}

// backupPrivate writes the backup with mode 0600: VACUUM INTO creates its
// file with the process umask, so it is made inside a fresh 0700 folder
// beside dest, narrowed, then linked to dest (which never overwrites).
func backupPrivate(ctx context.Context, s *store.Store, dest string) error {
	if _, err := os.Lstat(dest); err == nil {
		return cli.UsageErr("%s 已存在，不覆盖", dest)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), ".baohan-backup-")
	if err != nil {
		return cli.UsageErr("无法在 %s 中写备份（%s）", filepath.Dir(dest), platform.FileProblem(err))
	}
	defer os.RemoveAll(tmp)
	part := filepath.Join(tmp, "backup.db")
	if err := s.Backup(ctx, part); err != nil {
		return fmt.Errorf("备份到 %s 失败：%s", dest, cli.Message(err))
	}
	if err := os.Chmod(part, 0o600); err != nil {
		return cli.UsageErr("无法设置 %s 的权限（%s）", dest, platform.FileProblem(err))
	}
	if err := os.Link(part, dest); err != nil {
		if errors.Is(err, os.ErrExist) {
			return cli.UsageErr("%s 已存在，不覆盖", dest)
		}
		return cli.UsageErr("无法写入 %s（%s）", dest, platform.FileProblem(err))
	}
	return nil
}
