// Package verify is `baohan verify FILE`: the PDF check.
package verify

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"baohan/pdfsign"
	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// VerifyOptions are what `verify` needs.
type VerifyOptions struct {
	PDFOptions func() pdfsign.Options
	Print      cmdutil.PrintFunc
	// PrintFailure prints the report of a file that did not pass.
	PrintFailure cmdutil.FailFunc
	Context      context.Context
	File         string
}

// NewCmdVerify is `baohan verify FILE`.
func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{PDFOptions: f.PDFOptions, Print: f.Print, PrintFailure: f.PrintFailure}
	return &cobra.Command{
		Use:   "verify FILE",
		Short: "检查 PDF 结构和每个签名；只有有效且签名完好的 PDF 才返回 0",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context, opts.File = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return verifyRun(opts)
		},
	}
}

func verifyRun(opts *VerifyOptions) error {
	if _, err := os.Stat(opts.File); err != nil {
		return cli.UsageErr("无法读取文件 %s（%s）", opts.File, platform.FileProblem(err))
	}
	rep, err := pdfsign.CheckFile(opts.Context, opts.File, opts.PDFOptions())
	if err != nil {
		return cli.UsageErr("无法检查文件 %s（%s）", opts.File, cli.Message(err))
	}
	doc := NewDocument(rep)
	text := func(w io.Writer) { _ = pdfsign.WriteText(w, rep) }
	if !rep.Intact() {
		return opts.PrintFailure(doc, text, cli.CheckFailed("%s 未通过检查（%s）", opts.File, verdictText[doc.Verdict]))
	}
	return opts.Print(doc, text)
}

// verdictText words a verdict for the clerk.
var verdictText = map[string]string{
	pdfsign.VerdictIntact:       "文件完整，签名有效",
	pdfsign.VerdictModified:     "签名后被修改或签名无效",
	pdfsign.VerdictUnsigned:     "没有电子签名",
	pdfsign.VerdictInvalid:      "不是有效的PDF文件",
	pdfsign.VerdictUnverifiable: "无法验证",
}

// Document is `verify --json`'s document: the report, its verdict
// (pdfsign.Report.Verdict), and every time as YYYY-MM-DD HH:MM:SS in China
// Standard Time (interface.md), "" when unknown.
type Document struct {
	Verdict string `json:"verdict"`
	*pdfsign.Report
	CheckedAt  string         `json:"checked_at"`
	Signatures []SignatureDoc `json:"signatures"`
}

// SignatureDoc is one signature of the document.
type SignatureDoc struct {
	pdfsign.Signature
	SigningTime string `json:"signing_time"`
}

// NewDocument is the document of rep.
func NewDocument(rep *pdfsign.Report) Document {
	d := Document{Verdict: rep.Verdict(), Report: rep, CheckedAt: cstTime(rep.CheckedAt), Signatures: []SignatureDoc{}}
	for _, s := range rep.Signatures {
		d.Signatures = append(d.Signatures, SignatureDoc{Signature: s, SigningTime: cstTime(s.SigningTime)})
	}
	return d
}

var chinaTime = time.FixedZone("CST", 8*3600)

func cstTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format(pdfsign.TimeLayout)
}
