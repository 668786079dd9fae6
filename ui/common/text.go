package common

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"
)

// Text on the desk is measured in terminal cells with go-runewidth, so that
// Chinese (two cells a character) lines up. Cells are cut and padded as plain
// text first and styled afterwards, so escape codes never count.

// glyphs are the few non-ASCII marks the desk draws. Under an East Asian
// terminal setting (RUNEWIDTH_EASTASIAN=1, or a zh_CN locale) "ambiguous"
// characters such as … or box drawing take two cells, so ASCII is used then.
type GlyphSet struct {
	Ellipsis string
	Rule     string // a horizontal rule cell
	BarFull  rune
	BarEmpty rune
}

func Glyphs() GlyphSet {
	if runewidth.DefaultCondition.EastAsianWidth {
		return GlyphSet{Ellipsis: "~", Rule: "-", BarFull: '#', BarEmpty: '.'}
	}
	return GlyphSet{Ellipsis: "…", Rule: "─", BarFull: '█', BarEmpty: '░'}
}

// TextWidth is the display width of plain text (no escape codes).
func TextWidth(s string) int { return runewidth.StringWidth(s) }

// StyledWidth is the display width of text that may hold escape codes.
func StyledWidth(s string) int { return lipgloss.Width(s) }

// Clean makes text from the platform or the store fit for one line of a
// terminal: control characters (escape sequences among them) are dropped,
// line breaks and tabs become spaces.
func Clean(s string) string {
	ok := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CleanBlock is clean for text shown over several lines: line breaks stay.
func CleanBlock(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(Clean(l), "\t", "    ")
	}
	return strings.Join(lines, "\n")
}

// Truncate cuts plain text to at most w cells, ending with an ellipsis when
// something was cut.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if TextWidth(s) <= w {
		return s
	}
	e := Glyphs().Ellipsis
	ew := TextWidth(e)
	if w <= ew {
		return runewidth.Truncate(s, w, "")
	}
	return runewidth.Truncate(s, w-ew, "") + e
}

// Fit cuts or pads plain text to exactly w cells (left aligned).
func Fit(s string, w int) string {
	s = Truncate(s, w)
	if n := TextWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// FitRight cuts or pads plain text to exactly w cells, right aligned.
func FitRight(s string, w int) string {
	s = Truncate(s, w)
	if n := TextWidth(s); n < w {
		s = strings.Repeat(" ", w-n) + s
	}
	return s
}

// PadStyled pads text that may hold escape codes to w cells; it does not cut.
func PadStyled(s string, w int) string {
	if n := StyledWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// Wrap breaks plain text into lines of at most w cells, at spaces where it
// can and anywhere in a run of Chinese text or a long token.
func Wrap(s string, w int) []string {
	if w <= 0 {
		return []string{""}
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		var line strings.Builder
		lw := 0
		lastSpace := -1 // byte offset in line of the last space
		for _, r := range para {
			rw := runewidth.RuneWidth(r)
			if lw+rw > w {
				cur := line.String()
				if lastSpace > 0 && !unicode.IsSpace(r) && lastSpace < len(cur) {
					out = append(out, strings.TrimRight(cur[:lastSpace], " "))
					rest := cur[lastSpace+1:]
					line.Reset()
					line.WriteString(rest)
					lw = TextWidth(rest)
				} else {
					out = append(out, cur)
					line.Reset()
					lw = 0
				}
				lastSpace = -1
				if unicode.IsSpace(r) && lw == 0 {
					continue
				}
			}
			if r == ' ' {
				lastSpace = line.Len()
			}
			line.WriteRune(r)
			lw += rw
		}
		out = append(out, line.String())
	}
	return out
}

// FitLines makes exactly h lines of at most w cells from s (cut or padded
// with empty lines); lines are padded to w so that the screen is fully drawn.
func FitLines(s string, w, h int) []string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		if StyledWidth(l) > w {
			l = CutStyled(l, w)
		}
		lines[i] = PadStyled(l, w)
	}
	return lines
}

// CutStyled cuts text that may hold escape codes to w cells.
func CutStyled(s string, w int) string {
	return lipgloss.NewStyle().MaxWidth(w).Render(s)
}

// TruncStyled cuts a styled line to w cells.
func TruncStyled(s string, w int) string {
	if StyledWidth(s) <= w {
		return s
	}
	return CutStyled(s, w)
}
