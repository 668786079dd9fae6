package ui

import (
	"baohan/ui/common"
	"baohan/ui/program"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"baohan/platform"
)

// detailView shows every field a record holds, its files, and what the
// desk knows around it (guarantees of an order, revocations and claims of a
// guarantee, the log lines about it). The cursor moves over values and
// files: c copies the value, o opens a stored file, d fetches a platform
// file (4.1). The record's actions work here as in the lists.
type detailView struct {
	// root is the desk this overlay acts for (its actions and files are
	// still the root model's).
	root    *Model
	oid     int
	asked   common.Selection  // what was opened
	rec     *common.Selection // the record as last read
	head    string
	lines   []dline
	heights []int // display lines of each dline at the current width
	cur     int   // selected dline
	off     int   // first display line on screen
	loading bool
	err     error
	gen     int
	w, h    int
	// inflight are the platform files being downloaded (FileBoard).
	inflight map[string]platform.FileProgress
}

// fileRef is a file a record refers to.
type fileRef struct {
	name   string
	sha    string // SHA-256 of the stored copy, "" if none
	size   int64
	stored bool   // the store holds it
	fileID string // the platform's file_id, for 4.1
	url    string // the URL the platform sent (expires after 2 hours)
	failed string // the last download failed (and is retried): why
	prog   string // being downloaded: the bar
}

// dline is one line of a detail view.
type dline struct {
	section string // a heading when set
	label   string
	value   string
	style   lipgloss.Style
	styled  bool
	copy    string // what c copies ("" = value)
	file    *fileRef
	pre     bool // a line of preformatted text (JSON), shown as is
}

func (d dline) selectable() bool { return d.section == "" }

// detailMsg carries a record read for a detail view.
type detailMsg struct {
	oid   int
	gen   int
	rec   *common.Selection
	head  string
	lines []dline
	err   error
}

func (m detailMsg) overlayID() int { return m.oid }

func newDetail(m *Model, s common.Selection) *detailView {
	return &detailView{root: m, oid: m.pc.NextID(), asked: s, head: s.KindName() + " " + s.Key}
}

func (v *detailView) ID() int       { return v.oid }
func (v *detailView) Title() string { return v.head }
func (v *detailView) Typing() bool  { return false }
func (v *detailView) Busy() bool    { return v.loading }

func (v *detailView) Init(pc *program.Context) tea.Cmd {
	m := v.root
	return v.reload(m)
}

// reload reads the record again.
func (v *detailView) reload(m *Model) tea.Cmd {
	v.gen++
	v.loading = true
	gen, oid, s, db, ctx := v.gen, v.oid, v.asked, m.pc.Store, m.pc.Ctx
	files := m.fileSnapshot()
	return func() tea.Msg {
		rec, head, lines, err := buildDetail(ctx, db, s, files)
		return detailMsg{oid: oid, gen: gen, rec: rec, head: head, lines: lines, err: err}
	}
}

func (v *detailView) Resize(pc *program.Context, w, h int) {
	v.w, v.h = w, h
	v.measure()
}

const detailLabelW = 18

func (v *detailView) valueWidth() int { return max(v.w-detailLabelW-4, 10) }

func (v *detailView) measure() {
	v.heights = make([]int, len(v.lines))
	for i, d := range v.lines {
		v.heights[i] = len(v.render(i, d, false))
	}
	v.keepVisible()
}

// render draws one dline as display lines.
func (v *detailView) render(i int, d dline, selected bool) []string {
	switch {
	case d.section != "":
		out := []string{common.StyleSection.Render(common.Truncate(d.section, v.w))}
		if i > 0 {
			out = append([]string{""}, out...)
		}
		return out
	case d.pre:
		mark := "  "
		if selected {
			mark = "> "
		}
		return []string{mark + common.Truncate(d.value, v.w-2)}
	}
	mark := "  "
	if selected {
		mark = "> "
	}
	label := common.Fit(d.label, detailLabelW)
	if selected {
		label = common.StyleSelected.Render(label)
	} else {
		label = common.StyleLabel.Render(label)
	}
	val := d.value
	if d.file != nil {
		f := *d.file
		if p, ok := v.inflight[f.fileID]; ok && f.fileID != "" && !f.stored {
			f.prog = progressText(p)
		}
		val = fileText(&f)
	}
	wrapped := common.Wrap(val, v.valueWidth())
	out := make([]string, len(wrapped))
	for j, l := range wrapped {
		if d.styled {
			l = d.style.Render(l)
		}
		if j == 0 {
			out[j] = mark + label + "  " + l
		} else {
			out[j] = strings.Repeat(" ", detailLabelW+4) + l
		}
	}
	return out
}

func fileText(f *fileRef) string {
	var parts []string
	parts = append(parts, f.name)
	if f.fileID != "" {
		parts = append(parts, "(file_id "+f.fileID+")")
	}
	if f.size > 0 {
		parts = append(parts, common.Size(f.size))
	}
	switch {
	case f.stored:
		parts = append(parts, "[已存，o 打开]")
	case f.prog != "":
		parts = append(parts, f.prog)
	case f.failed != "":
		parts = append(parts, "[下载失败，将自动重试；也可按 d 获取并下载："+f.failed+"]")
	case f.fileID != "":
		parts = append(parts, "[未下载，d 获取并下载]")
	case f.sha != "":
		parts = append(parts, "[本地没有此文件]")
	}
	if f.sha != "" {
		parts = append(parts, "SHA-256 "+f.sha)
	}
	return strings.Join(parts, "  ")
}

