package platform

import (
	"fmt"
	"time"
)

// Span reads a duration as the clerk says it: "1 小时 59 分", "3 天 4 小时",
// "5 分", "不到 1 分" (never Go's "1h59m0s").
func Span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	mins := int64(d / time.Minute)
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d 天 %d 小时", days, hours)
	case days > 0:
		return fmt.Sprintf("%d 天", days)
	case hours > 0 && m > 0:
		return fmt.Sprintf("%d 小时 %d 分", hours, m)
	case hours > 0:
		return fmt.Sprintf("%d 小时", hours)
	case m > 0:
		return fmt.Sprintf("%d 分", m)
	case d >= time.Second:
		return fmt.Sprintf("%d 秒", int64(d/time.Second))
	}
	return "不到 1 秒"
}

// Size is the one file-size format of the program: "512 字节", "3.4 KB",
// "12.0 MB", "1.5 GB" (binary units).
func Size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d 字节", n)
}
