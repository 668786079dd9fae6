// Package open hands a stored file to the system's viewer, one function
// per system (open_*.go), and only a file that platform/filetype's rule
// allows (a type the manual lists whose first bytes match it).
package open

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"baohan/platform/filetype"
)

// Opener opens the file at path with the system's viewer.
type Opener interface {
	Open(path string) error
}

// OpenerFunc is an Opener made of a function.
type OpenerFunc func(path string) error

func (f OpenerFunc) Open(path string) error { return f(path) }

// System is this system's viewer: xdg-open, macOS's open, or the
// Windows shell's "open" verb (ShellExecuteW).
func System() Opener { return OpenerFunc(systemOpen) }

// ErrUnsafe is returned for a file that is not of a listed type, or whose
// content does not match its extension: it is not opened.
var ErrUnsafe = errors.New("不安全的文件类型，未打开")

// ErrNoViewer is returned when the system has no viewer program.
var ErrNoViewer = errors.New("没有系统查看器")

// File hands the file at path (absolute) to o once filetype.Safe allows it; otherwise the
// error wraps ErrUnsafe and names the file and its type.
func File(o Opener, path string) error {
	// An absolute path: the viewers take no "--", and a name starting
	// with "-" must not be read as an option.
	if !filepath.IsAbs(path) {
		return fmt.Errorf("打开 %s：不是绝对路径", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	head := make([]byte, filetype.HeadSize)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	if ext, ok := filetype.Safe(path, head[:n]); !ok {
		if ext == "" {
			ext = "无扩展名"
		}
		return fmt.Errorf("%w：%s（%s，或内容与扩展名不符）", ErrUnsafe, filepath.Base(path), ext)
	}
	return o.Open(path)
}
