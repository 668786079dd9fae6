package platform

import (
	"errors"
	"time"

	"baohan/store"
)

// CST is China Standard Time, UTC+8, the zone of every time the platform
// sends or expects, whatever the workstation's zone (protocol.md, Time).
var CST = time.FixedZone("CST", 8*3600)

// Layouts of the manual.
const (
	TimestampLayout   = "20060102150405"      // timestamp
	TimestampLayout12 = "200601021504"        // timestamp as the manual's 1.1 example shows it
	DateLayout        = "2006-01-02"          // dates in fields
	DateTimeLayout    = "2006-01-02 15:04:05" // times in fields
	DeadlineLayout    = "2006-01-02 15:04"    // bid_deadline
)

// Timestamp formats t as a protocol timestamp in UTC+8.
func Timestamp(t time.Time) string { return t.In(CST).Format(TimestampLayout) }

// ParseTimestamp reads a 14- or 12-digit timestamp in UTC+8.
func ParseTimestamp(s string) (time.Time, error) {
	switch len(s) {
	case 14:
		return time.ParseInLocation(TimestampLayout, s, CST)
	case 12:
		return time.ParseInLocation(TimestampLayout12, s, CST)
	}
	return time.Time{}, errors.New("timestamp is not YYYYMMDDHHMMSS")
}

// Freshness bounds of a callback's timestamp (protocol.md, Time).
const (
	MaxCallbackAge    = 24 * time.Hour
	MaxCallbackFuture = 10 * time.Minute
)

// CheckTimestamp refuses a timestamp over 24 h old or over 10 min ahead of now.
func CheckTimestamp(s string, now time.Time) error {
	t, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	if now.Sub(t) > MaxCallbackAge {
		return errors.New("timestamp is more than 24 hours old")
	}
	if t.Sub(now) > MaxCallbackFuture {
		return errors.New("timestamp is more than 10 minutes in the future")
	}
	return nil
}

// ParseDeadline reads a bid_deadline in UTC+8 (store.ParseDeadline: one
// reading for the sort key, the desk and the listener).
func ParseDeadline(s string) (time.Time, error) { return store.ParseDeadline(s) }
