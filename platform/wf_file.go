package platform

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"baohan/store"
)

// FileURL is 4.1 get_file_url: a fresh URL, valid two hours, for a file_id
// of guarantee_sign_files or attach_files.
func (w *Workflows) FileURL(ctx context.Context, fileID string) (string, error) {
	if err := required("file_id", "", fileID); err != nil {
		return "", err
	}
	req := FileURLRequest{FileID: fileID}
	var u string
	err := w.call(ctx, MethodGetFileURL, fileID, req, func(ctx context.Context) (string, error) {
		var err error
		u, err = w.Client.GetFileURL(ctx, fileID)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("获取文件URL %s", fileID), nil
	}, nil)
	return u, err
}

// MaxDownload bounds a file fetched from a platform URL.
const MaxDownload = 100 << 20

// Download fetches url into the store's file folder and reports progress
// (total is -1 when the server does not say). It returns the stored file
// and the name the server gave it, sanitised.
func (w *Workflows) Download(ctx context.Context, url string, progress func(done, total int64)) (store.FileRef, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return store.FileRef{}, "", inputErr("文件URL无效：%v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return store.FileRef{}, "", fmt.Errorf("下载文件失败：%w", cleanURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return store.FileRef{}, "", fmt.Errorf("下载文件失败：HTTP %d（文件URL有效期2小时，过期请重新获取）", resp.StatusCode)
	}
	name := ""
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		name = params["filename"]
	}
	if name == "" {
		name = path.Base(req.URL.Path)
	}
	var r io.Reader = resp.Body
	if progress != nil {
		r = &progressReader{r: resp.Body, total: resp.ContentLength, fn: progress}
	}
	ref, err := w.Store.PutFile(r, MaxDownload)
	if err != nil {
		return store.FileRef{}, "", fmt.Errorf("保存下载的文件：%w", err)
	}
	return ref, SanitizeFileName(name), nil
}

type progressReader struct {
	r     io.Reader
	done  int64
	total int64
	fn    func(done, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	p.fn(p.done, p.total)
	return n, err
}

// SanitizeFileName keeps a name from the network fit to show and never to
// use as a path: the base name only, no control characters, no leading
// dots, at most 120 characters.
func SanitizeFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == ':' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	if name == "" {
		name = "file"
	}
	return name
}
