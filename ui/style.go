package ui

import "github.com/charmbracelet/lipgloss"

// Styles. Colour is an aid, never the only carrier of meaning: under NO_COLOR
// (lipgloss then renders plain text) every state also shows as text or a
// mark in the first column ('>' selected, '*' new, '!' urgent).
var (
	stBold      = lipgloss.NewStyle().Bold(true)
	stTabActive = lipgloss.NewStyle().Bold(true).Reverse(true)
	stTab       = lipgloss.NewStyle()
	stHeader    = lipgloss.NewStyle().Bold(true).Underline(true)
	stSelected  = lipgloss.NewStyle().Reverse(true)
	stDim       = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	stUrgent    = lipgloss.NewStyle().Foreground(lipgloss.Color("9")).Bold(true)
	stWarn      = lipgloss.NewStyle().Foreground(lipgloss.Color("11"))
	stNew       = lipgloss.NewStyle().Foreground(lipgloss.Color("11")).Bold(true)
	stOK        = lipgloss.NewStyle().Foreground(lipgloss.Color("10"))
	stErr       = lipgloss.NewStyle().Foreground(lipgloss.Color("9"))
	stSection   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12"))
	stStatusBar = lipgloss.NewStyle().Reverse(true)
	stSandbox   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11"))
	stLabel     = lipgloss.NewStyle().Foreground(lipgloss.Color("6"))
	stAlert     = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("9"))
)