// lineOf is the display line where dline i starts.
func (v *detailView) lineOf(i int) int {
	n := 0
	for j := 0; j < i && j < len(v.heights); j++ {
		n += v.heights[j]
	}
	return n
}

func (v *detailView) totalLines() int { return v.lineOf(len(v.heights)) }

// bodyH is the lines on screen below the heading.
func (v *detailView) bodyH() int { return max(v.h-1, 1) }

func (v *detailView) keepVisible() {
	if v.cur < 0 || v.cur >= len(v.lines) {
		return
	}
	start := v.lineOf(v.cur)
	end := start + v.heights[v.cur]
	if start < v.off {
		v.off = start
		// Show the heading just above.
		if v.cur > 0 && v.lines[v.cur-1].section != "" {
			v.off = v.lineOf(v.cur - 1)
		}
	}
	if end > v.off+v.bodyH() {
		v.off = end - v.bodyH()
	}
	v.off = max(min(v.off, v.totalLines()-v.bodyH()), 0)
}

func (v *detailView) step(n int) {
	v.cur = common.Step(v.cur, n, len(v.lines), func(j int) bool { return v.lines[j].selectable() })
	v.keepVisible()
	if v.cur == v.firstSelectable() {
		v.off = 0
	}
}

func (v *detailView) firstSelectable() int {
	for i, d := range v.lines {
		if d.selectable() {
			return i
		}
	}
	return 0
}

func (v *detailView) current() *dline {
	if v.cur >= 0 && v.cur < len(v.lines) && v.lines[v.cur].selectable() {
		return &v.lines[v.cur]
	}
	return nil
}

func (v *detailView) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	m := v.root
	switch msg := msg.(type) {
	case detailMsg:
		if msg.gen != v.gen {
			return nil
		}
		v.loading = false
		v.err = msg.err
		if msg.err != nil {
			return nil
		}
		// Keep the cursor on the same label across a reload.
		var curKey string
		if d := v.current(); d != nil {
			curKey = d.label + "\x00" + d.section
		}
		v.rec, v.lines = msg.rec, msg.lines
		if msg.head != "" {
			v.head = msg.head
		}
		v.cur = v.firstSelectable()
		if curKey != "" {
			for i, d := range v.lines {
				if d.label+"\x00"+d.section == curKey && d.selectable() {
					v.cur = i
					break
				}
			}
		}
		v.measure()
		return nil
	case tea.KeyMsg:
		return v.key(m, msg)
	}
	return nil
}

func (v *detailView) key(m *Model, k tea.KeyMsg) tea.Cmd {
	km := m.pc.Keys
	switch {
	case key.Matches(k, km.Back):
		m.pc.Pop()
		return nil
	case key.Matches(k, km.Up):
		v.step(-1)
	case key.Matches(k, km.Down):
		v.step(1)
	case key.Matches(k, km.PageDown):
		v.step(max(v.bodyH()/2, 1))
	case key.Matches(k, km.PageUp):
		v.step(-max(v.bodyH()/2, 1))
	case key.Matches(k, km.Top):
		v.step(-len(v.lines))
	case key.Matches(k, km.Bottom):
		v.step(len(v.lines))
	case key.Matches(k, km.Copy):
		d := v.current()
		if d == nil {
			return nil
		}
		val := d.copy
		if val == "" {
			val = d.value
		}
		if d.file != nil && val == "" {
			val = d.file.sha
		}
		return m.copyValue(d.label, val)
	case key.Matches(k, km.OpenFile):
		d := v.current()
		if d == nil || d.file == nil {
			m.pc.Info("把光标移到一个文件上再按 o 打开")
			return nil
		}
		return m.openFile(*d.file)
	case key.Matches(k, km.Download):
		d := v.current()
		if d == nil || d.file == nil || d.file.fileID == "" {
			m.pc.Info("把光标移到平台的文件（签署文件或附件）上再按 d 获取并下载")
			return nil
		}
		return m.startDownload(*d.file, v)
	case key.Matches(k, km.Reload):
		return v.reload(m)
	default:
		if v.rec == nil {
			return nil
		}
		return m.recordKey(k, v.rec, v)
	}
	return nil
}

func (v *detailView) Help(pc *program.Context) []key.Binding {
	m := v.root
	km := pc.Keys
	b := []key.Binding{km.Back, km.Copy}
	if d := v.current(); d != nil && d.file != nil {
		if d.file.stored {
			b = append(b, km.OpenFile)
		}
		if d.file.fileID != "" {
			b = append(b, km.Download)
		}
	}
	return append(b, m.actionKeys(v.rec)...)
}

func (v *detailView) View(pc *program.Context, w, h int) string {
	var b strings.Builder
	head := common.StyleBold.Render(common.Clean(v.head))
	if total := v.totalLines(); total > v.bodyH() {
		head += common.StyleDim.Render(fmt.Sprintf("  第 %d-%d 行/共 %d 行", v.off+1, min(v.off+v.bodyH(), total), total))
	}
	if v.loading {
		head += " " + pc.Spinner.View()
	}
	b.WriteString(head)
	if v.err != nil {
		b.WriteString("\n" + common.StyleErr.Render(common.Truncate("读取失败："+common.Clean(v.err.Error()), w)))
		return b.String()
	}
	var out []string
	for i, d := range v.lines {
		out = append(out, v.render(i, d, i == v.cur)...)
	}
	end := min(v.off+v.bodyH(), len(out))
	if v.off < end {
		b.WriteString("\n" + strings.Join(out[v.off:end], "\n"))
	}
	return b.String()
}
