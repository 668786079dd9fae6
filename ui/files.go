package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/common/open"
	"baohan/ui/components/action"
	"baohan/ui/components/detail"
)

// Downloaded copies the downloads for a command to read.
func (m *Model) Downloaded() map[string]detail.Downloaded {
	out := make(map[string]detail.Downloaded, len(m.files))
	for k, v := range m.files {
		out[k] = v
	}
	return out
}

// fileMsg reports a file or clipboard operation.
type fileMsg struct {
	text string
	err  error
}

func (m *Model) fileDone(msg fileMsg) tea.Cmd {
	if msg.err != nil {
		m.pc.Errorf("%s", msg.err.Error())
		return nil
	}
	m.pc.Info("%s", msg.text)
	return nil
}

// Copy puts a value on the clipboard with OSC 52 (no clipboard program
// needed; the terminal must allow it) and shows it, so that it can also be
// copied by hand.
func (m *Model) Copy(label, value string) tea.Cmd {
	if value == "" {
		m.pc.Info("%s 没有值可复制", label)
		return nil
	}
	shown := common.Clean(value)
	if len(value) > 200 {
		shown = common.Truncate(shown, 60)
	}
	if m.pc.Term == nil {
		m.pc.Info("无法使用终端剪贴板，请手动复制%s：%s", strings.TrimSpace(" "+label), shown)
		return nil
	}
	// OSC 52 has no answer: whether the terminal took it is unknown.
	m.pc.Info("已发往终端剪贴板%s（终端不支持 OSC 52 时无效，请手动复制）：%s", strings.TrimSpace(" "+label), shown)
	out := m.pc.Term
	return func() tea.Msg {
		out.Copy(value)
		return nil
	}
}

// Open opens a stored file in the system viewer. The store names files
// by their SHA-256, so a copy with the file's own name (and extension) is
// made in a private temporary folder first.
func (m *Model) Open(f detail.File) tea.Cmd {
	if f.SHA == "" || !f.Stored {
		if f.FileID != "" {
			m.pc.Info("这个文件还没有下载：按 d 获取URL并下载")
		} else {
			m.pc.Errorf("本地没有这个文件")
		}
		return nil
	}
	db, out := m.pc.Store, m.pc.Term
	return func() tea.Msg {
		src := db.FilePath(f.SHA)
		// A copy under the file's own name, so that a viewer (or the
		// clerk) knows what it is.
		dst, err := viewCopy(src, f)
		if err != nil {
			return fileMsg{err: fmt.Errorf("准备打开 %s：%v（文件在：%s）", f.Name, err, src)}
		}
		if err := open.File(open.System(), dst); err != nil {
			switch {
			case errors.Is(err, open.ErrUnsafe):
				// No copy of it is left where a click would run it.
				os.Remove(dst)
				return fileMsg{err: fmt.Errorf("%v；SHA-256 %s，原文件保存在文件库中", err, f.SHA)}
			case errors.Is(err, open.ErrNoViewer):
				if out != nil {
					out.Copy(dst)
				}
				return fileMsg{err: fmt.Errorf("%v；文件在 %s（路径已复制）", err, dst)}
			}
			return fileMsg{err: fmt.Errorf("%v；文件在 %s", err, dst)}
		}
		return fileMsg{text: fmt.Sprintf("已用系统查看器打开 %s", dst)}
	}
}

// viewCopy copies a stored file to a private temp folder under its name.
func viewCopy(src string, f detail.File) (string, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("baohan-open-%d", os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	name := platform.SanitizeFileName(f.Name)
	if f.Name == detail.NoFileName {
		name = "file"
	}
	dst := filepath.Join(dir, f.SHA[:8]+"-"+name)
	rememberOpened(dst) // removed when the desk quits
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(dir, "copy-*")
	if err != nil {
		return "", err
	}
	_, cerr := io.Copy(tmp, in)
	if err := errors.Join(cerr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return dst, nil
}

// Download is 4.1: a fresh URL for a platform file, then the file
// itself into the store, with a progress bar.
func (m *Model) Download(f detail.File) tea.Cmd {
	if m.pc.Workflows == nil {
		m.pc.Errorf("%s", readOnly)
		return nil
	}
	wf, db := m.pc.Workflows, m.pc.Store
	spec := &action.Spec{
		Title: "获取文件URL并下载（4.1）", Ref: "文件 " + f.FileID,
		Intro: []string{"文件：" + f.Name, "平台给的文件URL两小时后失效，所以先取一个新的URL，再下载到本地文件库。"},
		Prepare: func(ctx context.Context, v map[string]string) (*action.Prepared, error) {
			return &action.Prepared{
				Sends: []action.SendPart{{Method: platform.MethodGetFileURL, Fields: []platform.Field{{Name: "file_id", Value: f.FileID}}}},
				Run: func(ctx context.Context, progress func(int64, int64)) (*action.Outcome, error) {
					url, err := wf.FileURL(ctx, f.FileID)
					if err != nil {
						return nil, err
					}
					ref, name, err := wf.Download(ctx, url, progress)
					if err != nil {
						return nil, err
					}
					if name == "" || name == "file" {
						name = f.Name
					}
					// Remembered in the store: list --json names it by
					// file_id with its sha256.
					if err := db.RecordDownload(ctx, store.Download{FileID: f.FileID, SHA256: ref.SHA256, Name: name, Size: ref.Size}); err != nil {
						return nil, fmt.Errorf("已下载到文件库（SHA-256 %s），但记录失败：%w", ref.SHA256, err)
					}
					return &action.Outcome{
						Lines: []string{
							fmt.Sprintf("已下载 %s（%s）", name, common.Size(ref.Size)),
							"SHA-256：" + ref.SHA256,
							"存于：" + db.FilePath(ref.SHA256),
							"在详情里按 o 用系统查看器打开。",
						},
						Download: &detail.Downloaded{SHA: ref.SHA256, Name: name, Size: ref.Size},
						FileID:   f.FileID,
					}, nil
				},
			}, nil
		},
		Done: func(o *action.Outcome) {
			if o.Download != nil {
				m.files[o.FileID] = *o.Download
			}
		},
	}
	return m.pc.Push(action.NewAction(m.pc, spec, m.afterAction))
}
