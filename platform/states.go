package platform

import "baohan/store"

// Order states of 5.4, 直开式 (the only kind this guarantor issues, ktype=1),
// in the order an order moves through them.
var OrderStates = []State{
	{"WAIT_FIRST_TRAIL", "待初审"},
	{"WAIT_SUBMIT_FIRST_TRAIL", "待提交初审资料"},
	{"WAIT_TUNE_UP", "待尽调"},
	{"WAIT_SUBMIT_TUNE_UP", "待提交尽调资料"},
	{"WAIT_OFFER", "待报价"},
	{"WAIT_PAY", "待支付"},
	{"WAIT_OUT_GUARANTEE", "待出函"},
	{"HAS_OUT_GUARANTEE", "已出函"},
	{"FINISH", "交易完成"},
	{"CANCEL", "交易取消"},
}

// Order states named in rules. Those the store's queries rely on are the
// store's constants (its SQL names them), not a second copy.
const (
	OrderWaitOutGuarantee = "WAIT_OUT_GUARANTEE"
	OrderHasOutGuarantee  = store.OrderHasOutGuarantee
	OrderFinish           = store.OrderFinish
	OrderCancel           = store.OrderCancel
)

// separateOrderStates are 5.4's 分离式 states: known, so a callback carrying
// one is not called unknown, but never offered to the clerk.
var separateOrderStates = []State{
	{"WAIT_SUBMIT_DATA", "待提交资料"},
	{"WAIT_APPROVAL_DATA", "待审批"},
}

// State is a state code with the manual's meaning.
type State struct {
	Code    string
	Meaning string
}

// OrderStateText is the manual's meaning of an order state, or "".
func OrderStateText(code string) string {
	for _, s := range OrderStates {
		if s.Code == code {
			return s.Meaning
		}
	}
	for _, s := range separateOrderStates {
		if s.Code == code {
			return s.Meaning
		}
	}
	return ""
}

// IsOrderState tells whether code is a 5.4 state.
func IsOrderState(code string) bool { return OrderStateText(code) != "" }

// OrderIssued tells whether an order needs no more action before its bid
// deadline: the guarantee is out, or the order is finished or cancelled.
func OrderIssued(code string) bool {
	return code == OrderHasOutGuarantee || code == OrderFinish || code == OrderCancel
}

// ClaimStates is table 5.7 (理赔状态). Several codes stand in the table more
// than once for different stages; the first meaning is the general one.
var ClaimStates = []State{
	{"APPLY_WAIT_DEAL", "申请理赔/待受理"},
	{"CLAIM_CANCEL", "受益人撤销理赔"},
	{"CLAIM_CLOSE", "理赔结束"},
	{"DEAL_PASS", "受理通过"},
	{"DEAL_RETURN", "受理不通过"},
	{"REJECT_APPLY", "驳回请求"},
	{"CLAIM_MEDIATE", "理赔调解"},
	{"GUARANTOR_COMPENSATE", "保证人代偿"},
	{"GUARANTEE_COMPANY_COMPENSATION", "担保公司代偿"},
	{"POLICYHOLDER_LIQUIDATION", "被保证人清偿"},
	{"COUNTER_GUARANTEE_RECOVERY", "反担保处置追偿"},
	{"JUDICIAL_LITIGATION_RECOVERY", "司法诉讼追偿"},
}

// Claim states named in rules (the store's, as above).
const (
	ClaimApplyWaitDeal = store.ClaimApplyWaitDeal
	ClaimDealPass      = store.ClaimDealPass
)

// ClaimStateText is the 5.7 meaning of a claim state, or "".
func ClaimStateText(code string) string {
	for _, s := range ClaimStates {
		if s.Code == code {
			return s.Meaning
		}
	}
	return ""
}

// ClaimAwaitsAction tells whether a claim waits for the guarantor: 受理
// (APPLY_WAIT_DEAL) or a result after 受理通过 (DEAL_PASS).
func ClaimAwaitsAction(code string) bool {
	return code == ClaimApplyWaitDeal || code == ClaimDealPass
}

// ClaimDoType is a do_type of 3.2 with the statuses allowed for it.
type ClaimDoType struct {
	Code     string
	Meaning  string
	Statuses []State
}

// ClaimResultChoices are 3.2's do_type/status pairs. The statuses marked
// 分离式才有 in the manual are left out: this guarantor issues 直开式 only.
var ClaimResultChoices = []ClaimDoType{
	{"1", "受理", []State{{"1", "通过"}, {"2", "退回"}}},
	{"2", "理赔", []State{{"1", "调解解决"}, {"2", "保证人代偿"}, {"4", "被保证人清偿"}, {"5", "驳回申请"}}},
	{"3", "追偿", []State{{"1", "反担保代偿"}, {"2", "司法处置"}, {"3", "被保证人清偿"}}},
}

// ClaimResultRejects tells whether a 3.2 result turns the claim down
// (受理/退回, 理赔/驳回申请): the desk asks a second, capital confirmation.
func ClaimResultRejects(doType, status string) bool {
	return (doType == "1" && status == "2") || (doType == "2" && status == "5")
}

// ClaimResultText names a do_type/status pair ("受理/通过"), or "" when the
// pair is not one the manual allows for a 直开式 guarantee.
func ClaimResultText(doType, status string) string {
	for _, d := range ClaimResultChoices {
		if d.Code != doType {
			continue
		}
		for _, s := range d.Statuses {
			if s.Code == status {
				return d.Meaning + "/" + s.Meaning
			}
		}
	}
	return ""
}

// Release statuses of 2.10.
const (
	ReleaseNoSuchGuarantee = 1 // 此保函不存在
	ReleaseNoRevocation    = 2 // 未收到请求撤销通知
	ReleasePenalty         = 3 // 被罚没
	ReleaseAwaiting        = 4 // 待解保
	ReleaseDone            = 5 // 已解保
)

