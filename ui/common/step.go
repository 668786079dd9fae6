package common

// Step moves a cursor at i n selectable rows of a list of count rows
// (negative: up), skipping the rows selectable says no to (headings); it
// stops at the last selectable row either way.
func Step(i, n, count int, selectable func(int) bool) int {
	for n != 0 {
		d := 1
		if n < 0 {
			d = -1
		}
		j := i + d
		for j >= 0 && j < count && !selectable(j) {
			j += d
		}
		if j < 0 || j >= count {
			break
		}
		i = j
		n -= d
	}
	return i
}
