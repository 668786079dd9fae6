package ui

import (
	"baohan/ui/common"
	"baohan/ui/program"
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
)

// paneID names a pane; messages for a pane carry it.
type paneID int

const (
	paneTodo paneID = iota
	paneOrders
	paneGuarantees
	paneRevocations
	paneClaims
	paneLog
)

// paneMsg is a message addressed to one pane.
type paneMsg interface{ paneID() paneID }

// pane is one tab of the desk.
type pane interface {
	id() paneID
	title() string
	// load reads the pane afresh (first show, query change).
	load(pc *program.Context) tea.Cmd
	// refresh reads again what is on screen: the store changed.
	refresh(pc *program.Context) tea.Cmd
	// key handles a key press; handled is false for keys the root handles.
	key(pc *program.Context, k tea.KeyMsg) (cmd tea.Cmd, handled bool)
	// msg handles a message addressed to the pane.
	msg(pc *program.Context, msg paneMsg) tea.Cmd
	// resize tells the pane the size of its area (on every window size).
	resize(w, h int)
	view(pc *program.Context, w, h int) string
	// selection is the record under the cursor (nil if none).
	selection() *common.Selection
	// typing tells whether a text field has the keys (search).
	typing() bool
	helpKeys(pc *program.Context) []key.Binding
}

// column is one column of a table pane.
type column[T any] struct {
	title string
	width int // fixed width in cells; 0 = flexible
	min   int // least width of a flexible column
	drop  int // dropped when the screen is narrow, highest first; 0 = kept
	// wide: shown only on screens at least this wide.
	wide  int
	right bool
	// whole: a number (an ID, an amount) never cut: the column widens to
	// the widest value on screen, and narrow screens drop other columns
	// first.
	whole bool
	cell  func(pc *program.Context, r T) common.Cell
}

