package pane

import (
	"context"
	"sort"

	tea "github.com/charmbracelet/bubbletea"
)

// A pager shows a list the store pages with keyset cursors without ever
// holding it whole: it keeps one window of rows (the screen and a small
// margin either side) and a sparse index of the cursors it has met
// ("marks": row index -> cursor). To show rows [a, b) it starts from the
// nearest mark at or before a, reads on to a in large steps (keeping only
// cursors), then reads [a, b). Scrolling row by row therefore reads a few
// dozen rows a step; a jump to the end walks the list once in steps of
// walkStep rows and remembers the cursors on the way.

// FetchFunc reads up to limit rows after the cursor ("" = from the start)
// and returns the cursor of what follows ("" when nothing follows).
type FetchFunc[T any] func(ctx context.Context, after string, limit int) ([]T, string, error)

// walkStep is how many rows a walk reads per query while skipping ahead.
const walkStep = 2048

// maxMarks bounds the cursor index; beyond it every other mark is dropped.
const maxMarks = 4096

type mark struct {
	index  int
	cursor string
}

type pager[T any] struct {
	keyOf func(T) string

	marks    []mark // sorted by index; marks[0] = {0, ""}
	end      int    // rows in the list if a read reached its end, else -1
	total    int    // the store's count, -1 until known
	winStart int
	rows     []T // rows [winStart, winStart+len(rows))
	sel, top int

	gen     int // bumped when the query changes; older answers are dropped
	counted int // the gen whose count came back
	seq     int // window loads issued
	applied int // highest window load applied
	loading bool
	err     error
}

func newPager[T any](keyOf func(T) string) pager[T] {
	return pager[T]{keyOf: keyOf, marks: []mark{{0, ""}}, end: -1, total: -1}
}

// windowMsg carries rows read for a pager.
type windowMsg[T any] struct {
	pane  ID
	gen   int
	seq   int
	start int
	rows  []T
	marks []mark
	end   int  // -1 if the read did not reach the end
	short bool // the list ended before the window asked for
	err   error
}

func (m windowMsg[T]) PaneID() ID { return m.pane }

// countMsg carries the store's count for a pager's query.
type countMsg struct {
	pane ID
	gen  int
	n    int
	err  error
}

func (m countMsg) PaneID() ID { return m.pane }

// reset forgets everything: the query changed.
func (p *pager[T]) reset() {
	p.gen++
	p.marks = []mark{{0, ""}}
	p.end, p.total = -1, -1
	p.winStart, p.rows = 0, nil
	p.sel, p.top = 0, 0
	p.err = nil
}

// invalidate keeps the position but forgets the list's end and count: the
// store changed and they are read again.
func (p *pager[T]) invalidate() {
	p.end, p.total = -1, -1
}

// bound is how many rows the list is known to have.
func (p *pager[T]) bound() int {
	if p.end >= 0 {
		return p.end
	}
	if p.total >= 0 {
		return p.total
	}
	return p.winStart + len(p.rows)
}

func (p *pager[T]) at(i int) (T, bool) {
	var zero T
	if i < p.winStart || i >= p.winStart+len(p.rows) {
		return zero, false
	}
	return p.rows[i-p.winStart], true
}

func (p *pager[T]) selected() (T, bool) { return p.at(p.sel) }

// margin is the rows kept beyond each edge of the screen.
func margin(h int) int { return max(4, h/4) }

// move moves the selection by delta rows within the known list and scrolls
// so that it stays on a screen of h rows.
func (p *pager[T]) move(delta, h int) {
	n := p.bound()
	p.sel = min(max(p.sel+delta, 0), max(n-1, 0))
	p.scroll(h)
}

// moveTo selects row i.
func (p *pager[T]) moveTo(i, h int) {
	p.sel = 0
	p.move(i, h)
}

func (p *pager[T]) scroll(h int) {
	if h < 1 {
		h = 1
	}
	if p.sel < p.top {
		p.top = p.sel
	}
	if p.sel >= p.top+h {
		p.top = p.sel - h + 1
	}
	n := p.bound()
	if p.top > max(n-h, 0) {
		p.top = max(n-h, 0)
	}
	if p.top < 0 {
		p.top = 0
	}
}

// need tells which rows to read so that a screen of h rows from top is
// covered with a margin; ok is false when the window already does.
func (p *pager[T]) need(h int) (a, b int, ok bool) {
	mg := margin(h)
	lo, hi := p.top, p.top+h
	if p.end >= 0 {
		hi = min(hi, p.end)
	} else if p.total >= 0 {
		// The count may be a little behind or ahead of the rows; read to it.
		hi = min(hi, p.total)
	}
	ws, we := p.winStart, p.winStart+len(p.rows)
	covered := lo >= ws && hi <= we
	moreAfter := p.end < 0 || we < p.end
	nearEnd := we-hi < mg/2 && moreAfter
	nearStart := lo-ws < mg/2 && ws > 0
	if covered && !nearEnd && !nearStart && len(p.rows) > 0 {
		return 0, 0, false
	}
	if covered && len(p.rows) == 0 && p.end == 0 {
		return 0, 0, false // an empty list
	}
	a = max(0, p.top-mg)
	b = p.top + h + mg
	if p.end >= 0 {
		b = min(b, p.end)
	}
	if b <= a {
		b = a + 1
	}
	return a, b, true
}

