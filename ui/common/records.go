package common

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"baohan/platform"
	"baohan/store"
)

// RecordKind is what a selection is.
type RecordKind int

const (
	KindOrder RecordKind = iota + 1
	KindGuarantee
	KindRevocation
	KindClaim
	KindEvent
	KindRelease // a guarantee awaiting 解保 (待办)
	KindHeld    // a held callback (暂存回调, 待办)
)

// Selection is the record under the cursor, as the list read it.
type Selection struct {
	Kind       RecordKind
	Key        string
	Order      *store.Order
	Guarantee  *store.Guarantee
	Revocation *store.Revocation
	Claim      *store.Claim
	Event      *store.Event
	Release    *store.PendingRelease
	Held       *store.Held
}

func (s Selection) KindName() string {
	switch s.Kind {
	case KindOrder:
		return "订单"
	case KindGuarantee:
		return "保函"
	case KindRevocation:
		return "撤销"
	case KindClaim:
		return "理赔"
	case KindEvent:
		return "日志"
	case KindRelease:
		return "待解保"
	case KindHeld:
		return "暂存回调"
	}
	return ""
}

func OrderSel(o store.Order) *Selection {
	return &Selection{Kind: KindOrder, Key: o.OrderNo, Order: &o}
}

func GuaranteeSel(g store.Guarantee) *Selection {
	return &Selection{Kind: KindGuarantee, Key: g.GuaranteeNo, Guarantee: &g}
}

func RevocationSel(r store.Revocation) *Selection {
	return &Selection{Kind: KindRevocation, Key: r.RevokeNo, Revocation: &r}
}

func ClaimSel(c store.Claim) *Selection {
	return &Selection{Kind: KindClaim, Key: c.ClaimNo, Claim: &c}
}

func EventSel(e store.Event) *Selection {
	return &Selection{Kind: KindEvent, Key: strconv.FormatInt(e.ID, 10), Event: &e}
}

func HeldSel(h store.Held) *Selection {
	return &Selection{Kind: KindHeld, Key: strconv.FormatInt(h.ID, 10), Held: &h}
}

func ReleaseSel(r store.PendingRelease) *Selection {
	return &Selection{Kind: KindRelease, Key: r.GuaranteeNo, Release: &r}
}

// ---- text of values ----

// OrderState, claimState and releaseState are the platform's names of
// the states.
func OrderState(code string) string { return platform.OrderStateName(code) }

func ClaimState(code string) string { return platform.ClaimStateName(code) }

func ReleaseState(g store.Guarantee) string { return platform.ReleaseStateName(g) }

// ReleaseShort is releaseState for a table cell.
func ReleaseShort(g store.Guarantee) string {
	if g.PushedAt == 0 && g.SerialNum == "" {
		return "未推送"
	}
	switch g.ReleaseStatus {
	case platform.ReleaseNoRevocation:
		return "未撤销"
	case platform.ReleaseNoSuchGuarantee:
		return "不存在"
	}
	return ReleaseState(g)
}

// Clock formats unix ms in UTC+8, the platform's zone.
func Clock(ms int64, layout string) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).In(platform.CST).Format(layout)
}

const (
	LayoutFull  = "2006-01-02 15:04:05"
	LayoutShort = "01-02 15:04"
	LayoutLog   = "01-02 15:04:05"
)

// DeadlineShort is a bid_deadline as "01-02 15:04".
func DeadlineShort(s string) string {
	t, err := platform.ParseDeadline(strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return t.Format(LayoutShort)
}

// Countdown is the time left to a bid deadline: its text, and whether it is
// urgent (under 24 hours, or past).
func Countdown(deadline string, now time.Time) (string, bool) {
	if strings.TrimSpace(deadline) == "" {
		return "无截止时间", false
	}
	t, err := platform.ParseDeadline(strings.TrimSpace(deadline))
	if err != nil {
		return "截止时间有误", true
	}
	d := t.Sub(now)
	if d < 0 {
		return "已截止" + Coarse(-d), true
	}
	return "剩" + Span(d), d < 24*time.Hour
}

// Coarse is a duration in its largest unit: 3天 / 17小时 / 5分.
func Coarse(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d天", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%d小时", int(d/time.Hour))
	}
	return fmt.Sprintf("%d分", int(d/time.Minute))
}

// Span is a duration as 3天4小时 / 5小时12分 / 7分.
func Span(d time.Duration) string {
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

// Money shows an amount as sent, with thousands separators for the digits
// before the point ("1234567.5" -> "1,234,567.5").
func Money(s string) string {
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

// Size is platform.Size: one file-Size format for desk and CLI.
func Size(n int64) string { return platform.Size(n) }

// RevokeList names a revocation list (2.8).
func RevokeList(l string) string {
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

// MethodName names a method for the clerk: the call's title, or the
// callback's (the two directions of notify_order_status differ).
func MethodName(method, direction string) string {
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

// EventDirection is an event's direction for the clerk: a platform file's
// download (4.1 get_file_url, then the file) is a call this desk makes,
// 发, though the journal records the file as coming in.
func EventDirection(e store.Event) string {
	if e.Kind == platform.EventKindFile {
		return "发"
	}
	return Direction(e.Direction)
}

func Direction(d string) string {
	switch d {
	case store.DirIn:
		return "收"
	case store.DirOut:
		return "发"
	}
	return "-"
}

// StatusText is a platform status code with its meaning (5.3).
func StatusText(code int) string {
	if code == 0 {
		return ""
	}
	if t := platform.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return strconv.Itoa(code)
}

// OrderIntro is an order in two lines, above an action's form.
func OrderIntro(o store.Order) []string {
	return []string{
		fmt.Sprintf("%s  %s  截止 %s", OrderState(o.OrderStatus), o.BlockName, o.BidDeadline),
		fmt.Sprintf("被保证人 %s  受益人 %s  担保金额 %s 元", o.Principal, o.Creditor, Money(o.GuaranteeAmount)),
	}
}