// layout chooses the columns that fit w cells (after the 2-cell mark) and
// their widths.
func layout[T any](cols []column[T], w int) (idx []int, widths []int) {
	avail := w - 2
	vis := make([]bool, len(cols))
	for i, c := range cols {
		vis[i] = w >= c.wide
	}
	need := func() int {
		n, k := 0, 0
		for i, c := range cols {
			if !vis[i] {
				continue
			}
			if c.width > 0 {
				n += c.width
			} else {
				n += c.min
			}
			k++
		}
		return n + max(k-1, 0)
	}
	for need() > avail {
		best := -1
		for i, c := range cols {
			if vis[i] && c.drop > 0 && (best < 0 || c.drop > cols[best].drop) {
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
		if vis[i] && c.width == 0 {
			flex++
		}
	}
	for i, c := range cols {
		if !vis[i] {
			continue
		}
		wd := c.width
		if wd == 0 {
			wd = c.min
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
func (t *tablePane[T]) widened(pc *program.Context) []column[T] {
	cols := append([]column[T]{}, t.cols...)
	n := t.pg.bound()
	for ci := range cols {
		c := &cols[ci]
		if !c.whole {
			continue
		}
		for i := t.pg.top; i < t.pg.top+t.rowsH && i < n; i++ {
			if r, ok := t.pg.at(i); ok {
				c.width = max(c.width, common.TextWidth(c.cell(pc, r).Text))
			}
		}
	}
	return cols
}

// listQuery is what a table pane asks the store for.
type listQuery struct {
	filter string
	view   int // preset range (f)
	sort   int // sort (s)
}

// tablePane is a pane that lists one kind of record from the store.
type tablePane[T any] struct {
	pid   paneID
	name  string
	cols  []column[T]
	pg    pager[T]
	q     listQuery
	views []string // names of the preset ranges, cycled with f
	sorts []string // names of the sorts, cycled with s
	// fetch and count read the store (inside commands only).
	fetch func(db *store.Store, q listQuery) fetchFunc[T]
	count func(ctx context.Context, db *store.Store, q listQuery) (int, error) // nil: not counted
	sel   func(r T) *common.Selection
	// isNew marks a row as newly arrived.
	isNew func(pc *program.Context, r T) bool
	// alert marks a row red ('!' in front) and says why ("" none).
	alert func(pc *program.Context, r T) string
	// ledgerOf reads the pane's ledger through its query (nil: no export).
	ledgerOf func(ctx context.Context, db *store.Store, q listQuery) (*platform.Ledger, error)
	empty    string

	filter    textinput.Model
	filtering bool
	filterSeq int
	rowsH     int  // rows on screen
	toEnd     bool // G pressed while the list's length was unknown
}

// filterTickMsg applies a search once typing paused.
type filterTickMsg struct {
	pane paneID
	seq  int
}

func (m filterTickMsg) paneID() paneID { return m.pane }

// filterDelay is how long typing must pause before the search is run.
const filterDelay = 120 * time.Millisecond

func newTable[T any](id paneID, name string, keyOf func(T) string) *tablePane[T] {
	ti := textinput.New()
	ti.Prompt = "搜索："
	ti.Placeholder = "编号、标段、单位名称"
	ti.CharLimit = 100
	return &tablePane[T]{pid: id, name: name, pg: newPager(keyOf), filter: ti, rowsH: 10}
}

func (t *tablePane[T]) id() paneID { return t.pid }

// settled: no read is on its way and the search typed has been run.
func (t *tablePane[T]) settled() bool {
	return !t.pg.loading && t.pg.counted == t.pg.gen && strings.TrimSpace(t.filter.Value()) == t.q.filter && !t.toEnd
}
func (t *tablePane[T]) title() string { return t.name }
func (t *tablePane[T]) typing() bool  { return t.filtering }

func (t *tablePane[T]) selection() *common.Selection {
	if r, ok := t.pg.selected(); ok && t.sel != nil {
		return t.sel(r)
	}
	return nil
}

func (t *tablePane[T]) load(pc *program.Context) tea.Cmd {
	t.pg.reset()
	return tea.Batch(t.countCmd(pc), t.windowCmd(pc, true))
}

func (t *tablePane[T]) refresh(pc *program.Context) tea.Cmd {
	t.pg.invalidate()
	return tea.Batch(t.countCmd(pc), t.windowCmd(pc, true))
}

func (t *tablePane[T]) countCmd(pc *program.Context) tea.Cmd {
	if t.count == nil {
		t.pg.counted = t.pg.gen
		return nil
	}
	q, gen, ctx, pid, db := t.q, t.pg.gen, pc.Ctx, t.pid, pc.Store
	count := t.count
	return func() tea.Msg {
		n, err := count(ctx, db, q)
		return countMsg{pane: pid, gen: gen, n: n, err: err}
	}
}

// windowCmd reads the rows the screen needs; force re-reads them even if
// they are held.
func (t *tablePane[T]) windowCmd(pc *program.Context, force bool) tea.Cmd {
	a, b, ok := t.pg.need(t.rowsH)
	if !ok && !force {
		return nil
	}
	if !ok {
		mg := margin(t.rowsH)
		a, b = max(0, t.pg.top-mg), t.pg.top+t.rowsH+mg
	}
	return t.pg.load(pc.Ctx, t.pid, t.fetch(pc.Store, t.q), a, b)
}

func (t *tablePane[T]) msg(pc *program.Context, msg paneMsg) tea.Cmd {
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
			return t.windowCmd(pc, false)
		}
	case countMsg:
		if t.pg.applyCount(msg, t.rowsH) {
			if msg.err != nil {
				pc.Errorf("读取%s失败：%v", t.name, msg.err)
				return nil
			}
			return t.windowCmd(pc, false)
		}
	case filterTickMsg:
		if msg.seq == t.filterSeq && strings.TrimSpace(t.filter.Value()) != t.q.filter {
			t.q.filter = strings.TrimSpace(t.filter.Value())
			return t.load(pc)
		}
	}
	return nil
}

func (t *tablePane[T]) key(pc *program.Context, k tea.KeyMsg) (tea.Cmd, bool) {
	km := pc.Keys
	if t.filtering {
		switch k.String() {
		case "enter", "esc":
			t.filtering = false
			t.filter.Blur()
			if v := strings.TrimSpace(t.filter.Value()); v != t.q.filter {
				t.q.filter = v
				return t.load(pc), true
			}
			return nil, true
		}
		before := t.filter.Value()
		var cmd tea.Cmd
		t.filter, cmd = t.filter.Update(k)
		if t.filter.Value() != before {
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
			return t.pg.load(pc.Ctx, t.pid, t.fetch(pc.Store, t.q), far, far+1), true
		}
		t.pg.moveTo(t.pg.bound()-1, h)
	case key.Matches(k, km.Filter):
		t.filtering = true
		t.filter.CursorEnd()
		return t.filter.Focus(), true
	case key.Matches(k, km.QuickView):
		if len(t.views) < 2 {
			pc.Info("%s没有其他范围", t.name)
			return nil, true
		}
		t.q.view = (t.q.view + 1) % len(t.views)
		pc.Info("%s：%s", t.name, t.views[t.q.view])
		return t.load(pc), true
	case key.Matches(k, km.Sort):
		if len(t.sorts) < 2 {
			if len(t.sorts) == 1 {
				pc.Info("%s按%s排列", t.name, t.sorts[0])
			}
			return nil, true
		}
		t.q.sort = (t.q.sort + 1) % len(t.sorts)
		pc.Info("%s按%s排列", t.name, t.sorts[t.q.sort])
		return t.load(pc), true
	case key.Matches(k, km.Back):
		if t.q.filter != "" {
			t.q.filter = ""
			t.filter.SetValue("")
			return t.load(pc), true
		}
		return nil, false
	default:
		return nil, false
	}
	return t.windowCmd(pc, false), true
}

func (t *tablePane[T]) helpKeys(pc *program.Context) []key.Binding {
	km := pc.Keys
	if t.filtering {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "完成搜索")),
		}
	}
	b := []key.Binding{km.Open, km.Filter}
	if len(t.views) > 1 {
		b = append(b, km.QuickView)
	}
	if len(t.sorts) > 1 {
		b = append(b, km.Sort)
	}
	if t.ledgerOf != nil {
		b = append(b, km.Export)
	}
	return b
}

