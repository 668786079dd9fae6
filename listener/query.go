package listener

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"baohan/platform"
	"baohan/store"
)

// queryCodes are table 5.6 (保函查验状态码); decrypt and sign failures keep
// 5.3's 1000 and 1001, which 5.6 lacks.
var queryCodes = codes{
	decrypt:  platform.StatusDecryptFailed,
	sign:     platform.StatusSignFailed,
	system:   platform.QuerySystemError,
	tooLarge: platform.StatusFailed,
	receive:  platform.StatusFailed,
	missing: map[string]int{
		"guarantee_no": platform.QueryGuaranteeNoMissing,
		"serial_num":   platform.QuerySerialMissing,
	},
	timestamp: platform.QueryTimeout,
	malformed: map[string]int{"guarantee_no": platform.QueryGuaranteeNoMissing, "serial_num": platform.QuerySerialMissing},
}

// handleQuery serves 2.7 保函查验: the guarantee's particulars from the
// store. The guarantee_no and serial_num must both match a guarantee we
// issued, else 2702 保函不存在.
func handleQuery(s *Server, c *call) (*result, error) {
	if err := c.require("guarantee_no", "serial_num", "timestamp"); err != nil {
		return nil, err
	}
	if err := c.checkTimestamp(); err != nil {
		return nil, err
	}
	var m platform.QueryRequest
	if err := c.decode(&m); err != nil {
		return nil, err
	}
	gno, serial := string(m.GuaranteeNo), string(m.SerialNum)
	g, err := s.st.GetGuarantee(c.ctx, gno)
	if err == nil && serialUnknown(g) && serial != "" {
		g.SerialNum = serial
		if err := s.st.Update(c.ctx, func(tx *store.Tx) error { return adoptSerial(tx, g, MethodQuery, "保函查验") }); err != nil {
			return nil, err
		}
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && g.SerialNum != serial) {
		return nil, refuse(platform.QueryNotFound, platform.QueryStatusText(platform.QueryNotFound))
	}
	if err != nil {
		return nil, err
	}
	o, err := s.st.GetOrder(c.ctx, g.OrderNo)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refusef(platform.QuerySystemError, "系统错误：缺少保函 %s 的订单 %s", gno, g.OrderNo)
	}
	if err != nil {
		return nil, err
	}
	answer, err := queryAnswer(g, o)
	if err != nil {
		return nil, refusef(platform.QuerySystemError, "系统错误：%v", err)
	}
	s.queryEvent(c, c.event(gno, fmt.Sprintf("保函查验 %s（序列号 %s）：%s，担保金额 %s 元", gno, serial, answer.Beneficiary, o.GuaranteeAmount)))
	return &result{answer: okAnswer(answer), ref: gno}, nil
}

// serialUnknown tells a guarantee the platform took whose push answer was
// lost (reconciled after 2428 or a 结果未知): its serial is not known here.
func serialUnknown(g store.Guarantee) bool { return g.SerialNum == "" && g.PushedAt > 0 }

// adoptSerial records the serial a signed callback names for a guarantee
// whose serial was not known (see serialUnknown): the platform assigns it.
func adoptSerial(tx *store.Tx, g store.Guarantee, method, via string) error {
	if err := tx.PutGuarantee(g); err != nil {
		return err
	}
	_, err := tx.AddEvent(store.Event{Kind: store.KindCallback, Direction: store.DirIn, Method: method, Ref: g.GuaranteeNo, Status: platform.StatusOK,
		Summary: fmt.Sprintf("保函 %s 的保函序列号 %s 由平台%s得知（推送的答复曾丢失）", g.GuaranteeNo, g.SerialNum, via)})
	return err
}

// queryAnswer fills 2.7's data from the guarantee and its order. This
// guarantor issues 直开式 bid bonds only: ktype 1, variety 1 投标保函,
// is_avert 2; the applicant (proposer) of a 直开式 guarantee is the
// principal (manual 2.4, applicant). The period is the order's when it
// gave one, else start = the bid deadline's date and end = start +
// valid_day + 28 days (protocol.md).
func queryAnswer(g store.Guarantee, o store.Order) (platform.QueryAnswer, error) {
	principal := firstNonEmpty(g.Principal, o.Principal)
	creditor := firstNonEmpty(g.Creditor, o.Creditor)
	amount := strings.TrimSpace(o.GuaranteeAmount)
	if _, err := strconv.ParseFloat(amount, 64); err != nil {
		return platform.QueryAnswer{}, fmt.Errorf("订单 %s 的担保金额 %q 不是数字", o.OrderNo, amount)
	}
	start, end := platform.GuaranteePeriod(o)
	return platform.QueryAnswer{
		GuaranteeNo:        g.GuaranteeNo,
		SerialNum:          platform.SerialNum(g.SerialNum),
		Ktype:              1,
		Proposer:           principal,
		Warrantee:          principal,
		Beneficiary:        creditor,
		Proitem:            platform.GuaranteeItem(firstNonEmpty(g.BlockName, o.BlockName)),
		Variety:            1,
		Amount:             platform.Decimal(amount),
		GuaranteeStartDate: start,
		GuaranteeEndDate:   end,
		IsAvert:            2,
	}, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