// ReleaseStatusText is the 2.10 meaning of a release status.
func ReleaseStatusText(code int) string {
	switch code {
	case ReleaseNoSuchGuarantee:
		return "此保函不存在"
	case ReleaseNoRevocation:
		return "未收到请求撤销通知"
	case ReleasePenalty:
		return "被罚没"
	case ReleaseAwaiting:
		return "待解保"
	case ReleaseDone:
		return "已解保"
	}
	return ""
}

// ClaimStage orders the 5.7 states along a claim's life: 0 申请/待受理,
// 1 受理 result, 2 理赔 result, 3 追偿, 4 closed or withdrawn. A 3.1 or 3.2
// may only move a claim to the same or a later stage.
func ClaimStage(code string) int {
	switch code {
	case ClaimApplyWaitDeal:
		return 0
	case ClaimDealPass, "DEAL_RETURN":
		return 1
	case "REJECT_APPLY", "CLAIM_MEDIATE", "GUARANTOR_COMPENSATE", "GUARANTEE_COMPANY_COMPENSATION", "POLICYHOLDER_LIQUIDATION":
		return 2
	case "COUNTER_GUARANTEE_RECOVERY", "JUDICIAL_LITIGATION_RECOVERY":
		return 3
	case "CLAIM_CLOSE", "CLAIM_CANCEL":
		return 4
	}
	return 0
}

// ClaimStateAfter is the 5.7 state a successful 3.2 do_type/status puts the
// claim in, or "".
func ClaimStateAfter(doType, status int) string {
	switch doType*10 + status {
	case 11:
		return ClaimDealPass
	case 12:
		return "DEAL_RETURN"
	case 21:
		return "CLAIM_MEDIATE"
	case 22:
		return "GUARANTOR_COMPENSATE"
	case 24:
		return "POLICYHOLDER_LIQUIDATION"
	case 25:
		return "REJECT_APPLY"
	case 31:
		return "COUNTER_GUARANTEE_RECOVERY"
	case 32:
		return "JUDICIAL_LITIGATION_RECOVERY"
	case 33:
		return "POLICYHOLDER_LIQUIDATION"
	}
	return ""
}

// ClaimResultAllowed says why a 3.2 do_type may not be sent for a claim in
// state, or "" when it may (5.7: 受理 first, 理赔 only after 受理通过, 追偿
// only after 代偿).
func ClaimResultAllowed(state string, doType int) string {
	switch doType {
	case 1:
		if state != ClaimApplyWaitDeal {
			return "受理结果只能在理赔申请待受理（APPLY_WAIT_DEAL）时提交"
		}
	case 2:
		if state != ClaimDealPass {
			return "理赔结果只能在受理通过（DEAL_PASS）之后提交"
		}
	case 3:
		if state != "GUARANTOR_COMPENSATE" && state != "GUARANTEE_COMPANY_COMPENSATION" {
			return "追偿结果只能在代偿（GUARANTOR_COMPENSATE）之后提交"
		}
	}
	return ""
}

// ClaimResultRefusal is why no result at all can be submitted (3.2) for
// claim c in its stored state, with what would make one possible; nil
// when at least one do_type is allowed (ClaimResultAllowed, which
// PlanClaimResult asks for the chosen one). The desk asks it before it
// opens the form.
func ClaimResultRefusal(c store.Claim) error {
	for doType := 1; doType <= 3; doType++ {
		if ClaimResultAllowed(c.Status, doType) == "" {
			return nil
		}
	}
	return inputErr("理赔 %s 现为 %s，不能提交结果（受理在待受理时，理赔在受理通过后，追偿在代偿后才能提交）", c.ClaimNo, ClaimStateLabel(c.Status))
}

// OrderStateName is a 5.4 state's Chinese name: "待出函"; "未知" for no
// state, the code itself for one the manual does not list.
func OrderStateName(code string) string {
	if code == "" {
		return "未知"
	}
	if t := OrderStateText(code); t != "" {
		return t
	}
	return code
}

// OrderStateLabel is a 5.4 state for a sentence: "待出函(WAIT_OUT_GUARANTEE)",
// the code alone for one the manual does not list. It is the one label
// of a state with its code: platform's messages, the listener's journal
// lines and the commands' text all use it.
func OrderStateLabel(code string) string {
	if t := OrderStateText(code); t != "" {
		return t + "(" + code + ")"
	}
	return code
}

// ClaimStateName is a 5.7 state's Chinese name ("未知" for none, the code
// for one the manual does not list).
func ClaimStateName(code string) string {
	if code == "" {
		return "未知"
	}
	if t := ClaimStateText(code); t != "" {
		return t
	}
	return code
}

// ClaimStateLabel is a 5.7 state for a sentence: "待受理(APPLY_WAIT_DEAL)".
func ClaimStateLabel(code string) string {
	if t := ClaimStateText(code); t != "" {
		return t + "(" + code + ")"
	}
	return code
}

// HeldStateName is a held callback's state for the clerk.
func HeldStateName(s string) string {
	switch s {
	case store.HeldHeld:
		return "待核对"
	case store.HeldAccepted:
		return "已接受"
	case store.HeldDismissed:
		return "已驳回"
	}
	return s
}

// CallbackTitle is a callback's Chinese name with its section of the
// manual: "保函申请（2.1）".
func CallbackTitle(method string) string {
	switch method {
	case CallbackApplyGuarantee:
		return "保函申请（2.1）"
	case CallbackOrderStatus:
		return "订单状态（2.4）"
	case CallbackGuaranteeRelease:
		return "保函撤销（2.8）"
	case CallbackApplyClaim:
		return "理赔申请（3.1）"
	}
	return method
}
