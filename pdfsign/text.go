package pdfsign

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
)

// Conclusion is the one-line verdict for the clerk, without the "结论："
// label, for example "文件完整，签名有效" or "签名后被修改，不可推送".
func (r *Report) Conclusion() string {
	switch {
	case r == nil || !r.Complete:
		return "检查没有完成，无法确认文件完好，不可推送"
	case r.CheckError != "":
		return "检查出错，无法确认文件完好，不可推送"
	case !r.IsPDF:
		return "不是PDF文件，不可推送"
	case r.Encrypted && !r.ValidRelaxed:
		return "文件已加密，无法检查，不可推送"
	case !r.ValidRelaxed:
		return "PDF文件无效或不完整，不可推送"
	case r.StraySignatureData:
		return "签名可能被剥离，不可推送"
	}
	for _, s := range r.Signatures {
		switch {
		case !s.ByteRangeOK || (s.Supported && !s.SignatureOK):
			return "签名无效，不可推送"
		case s.Supported && !s.DigestOK:
			return "签名后被修改，不可推送"
		case !s.Supported && (s.DigestAlgorithm == "SHA-1" || strings.Contains(s.SubFilter, "sha1")):
			return "签名使用已不安全的 SHA-1（弱算法），不能确认未被修改，不可推送"
		case !s.Supported:
			return "签名无法验证，不能确认未被修改，不可推送"
		case s.FormFilledAfterSigning:
			return ReasonFormFilled + "，不可推送"
		case s.AppendedAfterSigning && !s.LaterUpdatesOnlySignatures:
			return "签名后被修改，不可推送"
		case !s.Intact:
			return "签名未能确认完好，不可推送"
		}
	}
	if !r.Intact() {
		return "签名后被修改，不可推送"
	}
	if !r.Signed() {
		return "文件完整，但没有签名"
	}
	return "文件完整，签名有效"
}

// WriteText writes the report for a person, with Chinese labels aligned by
// display width (CJK characters take two columns).
func WriteText(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	t := &textOut{w: bw}
	yes := func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	}
	pass := func(b bool) string {
		if b {
			return "通过"
		}
		return "未通过"
	}

	head := [][2]string{}
	if r.File != "" {
		head = append(head, [2]string{"文件", r.File})
	}
	head = append(head,
		[2]string{"大小", strconv.FormatInt(r.Size, 10) + " 字节"},
		[2]string{"SHA-256", orDash(r.SHA256)},
	)
	if r.IsPDF {
		structure := pass(r.ValidRelaxed)
		head = append(head,
			[2]string{"PDF版本", orDash(r.Version)},
			[2]string{"页数", strconv.Itoa(r.Pages)},
			[2]string{"加密", yes(r.Encrypted)},
			[2]string{"结构校验", structure},
		)
		if r.ValidationErrors.Relaxed != "" {
			head = append(head, [2]string{"校验错误", shorten(r.ValidationErrors.Relaxed, 300)})
		}
		sigCount := "无"
		if len(r.Signatures) > 0 {
			sigCount = "共 " + strconv.Itoa(len(r.Signatures)) + " 个"
		}
		head = append(head, [2]string{"签名", sigCount})
	}
	t.block("", head)

	for i, s := range r.Signatures {
		title := "签名 " + strconv.Itoa(i+1)
		if s.Field != "" {
			title += "（签名域 " + s.Field + "）"
		}
		if s.Kind == KindDocTimestamp {
			title += "（文档时间戳）"
		}
		t.line(title + "：")
		when := "未知"
		if !s.SigningTime.IsZero() {
			when = s.SigningTime.In(chinaTime).Format(TimeLayout) + "（北京时间，来源：" + timeSourceText(s.SigningTimeSource) + "）"
		}
		format := orDash(s.SubFilter)
		if s.DigestAlgorithm != "" {
			format += "，" + s.DigestAlgorithm
		}
		appended := "无"
		if s.AppendedAfterSigning {
			if s.LaterUpdatesOnlySignatures {
				appended = "有（只有签名后允许的追加：后续签名、时间戳、验证数据 DSS 或元数据）"
			} else {
				appended = "有"
			}
		}
		trustText := trustWord(s.Trust)
		if s.TrustReason != "" {
			trustText += "（" + s.TrustReason + "）"
		}
		rows := [][2]string{
			{"签名人", person(s.SignerCN, s.SignerOrg)},
			{"签发机构", person(s.IssuerCN, s.IssuerOrg)},
			{"签名时间", when},
			{"签名格式", format},
			{"覆盖全文", yes(s.CoversWholeFile)},
			{"签名后追加内容", appended},
			{"摘要校验", checked(s.DigestOK, s.Supported)},
			{"签名校验", checked(s.SignatureOK, s.Supported)},
			{"签名完好", yes(s.Intact)},
			{"证书信任", trustText},
		}
		if len(s.Chain) > 0 {
			rows = append(rows, [2]string{"信任链", strings.Join(s.Chain, " → ")})
		}
		t.block("  ", rows)
		t.list("  ", "问题", s.Problems)
		t.list("  ", "说明", s.Notes)
	}
	t.list("", "问题", r.Problems)
	t.line("结论：" + r.Conclusion())
	if t.err != nil {
		return t.err
	}
	return bw.Flush()
}

type textOut struct {
	w   io.Writer
	err error
}

func (t *textOut) line(s string) {
	if t.err == nil {
		_, t.err = fmt.Fprintln(t.w, s)
	}
}

// block writes label/value rows with the labels padded to one display width.
func (t *textOut) block(indent string, rows [][2]string) {
	width := 0
	for _, kv := range rows {
		width = max(width, runewidth.StringWidth(kv[0]))
	}
	for _, kv := range rows {
		pad := strings.Repeat(" ", width-runewidth.StringWidth(kv[0]))
		t.line(indent + kv[0] + "：" + pad + kv[1])
	}
}

func (t *textOut) list(indent, label string, items []string) {
	if len(items) == 0 {
		return
	}
	t.line(indent + label + "：")
	for _, it := range items {
		t.line(indent + "  - " + it)
	}
}

// checked words a verification result; a failure of an unsupported
// signature means it could not be checked.
func checked(ok, supported bool) string {
	switch {
	case ok:
		return "通过"
	case !supported:
		return "无法验证"
	}
	return "未通过"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func person(cn, org string) string {
	switch {
	case cn != "" && org != "":
		return cn + "（" + org + "）"
	case cn != "":
		return cn
	case org != "":
		return org
	}
	return "未知"
}

func timeSourceText(src string) string {
	switch src {
	case TimeFromTimestampToken:
		return "时间戳服务签发的时间戳"
	case TimeFromSignedAttribute:
		return "签名属性，签名人电脑的时间"
	case TimeFromMEntry:
		return "签名字典 /M，签名人电脑的时间"
	}
	return "未知"
}

func trustWord(t string) string {
	switch t {
	case TrustTrusted:
		return "受信任"
	case TrustUntrusted:
		return "不受信任"
	}
	return "未知"
}
