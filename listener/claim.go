package listener

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"baohan/platform"
	"baohan/store"
)

// handleClaim serves 3.1 理赔申请, once per claim_no and status. 假通知
// checks (manual 3.1 注意事项 4): guarantee_no must be a guarantee we
// issued, with the same principal, creditor, block and 出函担保公司. The
// files guarantee_pdf and attach_file0 are required (manual 必须=是),
// further attach_fileN optional, each at most MaxFileBytes. A guarantee_pdf
// whose SHA-256 differs from the PDF we issued is accepted but flagged for
// the clerk (the claim stands; the evidence is suspicious).
func handleClaim(s *Server, c *call) (*result, error) {
	if err := c.requestMethod(platform.CallbackApplyClaim); err != nil {
		return nil, err
	}
	if err := c.require(platform.ApplyClaimRequired...); err != nil {
		return nil, err
	}
	var m platform.ApplyClaim
	if err := c.decode(&m); err != nil {
		return nil, err
	}
	pdf := c.files[fieldGuaranteePDF]
	if pdf == nil {
		return nil, refuse(platform.StatusFailed, msgMissingParam+fieldGuaranteePDF)
	}
	if !pdf.isPDF() {
		return nil, refuse(platform.StatusFailed, "guarantee_pdf 不是 PDF 文件")
	}
	if c.files["attach_file0"] == nil {
		return nil, refuse(platform.StatusFailed, msgMissingParam+"attach_file0")
	}
	attach := attachments(c.files)
	claimNo, status, gno := string(m.ClaimNo), string(m.Status), string(m.GuaranteeNo)
	detail := c.detail()
	res, err := s.idempotent(c, claimNo+"/"+status, okAnswer(nil), func(tx *store.Tx) error {
		if err := c.checkTimestamp(); err != nil {
			return err
		}
		g, err := tx.GetGuarantee(gno)
		if errors.Is(err, store.ErrNotFound) {
			return refusef(platform.StatusFailed, "理赔申请的保函 %s 不是本公司出具的保函", gno)
		}
		if err != nil {
			return err
		}
		if d := partyMismatch(g, string(m.Principal), string(m.Creditor), string(m.BlockNumber)); d != "" {
			return refuse(platform.StatusFailed, "理赔申请中"+d)
		}
		have, got := strings.TrimSpace(g.Guarantor), strings.TrimSpace(string(m.OutGuarantee))
		if have != "" && got != "" && have != got {
			return refuse(platform.StatusFailed, "理赔申请中出函担保公司与本公司出具的保函不一致")
		}
		pdfRef, err := pdf.put(s.st, s.cfg.MaxFileBytes)
		if err != nil {
			return err
		}
		cl := store.Claim{
			ClaimNo: claimNo, Status: status, GuaranteeNo: gno,
			BlockNumber: string(m.BlockNumber), BlockName: string(m.BlockName),
			Principal: string(m.Principal), Creditor: string(m.Creditor),
			Guarantor: string(m.Guarantor), OutGuarantee: string(m.OutGuarantee),
			ClaimAmount: string(m.ClaimAmount), ClaimReason: string(m.ClaimReason),
			ContactPerson: string(m.ContactPerson), ContactPhone: string(m.ContactPhone),
			ContactMail: string(m.ContactMail), GuaranteePDFSHA256: pdfRef.SHA256,
			Fields: detail, Raw: detail,
		}
		for _, u := range attach {
			ref, err := u.put(s.st, s.cfg.MaxFileBytes)
			if err != nil {
				return err
			}
			cl.Attachments = append(cl.Attachments, store.ClaimAttachment{Field: u.field, Name: u.name, Size: ref.Size, SHA256: ref.SHA256})
		}
		if err := tx.PutClaim(cl); err != nil {
			return err
		}
		if g.PDFSHA256 != "" && g.PDFSHA256 != pdfRef.SHA256 {
			if _, err := tx.AddEvent(c.flagEvent(claimNo, fmt.Sprintf("理赔 %s 附带的保函原件与本公司出具的保函 %s 文件不一致（SHA-256 不同），请核对", claimNo, gno))); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("理赔申请 %s：保函 %s，索赔 %s 元，状态 %s，附件 %d 个", claimNo, gno, m.ClaimAmount, claimStateName(status), len(attach))
		_, err = tx.AddEvent(c.event(claimNo, summary))
		return err
	})
	if err != nil {
		return nil, err
	}
	res.ref = claimNo
	return res, nil
}

// attachments are the attach_fileN uploads in N order.
func attachments(files map[string]*upload) []*upload {
	var out []*upload
	for f, u := range files {
		if attachField.MatchString(f) {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return attachIndex(out[i].field) < attachIndex(out[j].field) })
	return out
}

func attachIndex(field string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(field, "attach_file"))
	return n
}

// claimStateName is "CODE(含义)" for a 5.7 state.
func claimStateName(code string) string {
	if t := platform.ClaimStateText(code); t != "" {
		return code + "(" + t + ")"
	}
	return code
}
