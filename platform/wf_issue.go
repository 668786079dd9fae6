package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"baohan/pdfsign"
	"baohan/pdfsign/issue"
	"baohan/store"
)

// IssueInput is what the clerk gives for 签发 (interface.md: baohan
// guarantee issue): the order, the new guarantee number, the letter's
// source (the platform's 签署文件 or the firm's template), the firm's
// certificate, and optionally a seal image and a time-stamp authority.
type IssueInput struct {
	OrderNo     string
	GuaranteeNo string
	// Exactly one of SignFileID (a file_id of the order's
	// guarantee_sign_files, fetched with 4.1) and Template (a PDF form).
	SignFileID string
	Template   string
	Cert       *issue.Certificate
	Seal       []byte // PNG or JPEG; none when nil
	TSAURL     string // RFC 3161; none when empty
	Font       issue.Font
}

// IssuedLetter is a signed guarantee letter, checked, not yet pushed.
type IssuedLetter struct {
	Source   string             // where the letter came from, for the clerk
	Values   []issue.FieldValue // the facts filled in (template only)
	PDF      []byte
	SHA256   string // lower-case hex, the guarantee_pdf_hash of a push
	Report   *pdfsign.Report
	Warnings []string
}

// LetterFor is the letter an order gives (2.1's fields, the clerk's
// guarantee number, the firm's name, today), for the clerk to review
// before signing. The guarantee period follows protocol.md: start = the
// date of bid_deadline, end = start + valid_day + 28 days (manual 2.1
// guarantee_end_date); a period the platform sent that differs is shown as
// a warning, and the rule's is written.
func (w *Workflows) LetterFor(ctx context.Context, orderNo, guaranteeNo string) (issue.Letter, []string, error) {
	o, err := w.knownOrder(ctx, orderNo)
	if err != nil {
		return issue.Letter{}, nil, err
	}
	if err := required("guarantee_no", "--no", guaranteeNo); err != nil {
		return issue.Letter{}, nil, err
	}
	if w.Guarantor == "" {
		return issue.Letter{}, nil, inputErr("配置缺少 guarantor.name（保证人）")
	}
	var warns []string
	amount, err := issue.ParseAmount(o.GuaranteeAmount)
	if err != nil {
		return issue.Letter{}, nil, inputErr("订单 %s 的%v", o.OrderNo, err)
	}
	deadline, err := ParseDeadline(strings.TrimSpace(o.BidDeadline))
	if err != nil {
		return issue.Letter{}, nil, inputErr("订单 %s 的投标截止时间 %q 无法识别，不能确定担保期间", o.OrderNo, o.BidDeadline)
	}
	days, err := strconv.Atoi(strings.TrimSpace(o.ValidDay))
	if err != nil || days < 0 || days > 3650 {
		return issue.Letter{}, nil, inputErr("订单 %s 的投标有效期 %q 不是天数，不能确定担保期间", o.OrderNo, o.ValidDay)
	}
	start := time.Date(deadline.Year(), deadline.Month(), deadline.Day(), 0, 0, 0, 0, CST)
	end := start.AddDate(0, 0, days+28)
	if s := strings.TrimSpace(o.GuaranteeStartDate); s != "" && s != start.Format(DateLayout) {
		warns = append(warns, fmt.Sprintf("平台给出的担保期间开始日 %s 与投标截止日 %s 不同，保函按投标截止日写", s, start.Format(DateLayout)))
	}
	if e := strings.TrimSpace(o.GuaranteeEndDate); e != "" && e != end.Format(DateLayout) {
		warns = append(warns, fmt.Sprintf("平台给出的担保期间结束日 %s 与规则（开始日 + 投标有效期 %d 天 + 28 天 = %s）不同，保函按规则写", e, days, end.Format(DateLayout)))
	}
	for _, f := range []struct{ name, label, v string }{{"creditor", "受益人", o.Creditor}, {"principal", "被保证人", o.Principal}, {"block_name", "标段名称", o.BlockName}} {
		if strings.TrimSpace(f.v) == "" {
			return issue.Letter{}, nil, inputErr("订单 %s 缺少%s（%s），不能出函", o.OrderNo, f.label, f.name)
		}
	}
	now := w.now().In(CST)
	return issue.Letter{
		GuaranteeNo: strings.TrimSpace(guaranteeNo), Creditor: o.Creditor, Principal: o.Principal,
		ProjectName: orderField(o, "project_name"), BlockName: o.BlockName, Amount: amount,
		PeriodStart: start, PeriodEnd: end, Guarantor: w.Guarantor,
		IssueDate: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, CST),
	}, warns, nil
}

