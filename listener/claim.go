package listener

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"baohan/platform"
	"baohan/platform/filetype"
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
	claimNo, status, gno := string(m.ClaimNo), string(m.Status), string(m.GuaranteeNo)
	// A repeat recognised before its files (repeat.go): answered as the
	// first time when its files are the first delivery's, held when they
	// differ (protocol.md, 3.1 same claim_no).
	if c.first != nil && !c.accepting && !sameFiles(c) {
		return nil, s.hold(c, claimNo, fmt.Sprintf("理赔 %s 重复推送（理赔状态 %s）的文件与首次推送的不同", claimNo, platform.ClaimStateLabel(status)))
	}
	// Checks of the shape (held, protocol.md); a held 3.1 the clerk
	// accepted is applied as it came.
	pdf := c.files[fieldGuaranteePDF]
	attach := attachments(c.files)
	if !c.accepting {
		if st := string(m.Status); platform.ClaimStateText(st) == "" {
			return nil, shapef("理赔状态 status 为 %q，不是 5.7 理赔状态表中的状态", shorten(st, 40))
		}
		if pdf == nil {
			return nil, shapef("%s%s", msgMissingParam, fieldGuaranteePDF)
		}
		if !pdf.isPDF() {
			return nil, shapef("guarantee_pdf 不是 PDF 文件")
		}
		if c.files["attach_file0"] == nil {
			return nil, shapef("%s%s", msgMissingParam, "attach_file0")
		}
		for _, u := range attach {
			if u.size > MaxAttachmentBytes {
				return nil, shapef("理赔附件 %s 超过 10 MB 上限（手册 3.1）", u.field)
			}
		}
	}
	detail := c.detail()
	// The key holds the content: a 3.1 in the same state with another
	// guarantee or amount is no repeat, it is checked (and held) below.
	res, err := s.idempotent(c, claimKey(&m, c.fields), okAnswer(nil), func(tx *store.Tx) error {
		if err := c.checkTimestamp(); err != nil {
			return err
		}
		accepted, err := c.acceptedIn(tx)
		if err != nil {
			return err
		}
		g, err := tx.GetGuarantee(gno)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if !accepted {
				return holdf("理赔申请的保函 %s 不是本公司出具的保函", gno)
			}
		case err != nil:
			return err
		case !accepted:
			if d := partyMismatch(g, string(m.Principal), string(m.Creditor), string(m.BlockNumber)); d != "" {
				return holdf("理赔申请中%s", d)
			}
			if !sameName(g.Guarantor, string(m.OutGuarantee)) {
				return holdf("理赔申请中出函担保公司与本公司出具的保函不一致")
			}
		}
		prev, err := tx.GetClaim(claimNo)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			// 3.1 again for a known claim: it may move the claim to a
			// later 5.7 state; one that changes its guarantee or amount
			// is held; an earlier state is a late retry (kept, not applied).
			if !accepted && (prev.GuaranteeNo != gno || strings.TrimSpace(prev.ClaimAmount) != strings.TrimSpace(string(m.ClaimAmount))) {
				return holdf("理赔 %s 再次申请时保函编号或索赔金额与首次不同（首次：保函 %s，%s 元）", claimNo, prev.GuaranteeNo, prev.ClaimAmount)
			}
			if platform.ClaimStage(status) < platform.ClaimStage(prev.Status) {
				_, err := tx.AddEvent(c.flagEvent(claimNo, fmt.Sprintf("理赔 %s 收到较早状态 %s 的申请（当前 %s），已记录，未改变状态",
					claimNo, platform.ClaimStateLabel(status), platform.ClaimStateLabel(prev.Status))))
				return err
			}
		}
		cl := m.ClaimRecord()
		cl.ClaimNo, cl.Status, cl.GuaranteeNo = claimNo, status, gno
		cl.Fields, cl.Raw = detail, c.plain
		if pdf != nil {
			pdfRef, err := pdf.put(s.st, s.cfg.MaxFileBytes)
			if err != nil {
				return err
			}
			cl.GuaranteePDFSHA256 = pdfRef.SHA256
		}
		for _, u := range attach {
			ref, err := u.put(s.st, s.cfg.MaxFileBytes)
			if err != nil {
				return err
			}
			// Kept whatever its type (evidence); flagged when the shared
			// rule would not open it.
			_, safe := filetype.Safe(u.name, u.head)
			cl.Attachments = append(cl.Attachments, store.ClaimAttachment{Field: u.field, Name: u.name, Size: ref.Size, SHA256: ref.SHA256, Unsafe: !safe})
		}
		if err := tx.PutClaim(cl); err != nil {
			return err
		}
		if g.PDFSHA256 != "" && g.PDFSHA256 != cl.GuaranteePDFSHA256 {
			if _, err := tx.AddEvent(c.flagEvent(claimNo, fmt.Sprintf("理赔 %s 附带的保函原件与本公司出具的保函 %s 文件不一致（SHA-256 不同），请核对", claimNo, gno))); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("理赔申请 %s：保函 %s，索赔 %s 元，状态 %s，附件 %d 个", claimNo, gno, m.ClaimAmount, platform.ClaimStateLabel(status), len(attach))
		if _, err := tx.AddEvent(c.event(claimNo, summary)); err != nil {
			return err
		}
		return c.decideAccepted(tx)
	})
	var hr *holdReason
	if errors.As(err, &hr) {
		return nil, s.hold(c, claimNo, hr.reason)
	}
	if err != nil {
		return nil, err
	}

	res.ref = claimNo
	return res, nil
}

// MaxAttachmentBytes is the manual's limit on each claim attachment (3.1:
// 附件大小不超过 10M); other files are bounded by the listener's own limits.
const MaxAttachmentBytes = 10 << 20

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
