package pane

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
	"baohan/ui/program"
)

// ID names a pane; messages for a pane carry it.
type ID int

const (
	IDTodo ID = iota
	IDOrders
	IDGuarantees
	IDRevocations
	IDClaims
	IDLog
)

// Msg is a message addressed to one pane.
type Msg interface{ PaneID() ID }

// Pane is one tab of the desk.
type Pane interface {
	ID() ID
	Title() string
	// Load reads the pane afresh (first show, query change).
	Load(pc *program.Context) tea.Cmd
	// Refresh reads again what is on screen: the store changed.
	Refresh(pc *program.Context) tea.Cmd
	// Key handles a Key press; handled is false for keys the root handles.
	Key(pc *program.Context, k tea.KeyMsg) (cmd tea.Cmd, handled bool)
	// Update handles a message addressed to the pane.
	Update(pc *program.Context, msg Msg) tea.Cmd
	// Resize tells the pane the size of its area (on every window size).
	Resize(w, h int)
	View(pc *program.Context, w, h int) string
	// Selection is the record under the cursor (nil if none).
	Selection() *common.Selection
	// Typing tells whether a text field has the keys (search).
	Typing() bool
	HelpKeys(pc *program.Context) []key.Binding
	// Settled tells whether no read is on its way (tests wait for it).
	Settled() bool
}

// Windowed is a pane that reads the rows the screen needs, again when the
// screen's size changed.
type Windowed interface {
	WindowCmd(pc *program.Context, force bool) tea.Cmd
}

// Column is one Column of a table pane.
type Column[T any] struct {
	Title string
	Width int // fixed width in cells; 0 = flexible
	Min   int // least width of a flexible column
	Drop  int // dropped when the screen is narrow, highest first; 0 = kept
	// Wide: shown only on screens at least this Wide.
	Wide  int
	Right bool
	// Whole: a number (an ID, an amount) never cut: the column widens to
	// the widest value on screen, and narrow screens drop other columns
	// first.
	Whole bool
	Cell  func(pc *program.Context, r T) common.Cell
}