// IssueLetter makes the signed letter: the template filled from the order
// (LetterFor) or the platform's 签署文件 as it is, signed with the firm's
// certificate (optionally sealed and time-stamped), then checked by
// pdfsign as a push would check it. A letter that fails the check is
// returned with its report and an error.
func (w *Workflows) IssueLetter(ctx context.Context, in IssueInput) (*IssuedLetter, error) {
	o, err := w.knownOrder(ctx, in.OrderNo)
	if err != nil {
		return nil, err
	}
	if o.OrderStatus != OrderWaitOutGuarantee {
		return nil, inputErr("订单 %s 是 %s，只有待出函(WAIT_OUT_GUARANTEE)的订单可以签发电子保函", o.OrderNo, OrderStateLabel(o.OrderStatus))
	}
	if err := required("guarantee_no", "--no", in.GuaranteeNo); err != nil {
		return nil, err
	}
	if g, err := w.Store.GetGuarantee(ctx, in.GuaranteeNo); err == nil && g.PushedAt > 0 {
		return nil, inputErr("保函 %s 已推送（序列号 %s），不会重复签发", g.GuaranteeNo, g.SerialNum)
	}
	if (in.SignFileID == "") == (in.Template == "") {
		return nil, inputErrHint("--sign-file 或 --template", "请指定保函来源：平台的签署文件（--sign-file FILE_ID）或本公司的模板（--template FILE），二者选一")
	}
	if in.Cert == nil {
		return nil, inputErrHint("--cert", "缺少签名证书")
	}
	if in.Font.Dir == "" {
		in.Font.Dir = w.Store.Dir() + string(os.PathSeparator) + "fonts"
	}
	out := &IssuedLetter{}
	if !certNames(in.Cert, w.Guarantor) {
		out.Warnings = append(out.Warnings, fmt.Sprintf("证书的主体（%s）不是配置的保证人 %s", in.Cert.Leaf.Subject.String(), w.Guarantor))
	}
	var pdf []byte
	if in.Template != "" {
		l, warns, err := w.LetterFor(ctx, in.OrderNo, in.GuaranteeNo)
		if err != nil {
			return nil, err
		}
		out.Warnings = append(out.Warnings, warns...)
		tpl, err := ReadLimited(in.Template, issue.MaxPDF)
		if err != nil {
			return nil, inputErr("无法读取模板 %s：%v", in.Template, err)
		}
		if pdf, err = issue.Fill(tpl, l, in.Font); err != nil {
			return nil, inputErr("模板 %s：%v", in.Template, err)
		}
		out.Source, out.Values = "模板 "+in.Template, l.Values()
	} else {
		name, ok := signFileName(o, in.SignFileID)
		if !ok {
			var have []string
			for _, f := range signFiles(o) {
				have = append(have, fmt.Sprintf("%s（%s）", f.FileID, f.FileName))
			}
			if len(have) == 0 {
				return nil, inputErrHint("--sign-file", "订单 %s 没有签署文件（guarantee_sign_files），请用 --template", o.OrderNo)
			}
			return nil, inputErrHint("--sign-file", "订单 %s 的签署文件中没有 file_id %s；它的签署文件：%s", o.OrderNo, in.SignFileID, strings.Join(have, "、"))
		}
		if pdf, err = w.signFile(ctx, in.SignFileID); err != nil {
			return nil, err
		}
		out.Source = fmt.Sprintf("平台签署文件 %s（%s）", in.SignFileID, name)
	}
	opts := issue.SignOptions{Reason: "签发电子保函 " + in.GuaranteeNo, Seal: in.Seal, Now: w.Now}
	if in.TSAURL != "" {
		opts.TSA = &issue.TSAClient{URL: in.TSAURL}
	}
	signed, err := issue.Sign(ctx, pdf, in.Cert, opts)
	if err != nil {
		return nil, fmt.Errorf("签名失败：%w", err)
	}
	out.PDF = signed
	report, err := pdfsign.CheckBytesIsolated(ctx, signed, w.PDF)
	if err != nil {
		return nil, fmt.Errorf("检查签发的保函失败：%w", err)
	}
	out.Report, out.SHA256 = report, report.SHA256
	if ok, warning, reason := report.PushVerdict(); !ok {
		return out, fmt.Errorf("签发的保函未通过检查：%s", reason)
	} else if warning != "" {
		out.Warnings = append(out.Warnings, warning)
	}
	// Keep the exact bytes: the push reads them again from --out, and the
	// store keeps its own copy whether or not it is pushed.
	if _, err := w.Store.PutFile(bytes.NewReader(signed), MaxGuaranteePDF); err != nil {
		return out, fmt.Errorf("保存签发的保函失败：%w", err)
	}
	// The journal ties the stored letter to its order: the desk shows it
	// with the order and offers it to the push after the result screen is
	// gone (IssuedLetters). A letter that is not recorded is not offered.
	rec := IssuedRecord{OrderNo: o.OrderNo, GuaranteeNo: in.GuaranteeNo, SHA256: out.SHA256, Size: int64(len(signed)),
		Signer: in.Cert.Leaf.Subject.CommonName, Source: out.Source, SignedAt: w.now().UnixMilli()}
	if rec.Signer == "" {
		rec.Signer = in.Cert.Leaf.Subject.String()
	}
	detail, err := json.Marshal(rec)
	if err != nil {
		return out, fmt.Errorf("记录签发的保函失败：%w", err)
	}
	if _, err := w.Store.AddEvent(ctx, store.Event{Kind: KindIssued, Ref: o.OrderNo, At: rec.SignedAt,
		Summary: fmt.Sprintf("签发电子保函 %s（SHA-256 %s）", in.GuaranteeNo, out.SHA256), Detail: string(detail)}); err != nil {
		return out, fmt.Errorf("记录签发的保函失败（文件已存入文件库，SHA-256 %s）：%w", out.SHA256, err)
	}
	return out, nil
}

