package action

import (
	"strings"

	"baohan/pdfsign"
)

// ReportText is the PDF check's full report for the clerk (pdfsign's own
// text), led by its one-line conclusion.
func ReportText(r *pdfsign.Report) string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("结论：" + r.Conclusion() + "\n")
	if err := pdfsign.WriteText(&b, r); err != nil {
		b.WriteString("（报告写出失败：" + err.Error() + "）")
	}
	return strings.TrimRight(b.String(), "\n")
}
