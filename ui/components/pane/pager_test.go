package pane

import (
	"context"
	"strconv"
	"testing"
)

// fakeList is a keyset list of n rows whose cursor is the row's index.
func fakeList(n int, reads *int) FetchFunc[int] {
	return func(ctx context.Context, after string, limit int) ([]int, string, error) {
		*reads++
		start := 0
		if after != "" {
			start, _ = strconv.Atoi(after)
		}
		var rows []int
		for i := start; i < n && len(rows) < limit; i++ {
			rows = append(rows, i)
		}
		next := ""
		if start+len(rows) < n {
			next = strconv.Itoa(start + len(rows))
		}
		return rows, next, nil
	}
}

// drive runs the loads a pager asks for until it has what the screen needs.
func drive(t *testing.T, p *pager[int], fetch FetchFunc[int], h int) {
	t.Helper()
	for i := 0; i < 50; i++ {
		a, b, ok := p.need(h)
		if !ok {
			return
		}
		msg := p.load(context.Background(), IDOrders, fetch, a, b)().(windowMsg[int])
		p.apply(msg, h)
	}
	t.Fatal("the pager never settled")
}

func TestPagerHoldsAWindowNotTheList(t *testing.T) {
	const n, h = 10_000, 20
	reads := 0
	fetch := fakeList(n, &reads)
	p := newPager(func(i int) string { return strconv.Itoa(i) })
	p.total = n
	drive(t, &p, fetch, h)
	for step := 0; step < 300; step++ {
		p.move(1, h)
		drive(t, &p, fetch, h)
		if r, ok := p.selected(); !ok || r != p.sel {
			t.Fatalf("row %d: selected %d, %v", p.sel, r, ok)
		}
		if len(p.rows) > h+2*margin(h)+1 {
			t.Fatalf("holds %d rows for a screen of %d", len(p.rows), h)
		}
	}
	// Jump to the end, then page back up.
	p.moveTo(n-1, h)
	drive(t, &p, fetch, h)
	if r, ok := p.selected(); !ok || r != n-1 {
		t.Fatalf("end: selected %d, %v", r, ok)
	}
	for i := 0; i < 10; i++ {
		p.move(-h, h)
		drive(t, &p, fetch, h)
		if r, ok := p.selected(); !ok || r != p.sel {
			t.Fatalf("page up to %d: selected %d, %v", p.sel, r, ok)
		}
	}
	if len(p.marks) > maxMarks {
		t.Fatalf("%d marks", len(p.marks))
	}
}

func TestPagerUnknownLengthWalksToEnd(t *testing.T) {
	const n, h = 777, 10
	reads := 0
	fetch := fakeList(n, &reads)
	p := newPager(func(i int) string { return strconv.Itoa(i) })
	const far = 1 << 30
	msg := p.load(context.Background(), IDLog, fetch, far, far+1)().(windowMsg[int])
	p.apply(msg, h)
	if p.end != n {
		t.Fatalf("end %d, want %d", p.end, n)
	}
	p.moveTo(p.end-1, h)
	drive(t, &p, fetch, h)
	if r, ok := p.selected(); !ok || r != n-1 {
		t.Fatalf("selected %d, %v", r, ok)
	}
}

// TestPagerShowsRowsArrivingAboveTheTop: at the top of the list, a row that
// comes in above the selected one (a new order with an earlier deadline) is
// shown, the selection staying on its record; further down, the view moves
// with the record.
func TestPagerShowsRowsArrivingAboveTheTop(t *testing.T) {
	const h = 5
	keys := []string{"b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}
	fetch := func(ctx context.Context, after string, limit int) ([]string, string, error) {
		start := 0
		if after != "" {
			start, _ = strconv.Atoi(after)
		}
		end := min(start+limit, len(keys))
		next := ""
		if end < len(keys) {
			next = strconv.Itoa(end)
		}
		return append([]string(nil), keys[start:end]...), next, nil
	}
	reload := func(p *pager[string]) {
		msg := p.load(context.Background(), IDOrders, fetch, 0, len(keys)+1)().(windowMsg[string])
		p.apply(msg, h)
	}
	p := newPager(func(k string) string { return k })
	p.total = len(keys)
	reload(&p)
	if r, _ := p.selected(); r != "b" || p.top != 0 {
		t.Fatalf("start: selected %q, top %d", r, p.top)
	}
	keys = append([]string{"a"}, keys...) // earlier than all
	p.total = len(keys)
	reload(&p)
	if r, _ := p.selected(); r != "b" || p.top != 0 {
		t.Fatalf("after a row above at the top: selected %q, top %d (the new row must show)", r, p.top)
	}
	// Further down the view follows the record.
	p.moveTo(8, h)
	reload(&p)
	top, sel := p.top, p.sel
	keys = append([]string{"0"}, keys...)
	p.total = len(keys)
	reload(&p)
	if p.sel != sel+1 || p.top != top+1 {
		t.Fatalf("below the top: sel %d→%d, top %d→%d, want both one down", sel, p.sel, top, p.top)
	}
}
