package issue

import (
	"fmt"
	"strings"
)

// Amount is a sum of money in 分 (hundredths of a yuan), as the platform's
// guarantee_amount gives it: "担保金额（单位：元）(最多保留小数点后两位)".
type Amount int64

// maxAmount bounds what AmountInWords spells: under 一万亿元 (10^12 yuan),
// far beyond any bid bond and within the units 万 and 亿.
const maxAmount = Amount(1_000_000_000_000 * 100)

// ParseAmount reads a yuan amount as the manual types it: decimal digits,
// optionally a point and at most two decimals ("1000000", "1000000.5",
// "240.00"). Thousands separators, signs, exponents and spaces inside are
// refused: an amount on a guarantee is never guessed.
func ParseAmount(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || (hasPoint && (frac == "" || len(frac) > 2 || !allDigits(frac))) {
		return 0, fmt.Errorf("担保金额 %q 不是以元为单位、最多两位小数的数字", s)
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 12 {
		return 0, fmt.Errorf("担保金额 %q 超出可以大写的范围（一万亿元以下）", s)
	}
	var a Amount
	for _, c := range intPart {
		a = a*10 + Amount(c-'0')
	}
	a *= 100
	for len(frac) < 2 {
		frac += "0"
	}
	a += Amount(frac[0]-'0')*10 + Amount(frac[1]-'0')
	if a >= maxAmount {
		return 0, fmt.Errorf("担保金额 %q 超出可以大写的范围（一万亿元以下）", s)
	}
	return a, nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Figures is the amount in figures with thousands separators and two
// decimals: 1,000,000.00.
func (a Amount) Figures() string {
	yuan, fen := int64(a)/100, int64(a)%100
	digits := fmt.Sprint(yuan)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s.%02d", b.String(), fen)
}

var (
	capitalDigits = []rune("零壹贰叁肆伍陆柒捌玖")
	capitalUnits  = []string{"", "拾", "佰", "仟"}
	sectionUnits  = []string{"", "万", "亿"}
)

// Words is the amount in Chinese capitals (中文大写金额) as the rules for
// bills and guarantees write it (《支付结算办法》附件一): 壹佰万元整,
// 壹拾万零伍佰元整, 壹佰万元零伍分, 叁角整.
//
//   - every ten is written with its digit (壹拾, never a bare 拾);
//   - a run of zeros inside the yuan is one 零; zeros at the end of a
//     section, and a section that is all zeros, are not written, but a
//     single 零 stands between the higher digits and a lower non-zero one;
//   - 整 follows an amount that ends at 元 or 角; none follows 分;
//   - 零 follows 元 when the 角 is zero and the 分 is not.
func (a Amount) Words() string {
	yuan, jiao, fen := int64(a)/100, int64(a)/10%10, int64(a)%10
	var b strings.Builder
	if yuan > 0 {
		b.WriteString(yuanWords(yuan))
		b.WriteString("元")
	}
	switch {
	case jiao == 0 && fen == 0:
		if yuan == 0 {
			b.WriteString("零元")
		}
		b.WriteString("整")
	case jiao == 0:
		if yuan > 0 {
			b.WriteString("零")
		}
		b.WriteRune(capitalDigits[fen])
		b.WriteString("分")
	default:
		b.WriteRune(capitalDigits[jiao])
		b.WriteString("角")
		if fen == 0 {
			b.WriteString("整")
		} else {
			b.WriteRune(capitalDigits[fen])
			b.WriteString("分")
		}
	}
	return b.String()
}

// yuanWords spells n > 0 with the units 拾佰仟 inside sections of four
// digits and 万/亿 between sections.
func yuanWords(n int64) string {
	var sections []int64 // lowest first
	for ; n > 0; n /= 10000 {
		sections = append(sections, n%10000)
	}
	var b strings.Builder
	pendingZero := false
	started := false
	for i := len(sections) - 1; i >= 0; i-- {
		sec := sections[i]
		if sec == 0 {
			if started {
				pendingZero = true
			}
			continue
		}
		if started && sec < 1000 {
			// Thousands of this section are zero: 壹万零伍佰.
			pendingZero = true
		}
		for d := 3; d >= 0; d-- {
			digit := sec / pow10(d) % 10
			if digit == 0 {
				if started {
					pendingZero = true
				}
				continue
			}
			if pendingZero {
				b.WriteRune(capitalDigits[0])
				pendingZero = false
			}
			b.WriteRune(capitalDigits[digit])
			b.WriteString(capitalUnits[d])
			started = true
		}
		// Zeros at the end of a section are not written before its unit.
		pendingZero = false
		b.WriteString(sectionUnits[i])
	}
	return b.String()
}

func pow10(d int) int64 {
	p := int64(1)
	for ; d > 0; d-- {
		p *= 10
	}
	return p
}
