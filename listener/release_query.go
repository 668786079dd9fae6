package listener

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"baohan/platform"
	"baohan/store"
)

// handleReleaseQuery serves 2.10 保函解保查询 from the store: 1 此保函不存在
// (no guarantee with that number and serial, or of another block), 2 未收到
// 请求撤销通知, 3 被罚没, 4 待解保, 5 已解保 with the release date.
func handleReleaseQuery(s *Server, c *call) (*result, error) {
	if err := c.requestMethod(platform.CallbackReleaseSearch); err != nil {
		return nil, err
	}
	if err := c.require(platform.ReleaseQueryRequired...); err != nil {
		return nil, err
	}
	if err := c.checkTimestamp(); err != nil {
		return nil, err
	}
	var m platform.ReleaseQuery
	if err := c.decode(&m); err != nil {
		return nil, err
	}
	gno, serial := string(m.GuaranteeNo), string(m.SerialNum)
	code, date, err := s.st.ReleaseStatus(c.ctx, gno, serial)
	if err != nil {
		return nil, err
	}
	if code != store.ReleaseNoSuchGuarantee {
		g, err := s.st.GetGuarantee(c.ctx, gno)
		switch {
		case errors.Is(err, store.ErrNotFound):
			code, date = store.ReleaseNoSuchGuarantee, ""
		case err != nil:
			return nil, err
		default:
			have, got := strings.TrimSpace(g.BlockNumber), strings.TrimSpace(string(m.BlockNumber))
			if have != "" && have != got {
				code, date = store.ReleaseNoSuchGuarantee, ""
			}
		}
	}
	answer := platform.ReleaseAnswer{
		GuaranteeNo:         gno,
		SerialNum:           m.SerialNum,
		Status:              strconv.Itoa(code),
		RevokeGuaranteeDate: date,
	}
	s.queryEvent(c, c.event(gno, fmt.Sprintf("解保查询 %s（序列号 %s）：%d %s", gno, serial, code, platform.ReleaseStatusText(code))))
	return &result{answer: okAnswer(answer), ref: gno}, nil
}
