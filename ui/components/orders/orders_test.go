package orders

import (
	"testing"

	"baohan/ui/components/pane"
)

func TestLayoutDropsColumnsToFit(t *testing.T) {
	cols := New().Cols
	for _, w := range []int{40, 80, 120, 200} {
		idx, widths := pane.Layout(cols, w)
		total := 2 + len(widths) - 1
		for _, x := range widths {
			total += x
		}
		if total > w && w >= 60 {
			t.Errorf("width %d: columns take %d", w, total)
		}
		if idx[0] != 0 {
			t.Errorf("width %d: the order number column was dropped", w)
		}
	}
}
