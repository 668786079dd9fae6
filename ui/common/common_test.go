package common

import (
	"os"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"baohan/platform"
)

func TestMain(m *testing.M) {
	// Cells are measured as on a terminal that is not East Asian (the ui
	// package's tests do the same).
	os.Setenv("RUNEWIDTH_EASTASIAN", "0")
	runewidth.DefaultCondition.EastAsianWidth = false
	os.Exit(m.Run())
}

func TestCellsMeasureChinese(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want string
	}{
		{"福州市第三中学", 8, "福州市… "},
		{"福州市第三中学", 14, "福州市第三中学"},
		{"福州市第三中学", 16, "福州市第三中学  "},
		{"ab福州", 5, "ab福…"},
		{"", 3, "   "},
	}
	for _, c := range cases {
		got := Fit(c.in, c.w)
		if got != c.want || TextWidth(got) != c.w {
			t.Errorf("fit(%q, %d) = %q (%d cells), want %q", c.in, c.w, got, TextWidth(got), c.want)
		}
	}
	for _, l := range Wrap("福州市城乡建设局 受益人 福州市第三中学教学楼改造工程（标段一） and some words", 12) {
		if TextWidth(l) > 12 {
			t.Errorf("wrapped line %q is %d cells", l, TextWidth(l))
		}
	}
	if got := Clean("a\x1b[31mb\nc\td\u0085"); got != "a[31mb c d" {
		t.Errorf("clean: %q", got)
	}
}

func TestCountdown(t *testing.T) {
	now := time.Date(2025, 6, 10, 10, 0, 0, 0, platform.CST)
	cases := []struct {
		deadline string
		want     string
		urgent   bool
	}{
		{"2025-06-11 09:30", "剩23小时30分", true},
		{"2025-06-12 10:00", "剩2天0小时", false},
		{"2025-06-10 10:20", "剩20分", true},
		{"2025-06-09 17:00", "已截止17小时", true},
		{"2025-06-01 10:00", "已截止9天", true},
		{"", "无截止时间", false},
		{"2025-06-11 9:5", "剩23小时5分", true},
	}
	for _, c := range cases {
		got, urgent := Countdown(c.deadline, now)
		if got != c.want || urgent != c.urgent {
			t.Errorf("countdown(%q) = %q, %v; want %q, %v", c.deadline, got, urgent, c.want, c.urgent)
		}
	}
	// The deadline is Beijing time whatever the desk's zone.
	utc := now.UTC()
	if got, _ := Countdown("2025-06-10 12:00", utc); got != "剩2小时0分" {
		t.Errorf("from UTC: %q", got)
	}
}
