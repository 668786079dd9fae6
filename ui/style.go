package ui

import "github.com/charmbracelet/lipgloss"

// Styles. Colour is an aid, never the only carrier of meaning: under NO_COLOR
// (lipgloss then renders plain text) every state also shows as text or a
// mark in the first column ('>' selected, '*' new, '!' urgent).
var (
	styleBold      = lipgloss.NewStyle().Bold(true)
	styleTabActive = lipgloss.NewStyle().Bold(true).Reverse(true)
	styleTab       = lipgloss.NewStyle()
	styleHeader    = lipgloss.NewStyle().Bold(true).Underline(true)
	styleSelected  = lipgloss.NewStyle().Reverse(true)
	styleDim       = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	styleUrgent    = lipgloss.NewStyle().Foreground(lipgloss.Color("9")).Bold(true)
	styleWarn      = lipgloss.NewStyle().Foreground(lipgloss.Color("11"))
	styleNew       = lipgloss.NewStyle().Foreground(lipgloss.Color("11")).Bold(true)
	styleOK        = lipgloss.NewStyle().Foreground(lipgloss.Color("10"))
	styleErr       = lipgloss.NewStyle().Foreground(lipgloss.Color("9"))
	styleSection   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12"))
	styleStatusBar = lipgloss.NewStyle().Reverse(true)
	styleSandbox   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11"))
	styleLabel     = lipgloss.NewStyle().Foreground(lipgloss.Color("6"))
	styleAlert     = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("9"))
)
