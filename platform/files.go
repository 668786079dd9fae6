package platform

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// FileProblem names, in Chinese for the clerk, why a file or folder could
// not be read or written.
func FileProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "文件或文件夹不存在"
	case errors.Is(err, fs.ErrPermission):
		return "没有权限"
	case errors.Is(err, fs.ErrExist):
		return "已经存在"
	case errors.Is(err, syscall.ENOSPC):
		return "磁盘已满"
	case errors.Is(err, syscall.EROFS):
		return "磁盘只读"
	case errors.Is(err, syscall.ENOTDIR):
		return "路径中有一段不是文件夹"
	case errors.Is(err, syscall.EISDIR):
		return "这是文件夹，不是文件"
	}
	return "读写出错"
}

// fileError is a file system error worded by FileProblem.
type fileError struct{ err error }

func (e fileError) Error() string { return FileProblem(e.err) }
func (e fileError) Unwrap() error { return e.err }

// maxKeyFile bounds a key file named in the config (a PEM key is ~2 KB).
const maxKeyFile = 64 << 10

// ReadLimited reads the file at path, refusing one over limit bytes; its
// errors read as Chinese sentences for the clerk and still wrap the file
// system's error (errors.Is(err, fs.ErrNotExist) holds).
func ReadLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError{err}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fileError{err}
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("文件超过 %d 字节", limit)
	}
	return b, nil
}
