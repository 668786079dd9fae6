// Package common holds what every part of the desk draws with: text
// measured in terminal cells (text.go), the styles (style.go), a table cell
// (cell.go), and the record under the cursor with the text of its values
// (records.go). It has no state and does no I/O.
package common
