// Package help is the desk's help: the help bar under the status bar (the
// keys that apply now) and the help page (?) with every key.
package help

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"baohan/ui/common"
	"baohan/ui/program"
)

// Bar is the help bar: the keys b (each key once), cut to the screen's
// width, with "? 全部按键  q 退出" always at the right.
func Bar(pc *program.Context, b []key.Binding) string {
	seen := map[string]bool{}
	out := make([]key.Binding, 0, len(b))
	for _, k := range b {
		if h := k.Help().Key; !seen[h] {
			seen[h] = true
			out = append(out, k)
		}
	}
	tail := shortHelp([]key.Binding{pc.Keys.Help, pc.Keys.Quit}, pc.Width)
	head := shortHelp(out, pc.Width-common.TextWidth(tail)-2)
	return common.PadStyled(head, pc.Width-common.TextWidth(tail)) + tail
}

// shortHelp is "key desc  key desc ..." cut to w cells, ending with an
// ellipsis when bindings were left out.
func shortHelp(b []key.Binding, w int) string {
	var items []string
	for _, k := range b {
		if k.Enabled() {
			items = append(items, k.Help().Key+" "+k.Help().Desc)
		}
	}
	all := strings.Join(items, "  ")
	if common.TextWidth(all) <= w {
		return all
	}
	e := "  " + common.Glyphs().Ellipsis
	var out string
	for _, it := range items {
		next := it
		if out != "" {
			next = out + "  " + it
		}
		if common.TextWidth(next)+common.TextWidth(e) > w {
			break
		}
		out = next
	}
	return out + e
}

// Page is the help page: every key, in groups, in as many columns as fit.
type Page struct {
	oid   int
	lines []string
	off   int
	h     int
}

// New is the help page (it is pushed on the overlay stack).
func New(pc *program.Context) *Page {
	return &Page{oid: pc.NextID()}
}

func (v *Page) ID() int                          { return v.oid }
func (v *Page) Title() string                    { return "全部按键" }
func (v *Page) Init(pc *program.Context) tea.Cmd { return nil }
func (v *Page) Typing() bool                     { return false }
func (v *Page) Busy() bool                       { return false }
func (v *Page) Help(pc *program.Context) []key.Binding {
	return []key.Binding{pc.Keys.Back, pc.Keys.Up, pc.Keys.Down}
}
func (v *Page) Resize(pc *program.Context, w, h int) {
	v.h = h
	v.lines = helpLines(pc, w)
}
func (v *Page) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	// The last line of a scrolled page says where it is: h-1 lines show.
	last := max(len(v.lines)-(v.h-1), 0)
	switch {
	case key.Matches(k, pc.Keys.Back), key.Matches(k, pc.Keys.Help):
		pc.Pop()
	case key.Matches(k, pc.Keys.Down):
		v.off = min(v.off+1, last)
	case key.Matches(k, pc.Keys.Up):
		v.off = max(v.off-1, 0)
	case key.Matches(k, pc.Keys.PageDown):
		v.off = min(v.off+v.h-1, last)
	case key.Matches(k, pc.Keys.PageUp):
		v.off = max(v.off-(v.h-1), 0)
	case key.Matches(k, pc.Keys.Top):
		v.off = 0
	case key.Matches(k, pc.Keys.Bottom):
		v.off = last
	}
	return nil
}

// View shows a screenful of the help from off, with where it is when the
// page is taller than the screen (80x24 shows about half).
func (v *Page) View(pc *program.Context, w, h int) string {
	if len(v.lines) <= h {
		v.off = 0
		return strings.Join(v.lines, "\n")
	}
	v.off = min(v.off, len(v.lines)-h+1)
	end := min(v.off+h-1, len(v.lines))
	out := append([]string{}, v.lines[v.off:end]...)
	more := "，j/down pgdn 向下"
	if end >= len(v.lines) {
		more = "，已到底"
	}
	out = append(out, common.StyleDim.Render(common.Truncate(fmt.Sprintf("（第 %d-%d 行/共 %d 行%s）", v.off+1, end, len(v.lines), more), w)))
	return strings.Join(out, "\n")
}

func helpLines(pc *program.Context, w int) []string {
	km := pc.Keys
	groups := []struct {
		title string
		b     []key.Binding
	}{
		{"页签（1-6 在详情中也可用）", append([]key.Binding{km.NextPane, km.PrevPane}, km.Pane[:]...)},
		{"移动与查看", []key.Binding{km.Up, km.Down, km.PageUp, km.PageDown, km.Top, km.Bottom, km.Open, km.Back}},
		{"列表", []key.Binding{km.Filter, km.QuickView,
			key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "排序（订单页签）")),
			key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "导出台账（按范围和搜索）")), km.Reload}},
		{"发往平台（先填表，确认后发送）", []key.Binding{km.Notify, km.Push, km.Issue, km.Cancel, km.Fetch, km.Release, km.ClaimResult, km.Reconcile}},
		{"暂存回调（待办中，按两次）", []key.Binding{km.HeldAccept, km.HeldDismiss}},
		{"文件与复制", []key.Binding{km.Download, km.OpenFile, km.Copy}},
		{"表单（enter 只换项，不发送）", []key.Binding{km.NextField, km.PrevField, km.Submit, km.Browse, km.Toggle, km.Confirm, km.Force, km.Deny}},
		{"其他", []key.Binding{km.Help, km.Quit, km.ForceQuit}},
	}
	var blocks [][]string
	for _, g := range groups {
		lines := []string{common.StyleSection.Render(g.title)}
		for _, b := range g.b {
			h := b.Help()
			lines = append(lines, "  "+common.StyleBold.Render(common.Fit(h.Key, 11))+" "+h.Desc)
		}
		blocks = append(blocks, append(lines, ""))
	}
	blocks = append(blocks, []string{
		common.StyleSection.Render("标记"),
		"  >  当前行",
		"  *  新到的订单或理赔（响铃）",
		"  !  距投标截止不到24小时（行标红，响铃；",
		"     不到2小时再响铃），或已截止",
	})
	// As many columns of about 40 cells as fit, blocks kept whole, filled
	// top to bottom.
	cols := max(1, min(3, w/40))
	columns := balance(blocks, cols)
	cw := w / cols
	var out []string
	for i := 0; ; i++ {
		more := false
		var line strings.Builder
		for j, col := range columns {
			cell := ""
			if i < len(col) {
				cell, more = col[i], true
			}
			if j < cols-1 {
				cell = common.PadStyled(common.CutStyled(cell, cw-1), cw)
			}
			line.WriteString(cell)
		}
		if !more {
			break
		}
		out = append(out, strings.TrimRight(line.String(), " "))
	}
	return out
}

// balance splits blocks, in order, into n columns with the tallest column
// as short as it can be.
func balance(blocks [][]string, n int) [][]string {
	if n <= 1 || len(blocks) <= 1 {
		var one []string
		for _, b := range blocks {
			one = append(one, b...)
		}
		return [][]string{one}
	}
	best, bestH := [][]string(nil), -1
	for cut := 1; cut <= len(blocks)-n+1; cut++ {
		var first []string
		for _, b := range blocks[:cut] {
			first = append(first, b...)
		}
		rest := balance(blocks[cut:], n-1)
		h := len(first)
		for _, c := range rest {
			h = max(h, len(c))
		}
		if bestH < 0 || h < bestH {
			best, bestH = append([][]string{first}, rest...), h
		}
	}
	return best
}