// Layout chooses the columns that fit w cells (after the 2-cell mark) and
// their widths.
func Layout[T any](cols []Column[T], w int) (idx []int, widths []int) {
	avail := w - 2
	vis := make([]bool, len(cols))
	for i, c := range cols {
		vis[i] = w >= c.Wide
	}
	need := func() int {
		n, k := 0, 0
		for i, c := range cols {
			if !vis[i] {
				continue
			}
			if c.Width > 0 {
				n += c.Width
			} else {
				n += c.Min
			}
			k++
		}
		return n + max(k-1, 0)
	}
	for need() > avail {
		best := -1
		for i, c := range cols {
			if vis[i] && c.Drop > 0 && (best < 0 || c.Drop > cols[best].Drop) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		vis[best] = false
	}
	extra := avail - need()
	flex := 0
	for i, c := range cols {
		if vis[i] && c.Width == 0 {
			flex++
		}
	}
	for i, c := range cols {
		if !vis[i] {
			continue
		}
		wd := c.Width
		if wd == 0 {
			wd = c.Min
			if flex > 0 && extra > 0 {
				add := extra / flex
				if flex == 1 {
					add = extra
				}
				wd += add
				extra -= add
				flex--
			}
		}
		idx = append(idx, i)
		widths = append(widths, wd)
	}
	return idx, widths
}

// widened is the columns with each whole column as wide as its widest
// value among the rows on screen.
func (t *Table[T]) widened(pc *program.Context) []Column[T] {
	cols := append([]Column[T]{}, t.Cols...)
	n := t.pg.bound()
	for ci := range cols {
		c := &cols[ci]
		if !c.Whole {
			continue
		}
		for i := t.pg.top; i < t.pg.top+t.rowsH && i < n; i++ {
			if r, ok := t.pg.at(i); ok {
				c.Width = max(c.Width, common.TextWidth(c.Cell(pc, r).Text))
			}
		}
	}
	return cols
}

// Query is what a table pane asks the store for.
type Query struct {
	Filter string
	View   int // preset range (f)
	Sort   int // sort (s)
}

// Table is a pane that lists one kind of record from the store.
type Table[T any] struct {
	pid   ID
	name  string
	Cols  []Column[T]
	pg    pager[T]
	q     Query
	Views []string // names of the preset ranges, cycled with f
	Sorts []string // names of the sorts, cycled with s
	// Fetch and count read the store (inside commands only).
	Fetch func(db *store.Store, q Query) FetchFunc[T]
	Count func(ctx context.Context, db *store.Store, q Query) (int, error) // nil: not counted
	Sel   func(r T) *common.Selection
	// IsNew marks a row as newly arrived.
	IsNew func(pc *program.Context, r T) bool
	// Alert marks a row red ('!' in front) and says why ("" none).
	Alert func(pc *program.Context, r T) string
	// LedgerOf reads the pane's ledger through its query (nil: no export).
	LedgerOf func(ctx context.Context, db *store.Store, q Query) (*platform.Ledger, error)
	Empty    string

	Search    textinput.Model
	filtering bool
	filterSeq int
	rowsH     int  // rows on screen
	toEnd     bool // G pressed while the list's length was unknown
}

// filterTickMsg applies a search once typing paused.
type filterTickMsg struct {
	pane ID
	seq  int
}

func (m filterTickMsg) PaneID() ID { return m.pane }

// A table's messages are routed to it by pane id.
var _ = []Msg{filterTickMsg{}, countMsg{}, windowMsg[int]{}}

// filterDelay is how long typing must pause before the search is run.
const filterDelay = 120 * time.Millisecond

func NewTable[T any](id ID, name string, keyOf func(T) string) *Table[T] {
	ti := textinput.New()
	ti.Prompt = "搜索："
	ti.Placeholder = "编号、标段、单位名称"
	ti.CharLimit = 100
	return &Table[T]{pid: id, name: name, pg: newPager(keyOf), Search: ti, rowsH: 10}
}

func (t *Table[T]) ID() ID { return t.pid }

// Settled: no read is on its way and the search typed has been run.
func (t *Table[T]) Settled() bool {
	return !t.pg.loading && t.pg.counted == t.pg.gen && strings.TrimSpace(t.Search.Value()) == t.q.Filter && !t.toEnd
}

// Opening tells whether the pane's first rows are still being read (its
// first show): keys pressed meanwhile wait for them (program.Opener), so
// "2 Enter" opens the first row of 订单, not nothing.
func (t *Table[T]) Opening() bool { return t.pg.loading && t.pg.applied == 0 }

func (t *Table[T]) Title() string { return t.name }
func (t *Table[T]) Typing() bool  { return t.filtering }

func (t *Table[T]) Selection() *common.Selection {
	if r, ok := t.pg.selected(); ok && t.Sel != nil {
		return t.Sel(r)
	}
	return nil
}

func (t *Table[T]) Load(pc *program.Context) tea.Cmd {
	t.pg.reset()
	return tea.Batch(t.countCmd(pc), t.WindowCmd(pc, true))
}

func (t *Table[T]) Refresh(pc *program.Context) tea.Cmd {
	t.pg.invalidate()
	return tea.Batch(t.countCmd(pc), t.WindowCmd(pc, true))
}

func (t *Table[T]) countCmd(pc *program.Context) tea.Cmd {
	if t.Count == nil {
		t.pg.counted = t.pg.gen
		return nil
	}
	q, gen, ctx, pid, db := t.q, t.pg.gen, pc.Ctx, t.pid, pc.Store
	count := t.Count
	return func() tea.Msg {
		n, err := count(ctx, db, q)
		return countMsg{pane: pid, gen: gen, n: n, err: err}
	}
}

// WindowCmd reads the rows the screen needs; force re-reads them even if
// they are held.
func (t *Table[T]) WindowCmd(pc *program.Context, force bool) tea.Cmd {
	a, b, ok := t.pg.need(t.rowsH)
	if !ok && !force {
		return nil
	}
	if !ok {
		mg := margin(t.rowsH)
		a, b = max(0, t.pg.top-mg), t.pg.top+t.rowsH+mg
	}
	return t.pg.load(pc.Ctx, t.pid, t.Fetch(pc.Store, t.q), a, b)
}

func (t *Table[T]) Update(pc *program.Context, msg Msg) tea.Cmd {
	switch msg := msg.(type) {
	case windowMsg[T]:
		if t.pg.apply(msg, t.rowsH) {
			if msg.err != nil {
				pc.Errorf("读取%s失败：%v", t.name, msg.err)
				return nil
			}
			if t.toEnd && t.pg.end >= 0 {
				t.toEnd = false
				t.pg.moveTo(t.pg.end-1, t.rowsH)
			}
			return t.WindowCmd(pc, false)
		}
	case countMsg:
		if t.pg.applyCount(msg, t.rowsH) {
			if msg.err != nil {
				pc.Errorf("读取%s失败：%v", t.name, msg.err)
				return nil
			}
			return t.WindowCmd(pc, false)
		}
	case filterTickMsg:
		if msg.seq == t.filterSeq && strings.TrimSpace(t.Search.Value()) != t.q.Filter {
			t.q.Filter = strings.TrimSpace(t.Search.Value())
			return t.Load(pc)
		}
	}
	return nil
}

func (t *Table[T]) Key(pc *program.Context, k tea.KeyMsg) (tea.Cmd, bool) {
	km := pc.Keys
	if t.filtering {
		switch k.String() {
		case "enter", "esc":
			t.filtering = false
			t.Search.Blur()
			if v := strings.TrimSpace(t.Search.Value()); v != t.q.Filter {
				t.q.Filter = v
				return t.Load(pc), true
			}
			return nil, true
		}
		before := t.Search.Value()
		var cmd tea.Cmd
		t.Search, cmd = t.Search.Update(k)
		if t.Search.Value() != before {
			t.filterSeq++
			seq, pid := t.filterSeq, t.pid
			return tea.Batch(cmd, pc.Tick(filterDelay, func(time.Time) tea.Msg { return filterTickMsg{pid, seq} })), true
		}
		return cmd, true
	}
	h := t.rowsH
	switch {
	case key.Matches(k, km.Up):
		t.pg.move(-1, h)
	case key.Matches(k, km.Down):
		t.pg.move(1, h)
	case key.Matches(k, km.PageUp):
		t.pg.move(-h, h)
	case key.Matches(k, km.PageDown):
		t.pg.move(h, h)
	case key.Matches(k, km.Top):
		t.pg.moveTo(0, h)
	case key.Matches(k, km.Bottom):
		if t.pg.end < 0 && t.pg.total < 0 {
			// Length unknown: walk to the end first.
			const far = 1 << 30
			t.toEnd = true
			return t.pg.load(pc.Ctx, t.pid, t.Fetch(pc.Store, t.q), far, far+1), true
		}
		t.pg.moveTo(t.pg.bound()-1, h)
	case key.Matches(k, km.Filter):
		t.filtering = true
		t.Search.CursorEnd()
		return t.Search.Focus(), true
	case key.Matches(k, km.QuickView):
		if len(t.Views) < 2 {
			pc.Info("%s没有其他范围", t.name)
			return nil, true
		}
		t.q.View = (t.q.View + 1) % len(t.Views)
		pc.Info("%s：%s", t.name, t.Views[t.q.View])
		return t.Load(pc), true
	case key.Matches(k, km.Sort):
		if len(t.Sorts) < 2 {
			if len(t.Sorts) == 1 {
				pc.Info("%s按%s排列", t.name, t.Sorts[0])
			}
			return nil, true
		}
		t.q.Sort = (t.q.Sort + 1) % len(t.Sorts)
		pc.Info("%s按%s排列", t.name, t.Sorts[t.q.Sort])
		return t.Load(pc), true
	case key.Matches(k, km.Back):
		if t.q.Filter != "" {
			t.q.Filter = ""
			t.Search.SetValue("")
			return t.Load(pc), true
		}
		return nil, false
	default:
		return nil, false
	}
	return t.WindowCmd(pc, false), true
}

func (t *Table[T]) HelpKeys(pc *program.Context) []key.Binding {
	km := pc.Keys
	if t.filtering {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "完成搜索")),
		}
	}
	b := []key.Binding{km.Open, km.Filter}
	if len(t.Views) > 1 {
		b = append(b, km.QuickView)
	}
	if len(t.Sorts) > 1 {
		b = append(b, km.Sort)
	}
	if t.LedgerOf != nil {
		b = append(b, km.Export)
	}
	return b
}

