package common

import "github.com/charmbracelet/lipgloss"

// Cell is one table cell: plain text and how to style it.
type Cell struct {
	Text  string
	Style lipgloss.Style
	Set   bool
}

// Txt is a plain cell.
func Txt(s string) Cell { return Cell{Text: Clean(s)} }

// Styled is a cell drawn in style (unless its row is selected).
func Styled(s string, style lipgloss.Style) Cell {
	return Cell{Text: Clean(s), Style: style, Set: true}
}
