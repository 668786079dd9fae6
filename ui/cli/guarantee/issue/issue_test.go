package issue

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"baohan/platform"
	"baohan/ui/cli/cmdutil/cmdtest"
)

func TestNewCmdIssueFlags(t *testing.T) {
	e := cmdtest.New(t)
	var got *IssueOptions
	cmd := NewCmdIssue(e.F, func(o *IssueOptions) error { got = o; return nil })
	err := cmdtest.Run(cmd, "1813", "--no", "BH-1", "--template", "t.pdf", "--cert", "firm.p12",
		"--seal", "seal.png", "--tsa", "http://tsa.example/", "--out", "out.pdf", "--push",
		"--out-time", "2026-01-02 03:04:05", "--trans-no", "T9")
	if err != nil {
		t.Fatal(err)
	}
	if got.OrderNo != "1813" || got.GuaranteeNo != "BH-1" || got.Template != "t.pdf" || got.SignFile != "" ||
		got.CertFile != "firm.p12" || got.SealFile != "seal.png" || got.TSA != "http://tsa.example/" ||
		got.Out != "out.pdf" || !got.Push || got.OutTime != "2026-01-02 03:04:05" || got.TransNo != "T9" {
		t.Fatalf("options %+v", got)
	}
}

// Usage errors are found before the platform is asked for anything.
func TestIssueUsage(t *testing.T) {
	exists := filepath.Join(t.TempDir(), "exists.pdf")
	if err := os.WriteFile(exists, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := IssueOptions{OrderNo: "1813", GuaranteeNo: "BH-1", Template: "t.pdf", CertFile: "c.p12", Out: "new.pdf",
		Workflows: func() (*platform.Workflows, error) { return nil, errors.New("must not be reached") }}
	for _, c := range []struct {
		name string
		edit func(*IssueOptions)
		want string
	}{
		{"no number", func(o *IssueOptions) { o.GuaranteeNo = "" }, "缺少保函编号"},
		{"no source", func(o *IssueOptions) { o.Template = "" }, "请指定保函来源"},
		{"two sources", func(o *IssueOptions) { o.SignFile = "F1" }, "只能选一个"},
		{"no cert", func(o *IssueOptions) { o.CertFile = "" }, "缺少签名证书"},
		{"no out", func(o *IssueOptions) { o.Out = "" }, "缺少输出文件"},
		{"out exists", func(o *IssueOptions) { o.Out = exists }, "已存在，不覆盖"},
	} {
		o := base
		c.edit(&o)
		err := issueRun(&o)
		var ie *platform.InputError
		if !errors.As(err, &ie) || !strings.Contains(ie.Msg, c.want) {
			t.Errorf("%s: %v, want an input error with %q", c.name, err, c.want)
		}
	}
}