// header is the line above the table: counts, range, sort, search.
func (t *Table[T]) header(w int) string {
	if t.filtering {
		return t.Search.View()
	}
	var parts []string
	n := t.pg.bound()
	switch {
	case t.pg.total >= 0 || t.pg.end >= 0:
		if n == 0 {
			parts = append(parts, common.StyleBold.Render(t.name)+" 0 条")
		} else {
			parts = append(parts, fmt.Sprintf("%s 第 %d/%d 条", common.StyleBold.Render(t.name), t.pg.sel+1, n))
		}
	default:
		parts = append(parts, fmt.Sprintf("%s 第 %d 条", common.StyleBold.Render(t.name), t.pg.sel+1))
	}
	if len(t.Views) > 0 {
		parts = append(parts, "范围："+t.Views[t.q.View])
	}
	if len(t.Sorts) > 0 {
		parts = append(parts, "排序："+t.Sorts[t.q.Sort])
	}
	if t.q.Filter != "" {
		parts = append(parts, "搜索："+common.Clean(t.q.Filter))
	}
	if t.pg.loading {
		parts = append(parts, common.StyleDim.Render("读取中"))
	}
	return strings.Join(parts, "  ")
}

func (t *Table[T]) Resize(w, h int) {
	t.rowsH = max(h-2, 1)
	t.Search.Width = max(w-common.TextWidth(t.Search.Prompt)-2, 10)
	t.pg.scroll(t.rowsH)
}

