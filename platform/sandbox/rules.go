package sandbox

import (
	"errors"
	"time"

	"baohan/platform"
)

// The platform's own rules, written from the manual for the sandbox. The
// sandbox uses package platform for the wire only (codec, message types,
// method names, status codes); it never uses the client's state tables or
// checks, so that it can disagree with the client (TestSandboxIndependent).

// Order states of 5.4 (直开式).
const (
	stateWaitOutGuarantee = "WAIT_OUT_GUARANTEE" // 待出函
	stateHasOutGuarantee  = "HAS_OUT_GUARANTEE"  // 已出函
	stateFinish           = "FINISH"             // 交易完成
	stateCancel           = "CANCEL"             // 交易取消
	claimApplyWaitDeal    = "APPLY_WAIT_DEAL"    // 5.7 申请理赔/待受理
)

// orderStates is table 5.4 with the manual's meanings.
var orderStates = []struct{ code, meaning string }{
	{"WAIT_FIRST_TRAIL", "待初审"},
	{"WAIT_SUBMIT_FIRST_TRAIL", "待提交初审资料"},
	{"WAIT_TUNE_UP", "待尽调"},
	{"WAIT_SUBMIT_TUNE_UP", "待提交尽调资料"},
	{"WAIT_OFFER", "待报价"},
	{"WAIT_PAY", "待支付"},
	{stateWaitOutGuarantee, "待出函"},
	{stateHasOutGuarantee, "已出函"},
	{stateFinish, "交易完成"},
	{stateCancel, "交易取消"},
}

// stateText is the meaning of a 5.4 state, or "".
func stateText(code string) string {
	for _, s := range orderStates {
		if s.code == code {
			return s.meaning
		}
	}
	return ""
}

func isState(code string) bool { return stateText(code) != "" }

// stateClosed: the order is issued, finished or cancelled; the guarantor
// may no longer approve or cancel it.
func stateClosed(code string) bool {
	return code == stateHasOutGuarantee || code == stateFinish || code == stateCancel
}

// claimResults are 3.2's do_type/status pairs (直开式).
var claimResults = map[string]string{
	"1/1": "受理/通过", "1/2": "受理/退回",
	"2/1": "理赔/调解解决", "2/2": "理赔/保证人代偿", "2/4": "理赔/被保证人清偿", "2/5": "理赔/驳回申请",
	"3/1": "追偿/反担保代偿", "3/2": "追偿/司法处置", "3/3": "追偿/被保证人清偿",
}

func claimResultText(doType, status string) string { return claimResults[doType+"/"+status] }

// releaseText is the 2.10 meaning of a release status.
func releaseText(code int) string {
	switch code {
	case 1:
		return "此保函不存在"
	case 2:
		return "未收到请求撤销通知"
	case 3:
		return "被罚没"
	case 4:
		return "待解保"
	case 5:
		return "已解保"
	}
	return ""
}

// checkCallTimestamp is the platform's freshness check of a call's
// timestamp (YYYYMMDDHHMMSS or YYYYMMDDHHMM, UTC+8): at most a day old and
// ten minutes ahead.
func checkCallTimestamp(ts string, now time.Time) error {
	var t time.Time
	var err error
	switch len(ts) {
	case 14:
		t, err = time.ParseInLocation("20060102150405", ts, platform.CST)
	case 12:
		t, err = time.ParseInLocation("200601021504", ts, platform.CST)
	default:
		err = errors.New("bad length")
	}
	if err != nil {
		return errors.New("timestamp 不是 YYYYMMDDHHMMSS")
	}
	if now.Sub(t) > 24*time.Hour || t.Sub(now) > 10*time.Minute {
		return errors.New("timestamp 超出允许范围（早于一天前或晚于十分钟后）")
	}
	return nil
}

// parseDeadline reads a bid_deadline (YYYY-MM-DD HH:MM) in UTC+8.
func parseDeadline(s string) (time.Time, error) {
	for _, l := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(l, s, platform.CST); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("bid_deadline is not YYYY-MM-DD HH:MM")
}
