package platform

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"baohan/store"
)

// DeadlineAlert is how close an order not yet issued is to its bid
// deadline (投标截止时间): the desk rings and shows the order red when it
// crosses AlertDayBefore and again at AlertHoursBefore.
type DeadlineAlert int

const (
	NoAlert    DeadlineAlert = iota
	AlertDay                 // AlertDayBefore or less left
	AlertHours               // AlertHoursBefore or less left
)

// The thresholds of a deadline alert.
const (
	AlertDayBefore   = 24 * time.Hour
	AlertHoursBefore = 2 * time.Hour
)

// OrderDeadlineAlert is the alert of an order at now: none for an order
// issued, finished or cancelled, one without a deadline, or one whose
// deadline has passed (it shows as 已截止). A deadline that does not read
// (DeadlineUnreadable) alerts at once, as if due now (protocol.md): the
// firm's hardest deadline is never dropped.
func OrderDeadlineAlert(o store.Order, now time.Time) (DeadlineAlert, time.Duration) {
	if OrderIssued(o.OrderStatus) || o.BidDeadline == "" {
		return NoAlert, 0
	}
	t, err := ParseDeadline(o.BidDeadline)
	if err != nil {
		return AlertHours, 0
	}
	left := t.Sub(now)
	switch {
	case left <= 0:
		return NoAlert, left
	case left <= AlertHoursBefore:
		return AlertHours, left
	case left <= AlertDayBefore:
		return AlertDay, left
	}
	return NoAlert, left
}

// DeadlineAlertText is the clerk's sentence for an order crossing into an
// alert.
func DeadlineAlertText(o store.Order, a DeadlineAlert) string {
	if DeadlineUnreadable(o.BidDeadline) {
		return fmt.Sprintf("订单 %s 的投标截止时间无法识别（平台发送的原文：%s），请立即向平台核实截止时间，尚未出函（%s）",
			o.OrderNo, o.BidDeadline, OrderStateLabel(o.OrderStatus))
	}
	within := "24 小时"
	if a == AlertHours {
		within = "2 小时"
	}
	return fmt.Sprintf("订单 %s 距投标截止（%s）不到 %s，尚未出函（%s）", o.OrderNo, o.BidDeadline, within, OrderStateLabel(o.OrderStatus))
}

// DeadlineUnreadable tells whether a bid_deadline is given but does not read
// as YYYY-MM-DD HH:MM (seconds and a T accepted).
func DeadlineUnreadable(s string) bool {
	if strings.TrimSpace(s) == "" {
		return false
	}
	_, err := ParseDeadline(s)
	return err != nil
}

// DeadlineUnreadableReason is the flag of an order whose bid_deadline does
// not read, showing the text as it came.
func DeadlineUnreadableReason(s string) string {
	return fmt.Sprintf("投标截止时间（bid_deadline）无法识别：%q，已按即将截止提醒，请向平台核实", s)
}

// GuaranteePeriod is the order's guarantee period as YYYY-MM-DD: the
// dates its 2.1 gave, else (they are optional there) start = the bid
// deadline's date and end = start + valid_day + 28 days (protocol.md, 5.4
// note). Sent in 2.5 and answered in 2.7; "" where it cannot be computed.
func GuaranteePeriod(o store.Order) (start, end string) {
	start, end = strings.TrimSpace(o.GuaranteeStartDate), strings.TrimSpace(o.GuaranteeEndDate)
	if start == "" {
		if t, err := ParseDeadline(strings.TrimSpace(o.BidDeadline)); err == nil {
			start = t.Format(DateLayout)
		}
	}
	if end == "" && start != "" {
		startDay, err1 := ParseDeadline(start)
		days, err2 := strconv.Atoi(strings.TrimSpace(o.ValidDay))
		if err1 == nil && err2 == nil {
			end = startDay.AddDate(0, 0, days+28).Format(DateLayout)
		}
	}
	return start, end
}

// GuaranteeItem is the guarantee's 保函事项: 2.7's proitem, and 2.5's
// guarantee_item (protocol.md), for a bid bond of the block.
func GuaranteeItem(blockName string) string { return strings.TrimSpace(blockName) + "投标保证" }