func (t *Table[T]) View(pc *program.Context, w, h int) string {
	var b strings.Builder
	b.WriteString(t.header(w))
	b.WriteByte('\n')

	idx, widths := Layout(t.widened(pc), w)
	var hdr strings.Builder
	hdr.WriteString("  ")
	for j, ci := range idx {
		if j > 0 {
			hdr.WriteByte(' ')
		}
		c := t.Cols[ci]
		if c.Right {
			hdr.WriteString(common.FitRight(c.Title, widths[j]))
		} else {
			hdr.WriteString(common.Fit(c.Title, widths[j]))
		}
	}
	b.WriteString(common.StyleHeader.Render(strings.TrimRight(hdr.String(), " ")))

	n := t.pg.bound()
	if n == 0 && !t.pg.loading && t.pg.err == nil {
		b.WriteString("\n  ")
		e := t.Empty
		switch {
		case t.q.Filter != "":
			e = "没有符合搜索的记录"
		case t.q.View > 0 && t.q.View < len(t.Views):
			e = "没有符合范围（" + t.Views[t.q.View] + "）的记录：按 f 换范围"
		}
		b.WriteString(common.StyleDim.Render(e))
	}
	for i := t.pg.top; i < t.pg.top+t.rowsH && i < n; i++ {
		b.WriteByte('\n')
		r, ok := t.pg.at(i)
		if !ok {
			b.WriteString(common.StyleDim.Render("  " + common.Glyphs().Ellipsis))
			continue
		}
		mark := "  "
		isNew := t.IsNew != nil && t.IsNew(pc, r)
		if isNew {
			mark = "* "
		}
		alert := t.Alert != nil && t.Alert(pc, r) != ""
		if alert {
			mark = "!" + mark[:1] // "! " alert, "!*" alert and new
		}
		selected := i == t.pg.sel
		if selected {
			mark = ">" + mark[:1]
		}
		var line strings.Builder
		for j, ci := range idx {
			if j > 0 {
				line.WriteByte(' ')
			}
			c := t.Cols[ci]
			cl := c.Cell(pc, r)
			s := common.Fit(cl.Text, widths[j])
			if c.Right {
				s = common.FitRight(cl.Text, widths[j])
			}
			if cl.Set && !selected {
				s = cl.Style.Render(s)
			}
			line.WriteString(s)
		}
		row := line.String()
		switch {
		case selected:
			b.WriteString(mark + common.StyleSelected.Render(row))
		case alert:
			b.WriteString(common.StyleUrgent.Render(mark + ansi.Strip(row)))
		case isNew:
			b.WriteString(common.StyleNew.Render(mark) + row)
		default:
			b.WriteString(mark + row)
		}
	}
	return b.String()
}

// Page turns a store list's answer into a FetchFunc's.
func Page[T any](rows []T, next store.Cursor, err error) ([]T, string, error) {
	return rows, string(next), err
}

// Cursor is the index of the selected row.
func (t *Table[T]) Cursor() int { return t.pg.sel }

// Selected is the selected row, if it is held.
func (t *Table[T]) Selected() (T, bool) { return t.pg.selected() }

// Known is the number of rows known to exist (the count, or as far as read).
func (t *Table[T]) Known() int { return t.pg.bound() }

// Held is the number of rows held in memory (a window, never the list).
func (t *Table[T]) Held() int { return len(t.pg.rows) }

// SearchPaused is the message that runs the search typed so far, as when
// typing pauses (benchmarks send it instead of waiting for the timer).
func (t *Table[T]) SearchPaused() tea.Msg { return filterTickMsg{pane: t.pid, seq: t.filterSeq} }

// ReadStore wires a table to one store list read with keyset cursors:
// query is the store's query for the pane's, page puts a cursor and a limit
// in it, and list and count are the store's methods for it.
func ReadStore[T, Q any](t *Table[T], query func(Query) Q, page func(q Q, after store.Cursor, limit int) Q,
	list func(*store.Store, context.Context, Q) ([]T, store.Cursor, error),
	count func(*store.Store, context.Context, Q) (int, error)) {
	t.Fetch = func(db *store.Store, q Query) FetchFunc[T] {
		sq := query(q)
		return func(ctx context.Context, after string, limit int) ([]T, string, error) {
			return Page(list(db, ctx, page(sq, store.Cursor(after), limit)))
		}
	}
	t.Count = func(ctx context.Context, db *store.Store, q Query) (int, error) { return count(db, ctx, query(q)) }
}

// A table is a pane that exports its ledger and reads its window again on
// a new screen size.
var (
	_ Pane     = (*Table[int])(nil)
	_ Exporter = (*Table[int])(nil)
	_ Windowed = (*Table[int])(nil)
)
