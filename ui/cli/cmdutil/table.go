package cmdutil

import (
	"fmt"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// WriteTable aligns rows by display width: a Chinese character takes two
// terminal cells (text/tabwriter counts it as one).
func WriteTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, cells := range rows {
		for i, c := range cells {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	for _, cells := range rows {
		var b strings.Builder
		for i, c := range cells {
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-runewidth.StringWidth(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}
