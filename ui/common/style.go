package common

import "github.com/charmbracelet/lipgloss"

// Styles. Colour is an aid, never the only carrier of meaning: under NO_COLOR
// (lipgloss then renders plain text) every state also shows as text or a
// mark in the first column ('>' selected, '*' new, '!' urgent).
var (
	StyleBold      = lipgloss.NewStyle().Bold(true)
	StyleTabActive = lipgloss.NewStyle().Bold(true).Reverse(true)
	StyleTab       = lipgloss.NewStyle()
	StyleHeader    = lipgloss.NewStyle().Bold(true).Underline(true)
	StyleSelected  = lipgloss.NewStyle().Reverse(true)
	StyleDim       = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	StyleUrgent    = lipgloss.NewStyle().Foreground(lipgloss.Color("9")).Bold(true)
	StyleWarn      = lipgloss.NewStyle().Foreground(lipgloss.Color("11"))
	StyleNew       = lipgloss.NewStyle().Foreground(lipgloss.Color("11")).Bold(true)
	StyleOK        = lipgloss.NewStyle().Foreground(lipgloss.Color("10"))
	StyleErr       = lipgloss.NewStyle().Foreground(lipgloss.Color("9"))
	StyleSection   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12"))
	StyleStatusBar = lipgloss.NewStyle().Reverse(true)
	StyleSandbox   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11"))
	StyleLabel     = lipgloss.NewStyle().Foreground(lipgloss.Color("6"))
	StyleAlert     = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("9"))
)