// load returns the command that reads rows [a, b).
func (p *pager[T]) load(ctx context.Context, pane ID, fetch FetchFunc[T], a, b int) tea.Cmd {
	// Nearest mark at or before a.
	i := sort.Search(len(p.marks), func(i int) bool { return p.marks[i].index > a }) - 1
	if i < 0 {
		i = 0
	}
	from := p.marks[i]
	p.seq++
	p.loading = true
	gen, seq := p.gen, p.seq
	return func() tea.Msg {
		msg := windowMsg[T]{pane: pane, gen: gen, seq: seq, end: -1}
		pos, cur := from.index, from.cursor
		for pos < a {
			rows, next, err := fetch(ctx, cur, min(a-pos, walkStep))
			if err != nil {
				msg.err = err
				return msg
			}
			pos += len(rows)
			if next == "" || len(rows) == 0 {
				// The list ends before a: show its last screen instead.
				msg.end, msg.short = pos, true
				return msg
			}
			cur = next
			msg.marks = append(msg.marks, mark{pos, cur})
		}
		rows, next, err := fetch(ctx, cur, b-a)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.start, msg.rows = a, rows
		if next == "" || len(rows) == 0 {
			msg.end = a + len(rows)
		} else {
			msg.marks = append(msg.marks, mark{a + len(rows), next})
		}
		return msg
	}
}

// apply takes a window read. It reports whether it was used.
func (p *pager[T]) apply(msg windowMsg[T], h int) bool {
	if msg.gen != p.gen || msg.seq < p.applied {
		return false
	}
	p.applied = msg.seq
	p.loading = msg.seq < p.seq
	if msg.err != nil {
		p.err = msg.err
		return true
	}
	p.err = nil
	for _, mk := range msg.marks {
		p.addMark(mk)
	}
	if msg.end >= 0 {
		p.end = msg.end
		// Marks beyond the end are stale.
		for len(p.marks) > 1 && p.marks[len(p.marks)-1].index >= p.end {
			p.marks = p.marks[:len(p.marks)-1]
		}
	}
	if msg.short {
		// The list ended before the rows asked for: nothing applied now,
		// the caller asks again within the known end.
		p.sel = max(min(p.sel, p.end-1), 0)
		p.scroll(h)
		return true
	}
	// Keep the selection on the same record if it is still in view.
	var selKey string
	if r, ok := p.at(p.sel); ok && p.keyOf != nil {
		selKey = p.keyOf(r)
	}
	p.winStart, p.rows = msg.start, msg.rows
	if selKey != "" {
		for i, r := range p.rows {
			if p.keyOf(r) == selKey {
				// The view moves with the record, except at the top
				// of the list: rows that come in above (a new order
				// with an earlier deadline) are shown there.
				d := msg.start + i - p.sel
				p.sel += d
				if p.top > 0 {
					p.top = max(p.top+d, 0)
				}
				break
			}
		}
	}
	if n := p.bound(); p.sel >= n {
		p.sel = max(n-1, 0)
	}
	p.scroll(h)
	return true
}

func (p *pager[T]) addMark(mk mark) {
	i := sort.Search(len(p.marks), func(i int) bool { return p.marks[i].index >= mk.index })
	if i < len(p.marks) && p.marks[i].index == mk.index {
		p.marks[i] = mk
		return
	}
	p.marks = append(p.marks, mark{})
	copy(p.marks[i+1:], p.marks[i:])
	p.marks[i] = mk
	if len(p.marks) > maxMarks {
		thin := p.marks[:1]
		for j := 1; j < len(p.marks); j++ {
			if j%2 == 0 || j == len(p.marks)-1 {
				thin = append(thin, p.marks[j])
			}
		}
		p.marks = thin
	}
}

// applyCount takes the store's count.
func (p *pager[T]) applyCount(msg countMsg, h int) bool {
	if msg.gen != p.gen {
		return false
	}
	p.counted = msg.gen
	if msg.err != nil {
		p.err = msg.err
		return true
	}
	if msg.n < 0 {
		return true // not counted
	}
	p.total = msg.n
	if p.end < 0 && p.total < p.winStart+len(p.rows) {
		p.total = p.winStart + len(p.rows)
	}
	p.scroll(h)
	return true
}
