package listener

import (
	"errors"
	"fmt"
	"time"

	"baohan/pdfsign"
	"baohan/platform"
	"baohan/store"
)

// verifyCodes are table 5.5 (保函验真状态码).
var verifyCodes = codes{
	decrypt:  platform.VerifyDecryptFailed,
	sign:     platform.VerifySignFailed,
	system:   platform.VerifySystemError,
	tooLarge: platform.VerifyTooLarge,
	receive:  platform.VerifyReceiveFailed,
	missing: map[string]int{
		"serial_num":      platform.VerifySerialMissing,
		fieldGuaranteePDF: platform.VerifyPDFMissing,
	},
	timestamp: platform.VerifyTimeout,
	malformed: map[string]int{"serial_num": platform.VerifyUnreadable},
}

// handleVerify serves 2.6 保函验真: the platform sends a guarantee PDF and
// its serial_num and asks who signed it, when, and whether it was modified.
// The answer combines the PDF's own signature check (pdfsign, bounded in
// time) with the comparison against the guarantee we issued under that
// serial: is_modified is 2 only when the signatures are proved intact AND
// the file's SHA-256 equals the issued guarantee's pdf_sha256.
//
// A serial we never issued is answered 2605 无法识别该文件 (we cannot vouch
// for a file we did not issue, and answering is_modified=1 would present
// the forger's signer as ours); a check that ran out of time 2608 请求超时.
// A query writes an event, no record.
func handleVerify(s *Server, c *call) (*result, error) {
	if err := c.require("serial_num", "timestamp"); err != nil {
		return nil, err
	}
	if err := c.checkTimestamp(); err != nil {
		return nil, err
	}
	var m platform.VerifyRequest
	if err := c.decode(&m); err != nil {
		return nil, err
	}
	serial := string(m.SerialNum)
	pdf := c.files[fieldGuaranteePDF]
	if pdf == nil {
		return nil, refuse(platform.VerifyPDFMissing, msgMissingParam+fieldGuaranteePDF)
	}
	if !pdf.isPDF() {
		return nil, refuse(platform.VerifyNotPDF, platform.VerifyStatusText(platform.VerifyNotPDF))
	}
	if !allDigits(serial) {
		return nil, refusef(platform.VerifyUnreadable, "无法识别该文件：serial_num %q 不是保函序列号（应为数字）", shorten(serial, 40))
	}
	g, err := s.st.GuaranteeBySerial(c.ctx, serial)
	if errors.Is(err, store.ErrNotFound) {
		// Our own letter whose serial we never learnt (a lost 2.5 answer,
		// a reconciled 2428): found by the file's SHA-256 among the PDFs
		// we pushed, and its serial adopted (protocol.md).
		g, err = s.adoptBySHA(c, serial, pdf.sha256)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, refusef(platform.VerifyUnreadable, "无法识别该文件：本公司没有序列号为 %s 的保函", serial)
	}
	if err != nil {
		return nil, err
	}
	rep, err := s.checkPDF(c.ctx, pdf.path) // checkgate.go: at most MaxConcurrentChecks at once
	if err != nil {
		return nil, fmt.Errorf("check guarantee_pdf of serial %s: %w", serial, err)
	}
	if !rep.Complete {
		return nil, refuse(platform.VerifyTimeout, platform.VerifyStatusText(platform.VerifyTimeout))
	}
	va := rep.VerifyAnswer()
	sameFile := g.PDFSHA256 != "" && g.PDFSHA256 == pdf.sha256
	answer := platform.VerifyAnswer{
		SerialNum:  m.SerialNum,
		SignName:   va.SignName,
		SignTime:   va.SignTime,
		Issuer:     va.Issuer,
		Timestamp:  signingUnix(va.SignTime, g.OutGuaranteeTime),
		IsModified: va.IsModified,
	}
	switch {
	case !sameFile:
		answer.IsModified = pdfsign.Modified
	case !rep.Signed() && rep.Intact():
		// An unsigned file (pushed with --force) byte for byte the one we
		// issued: it was not modified, though no signature proves it.
		answer.IsModified = pdfsign.NotModified
	}
	verdict := "未被修改"
	if answer.IsModified != pdfsign.NotModified {
		verdict = "已被修改或无法证明完好"
		switch {
		case !sameFile && va.IsModified == pdfsign.NotModified:
			verdict += "（签名完好，但与出具的保函文件不是同一文件）"
		case !sameFile:
			verdict += "（签名未通过核验，且与出具的保函文件不同）"
		default:
			verdict += "（与出具的保函文件相同，但签名未通过核验）"
		}
	}
	s.queryEvent(c, c.event(g.GuaranteeNo, fmt.Sprintf("保函验真 %s（序列号 %s）：%s", g.GuaranteeNo, serial, verdict)))
	return &result{answer: okAnswer(answer), ref: serial}, nil
}

// adoptBySHA finds, for a 2.6 whose serial we do not know, the one pushed
// guarantee whose kept PDF has the file's SHA-256 and whose serial is
// unknown, and adopts the serial (logged). ErrNotFound when there is none,
// or more than one, or its serial is known (and so another).
func (s *Server) adoptBySHA(c *call, serial, sha string) (store.Guarantee, error) {
	var g store.Guarantee
	err := s.st.Update(c.ctx, func(tx *store.Tx) error {
		gs, err := tx.GuaranteesByPDF(sha)
		if err != nil {
			return err
		}
		var pushed []store.Guarantee
		for _, x := range gs {
			if x.PushedAt > 0 {
				pushed = append(pushed, x)
			}
		}
		if len(pushed) != 1 || !serialUnknown(pushed[0]) {
			return store.ErrNotFound
		}
		g = pushed[0]
		g.SerialNum = serial
		return adoptSerial(tx, g, c.ep.method, "保函验真（按文件 SHA-256 找到本公司推送的保函）")
	})
	if err != nil {
		return store.Guarantee{}, err
	}
	return s.st.GetGuarantee(c.ctx, g.GuaranteeNo)
}

// allDigits tells whether s is a non-empty string of ASCII digits (a
// serial_num).
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// signingUnix is 2.6's timestamp: the signing time as Unix seconds, as in
// the manual's example (protocol.md); for a file without a signing time,
// the time the guarantee was issued (out_guarantee_time); 0 if neither.
func signingUnix(signTime, outTime string) int64 {
	for _, v := range []string{signTime, outTime} {
		if t, err := time.ParseInLocation(platform.DateTimeLayout, v, platform.CST); err == nil {
			return t.Unix()
		}
	}
	return 0
}
