package listener

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"baohan/platform"
	"baohan/store"
)

// handleRevoke serves 2.8 保函撤销, once per revoke_no. 假通知 checks
// (manual 2.8 注意事项 4): every guarantee in the three lists must be one we
// issued, with the same serial_num, principal, block and creditor; the
// declaration file's SHA-256 must equal revoke_guarantee_declare_file_hash
// (a hash without the file is refused too). Any mismatch refuses the whole
// batch with 404 and a message naming it.
func handleRevoke(s *Server, c *call) (*result, error) {
	if err := c.requestMethod(platform.CallbackGuaranteeRelease); err != nil {
		return nil, err
	}
	if err := c.require(platform.RevokeNoticeRequired...); err != nil {
		return nil, err
	}
	var m platform.RevokeNotice
	if err := c.decode(&m); err != nil {
		return nil, err
	}
	var data platform.RevokeData
	if err := json.Unmarshal([]byte(m.RevokeGuaranteeData), &data); err != nil && !c.accepting {
		// Held (protocol.md); accepted, the batch is kept with its text
		// as it came and no guarantee in it is touched.
		return nil, shapef("revoke_guarantee_data 不是有效的 JSON：%s", jsonErrText(c, err))
	}
	var items []store.RevocationItem
	for _, l := range []struct {
		list  string
		items []platform.RevokeItem
	}{{store.ListSuccess, data.RevokeSuccessData}, {store.ListCurrent, data.CurrentRevokeData}, {store.ListPenalty, data.PenaltyData}} {
		for _, it := range l.items {
			items = append(items, store.RevocationItem{List: l.list, GuaranteeNo: strings.TrimSpace(string(it.GuaranteeNo)),
				Principal: strings.TrimSpace(string(it.Principal)), SerialNum: strings.TrimSpace(string(it.SerialNum))})
		}
	}
	for _, l := range [][]platform.RevokeItem{data.RevokeSuccessData, data.CurrentRevokeData, data.PenaltyData} {
		for _, it := range l {
			if g, n := string(it.GuaranteeNo), string(it.SerialNum); (g != strings.TrimSpace(g) || n != strings.TrimSpace(n)) && !c.accepting {
				return nil, shapef("参数格式错误：revoke_guarantee_data 中的 guarantee_no 或 serial_num 含首尾空白")
			}
		}
	}
	claimed := strings.ToLower(strings.TrimSpace(string(m.RevokeGuaranteeDeclareFileHash)))
	file := c.files[fieldDeclareFile]
	hashReason := ""
	switch {
	case file == nil && claimed != "":
		hashReason = "缺少撤销保函声明文件 revoke_guarantee_declare_file，无法核对 revoke_guarantee_declare_file_hash"
	case file != nil && claimed != "" && file.sha256 != claimed:
		hashReason = "撤销保函声明文件的 SHA-256 与 revoke_guarantee_declare_file_hash 不一致"
	}
	revokeNo := string(m.RevokeNo)
	res, err := s.idempotent(c, revokeNo, okAnswer(nil), func(tx *store.Tx) error {
		if err := c.checkTimestamp(); err != nil {
			return err
		}
		accepted, err := c.acceptedIn(tx)
		if err != nil {
			return err
		}
		if !accepted {
			if hashReason != "" {
				return &holdReason{reason: hashReason}
			}
			for _, it := range items {
				if err := checkRevokeItem(tx, it, m); err != nil {
					return err
				}
			}
		} else {
			// Accepted by the clerk: the checks are not run again, but a
			// serial we never learnt is adopted all the same from an item
			// naming our guarantee (protocol.md), so that it can be
			// released.
			for _, it := range items {
				if err := adoptRevokeSerial(tx, it); err != nil {
					return err
				}
			}
		}
		r := store.Revocation{
			RevokeNo: revokeNo, BlockNumber: string(m.BlockNumber), BlockName: string(m.BlockName),
			Creditor: string(m.Creditor), Note: string(m.Note), DeclareFileHashClaimed: claimed,
			Data: string(m.RevokeGuaranteeData), Raw: c.plain, Items: items,
		}
		if file != nil {
			ref, err := file.put(s.st, s.cfg.MaxFileBytes)
			if err != nil {
				return err
			}
			r.DeclareFileSHA256 = ref.SHA256
		}
		if err := tx.PutRevocation(r); err != nil {
			return err
		}
		summary := fmt.Sprintf("保函撤销 批次 %s %s：当次撤销 %d 份，罚没 %d 份，已撤销 %d 份",
			revokeNo, m.BlockName, len(data.CurrentRevokeData), len(data.PenaltyData), len(data.RevokeSuccessData))
		if file != nil {
			summary += "，附撤销保函声明文件"
		}
		if _, err := tx.AddEvent(c.event(revokeNo, summary)); err != nil {
			return err
		}
		return c.decideAccepted(tx)
	})
	var hr *holdReason
	if errors.As(err, &hr) {
		return nil, s.hold(c, revokeNo, hr.reason)
	}
	if err != nil {
		return nil, err
	}
	res.ref = revokeNo
	return res, nil
}

// adoptRevokeSerial adopts the serial a 2.8 item names for our guarantee
// of that number whose serial we never learnt (see serialUnknown).
func adoptRevokeSerial(tx *store.Tx, it store.RevocationItem) error {
	if it.GuaranteeNo == "" || it.SerialNum == "" {
		return nil
	}
	g, err := tx.GetGuarantee(it.GuaranteeNo)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !serialUnknown(g)) {
		return nil
	}
	if err != nil {
		return err
	}
	g.SerialNum = it.SerialNum
	return adoptSerial(tx, g, platform.CallbackGuaranteeRelease, "保函撤销通知")
}

// checkRevokeItem refuses an item that does not match a guarantee we issued.
func checkRevokeItem(tx *store.Tx, it store.RevocationItem, m platform.RevokeNotice) error {
	if it.GuaranteeNo == "" {
		return holdf("撤销名单中有保函编号为空的条目")
	}
	g, err := tx.GetGuarantee(it.GuaranteeNo)
	if errors.Is(err, store.ErrNotFound) {
		return holdf("撤销名单中的保函 %s 不是本公司出具的保函", it.GuaranteeNo)
	}
	if err != nil {
		return err
	}
	if err := adoptRevokeSerial(tx, it); err != nil {
		return err
	}
	if g, err = tx.GetGuarantee(it.GuaranteeNo); err != nil {
		return err
	}
	if g.SerialNum == "" || g.SerialNum != it.SerialNum {
		return holdf("撤销名单中保函 %s 的序列号 %s 与本公司出具的不一致", it.GuaranteeNo, it.SerialNum)
	}
	if d := partyMismatch(g, it.Principal, string(m.Creditor), string(m.BlockNumber)); d != "" {
		return holdf("撤销名单中保函 %s 的%s", it.GuaranteeNo, d)
	}
	return nil
}

// partyMismatch names the first of principal, creditor and block number
// that differs from the issued guarantee (compared where both are known).
// The values stay out of the message, which is also logged.
func partyMismatch(g store.Guarantee, principal, creditor, blockNumber string) string {
	for _, f := range []struct{ name, have, got string }{
		{"被保证人", g.Principal, principal},
		{"受益人", g.Creditor, creditor},
		{"标段编号", g.BlockNumber, blockNumber},
	} {
		if !sameName(f.have, f.got) {
			return f.name + "与本公司出具的保函不一致"
		}
	}
	return ""
}
