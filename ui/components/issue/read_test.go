package issue

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The certificate and seal files are read through platform.ReadLimited: a
// Chinese sentence naming the file, the file system's error kept, the bound
// held.
func TestReadNamed(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.p12")
	_, err := readNamed(missing, 10, "证书")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v does not wrap fs.ErrNotExist", err)
	}
	if err == nil || !strings.Contains(err.Error(), "无法读取证书 "+missing) || !strings.Contains(err.Error(), "不存在") {
		t.Errorf("missing file said as %v", err)
	}
	big := filepath.Join(dir, "big.png")
	if err := os.WriteFile(big, make([]byte, 11), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readNamed(big, 10, "印章图片"); err == nil || !strings.Contains(err.Error(), "无法读取印章图片 "+big) || !strings.Contains(err.Error(), "超过 10 字节") {
		t.Errorf("file over the bound: %v", err)
	}
	if _, err := readNamed(dir, 10, "证书"); err == nil || !strings.Contains(err.Error(), "文件夹") {
		t.Errorf("a folder: %v", err)
	}
	b, err := readNamed(big, 11, "印章图片")
	if err != nil || len(b) != 11 {
		t.Errorf("file at the bound: %d bytes, %v", len(b), err)
	}
}