// KindIssued is the journal's kind of a letter IssueLetter signed and
// stored: its Ref is the order, its Detail an IssuedRecord.
const KindIssued = "issued"

// IssuedRecord is a letter IssueLetter signed and kept in the file store.
type IssuedRecord struct {
	OrderNo     string `json:"order_no"`
	GuaranteeNo string `json:"guarantee_no"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	Signer      string `json:"signer"` // the certificate's subject (CN)
	Source      string `json:"source"`
	SignedAt    int64  `json:"signed_at"` // unix ms
}

// IssuedLetters are the letters signed for an order, newest first.
func (w *Workflows) IssuedLetters(ctx context.Context, orderNo string) ([]IssuedRecord, error) {
	return IssuedLetters(ctx, w.Store, orderNo)
}

// IssuedLetters are the letters signed for an order, newest first (read
// from the journal; a record that cannot be read is an error, not skipped).
func IssuedLetters(ctx context.Context, db *store.Store, orderNo string) ([]IssuedRecord, error) {
	evs, err := db.ListEvents(ctx, store.EventQuery{Ref: orderNo, Kind: KindIssued, Limit: 100})
	if err != nil {
		return nil, fmt.Errorf("read letters issued for order %s: %w", orderNo, err)
	}
	out := make([]IssuedRecord, 0, len(evs))
	for _, e := range evs {
		var r IssuedRecord
		if err := json.Unmarshal([]byte(e.Detail), &r); err != nil || r.SHA256 == "" {
			return nil, fmt.Errorf("read letter issued for order %s (event %d): bad record", orderNo, e.ID)
		}
		out = append(out, r)
	}
	return out, nil
}

// signFile fetches a 签署文件 with a fresh URL (4.1: the URL in 2.1 lives
// two hours) and checks that it is a PDF.
func (w *Workflows) signFile(ctx context.Context, fileID string) ([]byte, error) {
	u, err := w.FileURL(ctx, fileID)
	if err != nil {
		return nil, err
	}
	ref, _, err := w.Download(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	f, err := w.Store.OpenFile(ref.SHA256)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, issue.MaxPDF+1))
	if err != nil {
		return nil, err
	}
	if len(b) > issue.MaxPDF || !bytes.HasPrefix(bytes.TrimLeft(b, " \r\n\t\x00"), []byte("%PDF-")) {
		return nil, inputErr("签署文件 %s 不是 PDF 文件", fileID)
	}
	return b, nil
}

// signFileName finds fileID among the order's guarantee_sign_files.
func signFileName(o store.Order, fileID string) (string, bool) {
	for _, f := range signFiles(o) {
		if string(f.FileID) == fileID {
			return string(f.FileName), true
		}
	}
	return "", false
}

// signFiles are the order's guarantee_sign_files.
func signFiles(o store.Order) []SignFile {
	sign, _ := OrderFiles(o.Fields)
	return sign
}

// orderField is one field of the order as received, as text.
func orderField(o store.Order, name string) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(o.Fields, &fields) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(fields[name], &s) == nil {
		return strings.TrimSpace(s)
	}
	return ""
}

// certNames tells whether the certificate names the guarantor, as its
// common name or its organisation (full-width and half-width brackets
// alike, spaces ignored).
func certNames(c *issue.Certificate, guarantor string) bool {
	want := NormName(guarantor)
	if NormName(c.Leaf.Subject.CommonName) == want {
		return true
	}
	for _, o := range c.Leaf.Subject.Organization {
		if NormName(o) == want {
			return true
		}
	}
	return false
}
