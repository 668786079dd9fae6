package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"baohan/platform"
)

// The one overwrite rule (interface.md): a command that writes a file
// (export, guarantee issue, backup, keygen, file url --download, init)
// refuses an existing file unless --force.

// CheckOutput refuses path when something is there and force is off; a
// command asks it before doing any work.
func CheckOutput(path string, force bool) error {
	if force {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return &platform.InputError{Msg: fmt.Sprintf("%s 已存在，不覆盖（确需覆盖时加 --force）", path)}
	}
	return nil
}

// WriteOutput writes path through write, which is given a temporary path
// beside it (in a fresh folder of mode 0700) to create: only a complete
// file takes path's name, with mode. Without force it never replaces a
// file, not even one that appeared while write ran.
func WriteOutput(path string, mode os.FileMode, force bool, write func(tmp string) error) error {
	if err := CheckOutput(path, force); err != nil {
		return err
	}
	dir, err := os.MkdirTemp(filepath.Dir(path), ".baohan-out-")
	if err != nil {
		return &platform.InputError{Msg: fmt.Sprintf("无法在 %s 中写文件（%s）", filepath.Dir(path), platform.FileProblem(err))}
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, filepath.Base(path))
	if err := write(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return &platform.InputError{Msg: fmt.Sprintf("无法设置 %s 的权限（%s）", path, platform.FileProblem(err))}
	}
	if force {
		err = os.Rename(tmp, path)
	} else if err = os.Link(tmp, path); errors.Is(err, os.ErrExist) {
		return CheckOutput(path, false)
	}
	if err != nil {
		return &platform.InputError{Msg: fmt.Sprintf("无法写入 %s（%s）", path, platform.FileProblem(err))}
	}
	return nil
}
