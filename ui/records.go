package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"baohan/platform"
	"baohan/store"
)

// recordKind is what a selection is.
type recordKind int

const (
	kindOrder recordKind = iota + 1
	kindGuarantee
	kindRevocation
	kindClaim
	kindEvent
	kindRelease // a guarantee awaiting 解保 (待办)
	kindHeld    // a held callback (暂存回调, 待办)
)

// selection is the record under the cursor, as the list read it.
type selection struct {
	kind       recordKind
	key        string
	order      *store.Order
	guarantee  *store.Guarantee
	revocation *store.Revocation
	claim      *store.Claim
	event      *store.Event
	release    *store.PendingRelease
	held       *store.Held
}

func (s selection) kindName() string {
	switch s.kind {
	case kindOrder:
		return "订单"
	case kindGuarantee:
		return "保函"
	case kindRevocation:
		return "撤销"
	case kindClaim:
		return "理赔"
	case kindEvent:
		return "日志"
	case kindRelease:
		return "待解保"
	case kindHeld:
		return "暂存回调"
	}
	return ""
}

func orderSel(o store.Order) *selection {
	return &selection{kind: kindOrder, key: o.OrderNo, order: &o}
}

func guaranteeSel(g store.Guarantee) *selection {
	return &selection{kind: kindGuarantee, key: g.GuaranteeNo, guarantee: &g}
}

func revocationSel(r store.Revocation) *selection {
	return &selection{kind: kindRevocation, key: r.RevokeNo, revocation: &r}
}

func claimSel(c store.Claim) *selection {
	return &selection{kind: kindClaim, key: c.ClaimNo, claim: &c}
}

func eventSel(e store.Event) *selection {
	return &selection{kind: kindEvent, key: strconv.FormatInt(e.ID, 10), event: &e}
}

func heldSel(h store.Held) *selection {
	return &selection{kind: kindHeld, key: strconv.FormatInt(h.ID, 10), held: &h}
}

func releaseSel(r store.PendingRelease) *selection {
	return &selection{kind: kindRelease, key: r.GuaranteeNo, release: &r}
}

// ---- text of values ----

// orderState, claimState and releaseState are the platform's names of
// the states.
func orderState(code string) string { return platform.OrderStateName(code) }

func claimState(code string) string { return platform.ClaimStateName(code) }

func releaseState(g store.Guarantee) string { return platform.ReleaseStateName(g) }

// releaseShort is releaseState for a table cell.
func releaseShort(g store.Guarantee) string {
	if g.PushedAt == 0 && g.SerialNum == "" {
		return "未推送"
	}
	switch g.ReleaseStatus {
	case platform.ReleaseNoRevocation:
		return "未撤销"
	case platform.ReleaseNoSuchGuarantee:
		return "不存在"
	}
	return releaseState(g)
}

// clock formats unix ms in UTC+8, the platform's zone.
func clock(ms int64, layout string) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).In(platform.CST).Format(layout)
}

const (
	layoutFull  = "2006-01-02 15:04:05"
	layoutShort = "01-02 15:04"
	layoutLog   = "01-02 15:04:05"
)

// deadlineShort is a bid_deadline as "01-02 15:04".
func deadlineShort(s string) string {
	t, err := platform.ParseDeadline(strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return t.Format(layoutShort)
}

// countdown is the time left to a bid deadline: its text, and whether it is
// urgent (under 24 hours, or past).
func countdown(deadline string, now time.Time) (string, bool) {
	if strings.TrimSpace(deadline) == "" {
		return "无截止时间", false
	}
	t, err := platform.ParseDeadline(strings.TrimSpace(deadline))
	if err != nil {
		return "截止时间有误", true
	}
	d := t.Sub(now)
	if d < 0 {
		return "已截止" + coarse(-d), true
	}
	return "剩" + span(d), d < 24*time.Hour
}

// coarse is a duration in its largest unit: 3天 / 17小时 / 5分.
func coarse(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d天", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%d小时", int(d/time.Hour))
	}
	return fmt.Sprintf("%d分", int(d/time.Minute))
}

// span is a duration as 3天4小时 / 5小时12分 / 7分.
func span(d time.Duration) string {
	mins := int(d / time.Minute)
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	switch {
	case days > 0:
		return fmt.Sprintf("%d天%d小时", days, hours)
	case hours > 0:
		return fmt.Sprintf("%d小时%d分", hours, m)
	default:
		return fmt.Sprintf("%d分", m)
	}
}

// money shows an amount as sent, with thousands separators for the digits
// before the point ("1234567.5" -> "1,234,567.5").
func money(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	for _, r := range intPart {
		if r < '0' || r > '9' {
			return s
		}
	}
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if neg {
		out = "-" + out
	}
	if hasFrac {
		out += "." + frac
	}
	return out
}

// size is platform.Size: one file-size format for desk and CLI.
func size(n int64) string { return platform.Size(n) }

// revokeList names a revocation list (2.8).
func revokeList(l string) string {
	switch l {
	case store.ListCurrent:
		return "当次撤销"
	case store.ListSuccess:
		return "已发起撤销"
	case store.ListPenalty:
		return "罚没"
	}
	return l
}

// methodName names a method for the clerk: the call's title, or the
// callback's (the two directions of notify_order_status differ).
func methodName(method, direction string) string {
	if direction == store.DirIn {
		switch method {
		case "apply_guarantee":
			return "保函申请"
		case "notify_order_status", "order_status":
			return "订单状态更新"
		case "verify":
			return "保函验真"
		case "query":
			return "保函查验"
		case "guarantee_release", "revoke":
			return "保函撤销"
		case "guarantee_release_search", "release_query":
			return "解保查询"
		case "apply_claim", "claim":
			return "理赔申请"
		}
	}
	if t := platform.MethodTitle(method); t != method {
		return t
	}
	return method
}

func direction(d string) string {
	switch d {
	case store.DirIn:
		return "收"
	case store.DirOut:
		return "发"
	}
	return "-"
}

// statusText is a platform status code with its meaning (5.3).
func statusText(code int) string {
	if code == 0 {
		return ""
	}
	if t := platform.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return strconv.Itoa(code)
}