// header is the line above the table: counts, range, sort, search.
func (t *tablePane[T]) header(w int) string {
	if t.filtering {
		return t.filter.View()
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
	if len(t.views) > 0 {
		parts = append(parts, "范围："+t.views[t.q.view])
	}
	if len(t.sorts) > 0 {
		parts = append(parts, "排序："+t.sorts[t.q.sort])
	}
	if t.q.filter != "" {
		parts = append(parts, "搜索："+common.Clean(t.q.filter))
	}
	if t.pg.loading {
		parts = append(parts, common.StyleDim.Render("读取中"))
	}
	return strings.Join(parts, "  ")
}

func (t *tablePane[T]) resize(w, h int) {
	t.rowsH = max(h-2, 1)
	t.filter.Width = max(w-common.TextWidth(t.filter.Prompt)-2, 10)
	t.pg.scroll(t.rowsH)
}

func (t *tablePane[T]) view(pc *program.Context, w, h int) string {
	var b strings.Builder
	b.WriteString(t.header(w))
	b.WriteByte('\n')

	idx, widths := layout(t.widened(pc), w)
	var hdr strings.Builder
	hdr.WriteString("  ")
	for j, ci := range idx {
		if j > 0 {
			hdr.WriteByte(' ')
		}
		c := t.cols[ci]
		if c.right {
			hdr.WriteString(common.FitRight(c.title, widths[j]))
		} else {
			hdr.WriteString(common.Fit(c.title, widths[j]))
		}
	}
	b.WriteString(common.StyleHeader.Render(strings.TrimRight(hdr.String(), " ")))

	n := t.pg.bound()
	if n == 0 && !t.pg.loading && t.pg.err == nil {
		b.WriteString("\n  ")
		e := t.empty
		if t.q.filter != "" {
			e = "没有符合搜索的记录"
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
		isNew := t.isNew != nil && t.isNew(pc, r)
		if isNew {
			mark = "* "
		}
		alert := t.alert != nil && t.alert(pc, r) != ""
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
			c := t.cols[ci]
			cl := c.cell(pc, r)
			s := common.Fit(cl.Text, widths[j])
			if c.right {
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
