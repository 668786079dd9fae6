// Package detail is the detail view: every field a record holds, its files
// and what the desk knows around it. The actions it offers are the desk's
// (Desk); what it shows is read by build.go.
package detail

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"baohan/platform"
	"baohan/ui/common"
	"baohan/ui/program"
)

// View shows every field a record holds, its files, and what the
// desk knows around it (guarantees of an order, revocations and claims of a
// guarantee, the log lines about it). The cursor moves over values and
// files: c copies the value, o opens a stored file, d fetches a platform
// file (4.1). The record's actions work here as in the lists.
type View struct {
	// desk runs the record's actions and the file operations.
	desk    Desk
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

// File is a file a record refers to.
type File struct {
	Name   string
	SHA    string // SHA-256 of the stored copy, "" if none
	Size   int64
	Stored bool   // the store holds it
	FileID string // the platform's file_id, for 4.1
	URL    string // the URL the platform sent (expires after 2 hours)
	Failed string // the last download failed (and is retried): why
	Prog   string // being downloaded: the bar
}

// dline is one line of a detail view.
type dline struct {
	section string // a heading when set
	label   string
	value   string
	style   lipgloss.Style
	styled  bool
	copy    string // what c copies ("" = value)
	file    *File
	pre     bool // a line of preformatted text (JSON), shown as is
	// hang, for a table's row (pre): where its last column starts; a row
	// wider than the screen wraps in that column.
	hang int
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

func (m detailMsg) OverlayID() int { return m.oid }

var _ program.OverlayMsg = detailMsg{}

// Desk is what the detail view asks of the desk: the record's actions and
// the files.
type Desk interface {
	// Downloaded are the platform files downloaded while the desk ran.
	Downloaded() map[string]Downloaded
	// Copy puts a value on the clipboard.
	Copy(label, value string) tea.Cmd
	// Open opens a stored file in the system's viewer.
	Open(f File) tea.Cmd
	// Download fetches a platform file (4.1) into the store.
	Download(f File) tea.Cmd
	// RecordKey runs the action a key names on the record.
	RecordKey(k tea.KeyMsg, s *common.Selection) tea.Cmd
	// ActionKeys are the action keys of the record (help bar).
	ActionKeys(s *common.Selection) []key.Binding
}

// New is the detail view of s (it is pushed on the overlay stack).
func New(pc *program.Context, desk Desk, s common.Selection) *View {
	return &View{desk: desk, oid: pc.NextID(), asked: s, head: s.KindName() + " " + s.Key}
}

func (v *View) ID() int       { return v.oid }
func (v *View) Title() string { return v.head }
func (v *View) Typing() bool  { return false }
func (v *View) Busy() bool    { return v.loading }

// Opening: the record is being read; the keys after the one that opened
// the view wait for it (program.Opener).
func (v *View) Opening() bool { return v.loading }

func (v *View) Init(pc *program.Context) tea.Cmd {
	return v.Reload(pc)
}

// Reload reads the record again.
func (v *View) Reload(pc *program.Context) tea.Cmd {
	v.gen++
	v.loading = true
	gen, oid, s, db, ctx := v.gen, v.oid, v.asked, pc.Store, pc.Ctx
	files := v.desk.Downloaded()
	return func() tea.Msg {
		rec, head, lines, err := buildDetail(ctx, db, s, files)
		return detailMsg{oid: oid, gen: gen, rec: rec, head: head, lines: lines, err: err}
	}
}

func (v *View) Resize(pc *program.Context, w, h int) {
	v.w, v.h = w, h
	v.measure()
}

const detailLabelW = 18

func (v *View) valueWidth() int { return max(v.w-detailLabelW-4, 10) }

func (v *View) measure() {
	v.heights = make([]int, len(v.lines))
	for i, d := range v.lines {
		v.heights[i] = len(v.render(i, d, false))
	}
	v.keepVisible()
}

// render draws one dline as display lines.
func (v *View) render(i int, d dline, selected bool) []string {
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
		// Wrapped, never cut: what the platform sent is read in full.
		if w := v.w - 2 - d.hang; d.hang > 0 && w >= 12 && common.TextWidth(d.value) > v.w-2 {
			head, tail := cutCells(d.value, d.hang)
			wrapped := common.Wrap(tail, w)
			out := make([]string, len(wrapped))
			for j, l := range wrapped {
				if j == 0 {
					out[j] = mark + head + l
				} else {
					out[j] = "  " + strings.Repeat(" ", d.hang) + l
				}
			}
			return out
		}
		wrapped := common.Wrap(d.value, max(v.w-4, 10))
		out := make([]string, len(wrapped))
		for j, l := range wrapped {
			if j == 0 {
				out[j] = mark + l
			} else {
				out[j] = "    " + l
			}
		}
		return out
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
		if p, ok := v.inflight[f.FileID]; ok && f.FileID != "" && !f.Stored {
			f.Prog = ProgressText(p)
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

// cutCells splits s after its first n cells.
func cutCells(s string, n int) (string, string) {
	w := 0
	for i, r := range s {
		if w >= n {
			return s[:i], s[i:]
		}
		w += common.TextWidth(string(r))
	}
	return s, ""
}

func fileText(f *File) string {
	var parts []string
	parts = append(parts, f.Name)
	if f.FileID != "" {
		parts = append(parts, "(file_id "+f.FileID+")")
	}
	if f.Size > 0 {
		parts = append(parts, common.Size(f.Size))
	}
	switch {
	case f.Stored:
		parts = append(parts, "[已存，o 打开]")
	case f.Prog != "":
		parts = append(parts, f.Prog)
	case f.Failed != "":
		parts = append(parts, "[下载失败，将自动重试；也可按 d 获取并下载："+f.Failed+"]")
	case f.FileID != "":
		parts = append(parts, "[未下载，d 获取并下载]")
	case f.SHA != "":
		parts = append(parts, "[本地没有此文件]")
	}
	if f.SHA != "" {
		parts = append(parts, "SHA-256 "+f.SHA)
	}
	return strings.Join(parts, "  ")
}

// lineOf is the display line where dline i starts.
func (v *View) lineOf(i int) int {
	n := 0
	for j := 0; j < i && j < len(v.heights); j++ {
		n += v.heights[j]
	}
	return n
}

func (v *View) totalLines() int { return v.lineOf(len(v.heights)) }

// bodyH is the lines on screen below the heading.
func (v *View) bodyH() int { return max(v.h-1, 1) }

func (v *View) keepVisible() {
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

func (v *View) step(n int) {
	v.cur = common.Step(v.cur, n, len(v.lines), func(j int) bool { return v.lines[j].selectable() })
	v.keepVisible()
	if v.cur == v.firstSelectable() {
		v.off = 0
	}
}

func (v *View) firstSelectable() int {
	for i, d := range v.lines {
		if d.selectable() {
			return i
		}
	}
	return 0
}

func (v *View) current() *dline {
	if v.cur >= 0 && v.cur < len(v.lines) && v.lines[v.cur].selectable() {
		return &v.lines[v.cur]
	}
	return nil
}

func (v *View) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
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
		return v.key(pc, msg)
	}
	return nil
}

func (v *View) key(pc *program.Context, k tea.KeyMsg) tea.Cmd {
	km := pc.Keys
	switch {
	case key.Matches(k, km.Back):
		pc.Pop()
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
			val = d.file.SHA
		}
		return v.desk.Copy(d.label, val)
	case key.Matches(k, km.OpenFile):
		d := v.current()
		if d == nil || d.file == nil {
			pc.Info("把光标移到一个文件上再按 o 打开")
			return nil
		}
		return v.desk.Open(*d.file)
	case key.Matches(k, km.Download):
		d := v.current()
		if d == nil || d.file == nil || d.file.FileID == "" {
			pc.Info("把光标移到平台的文件（签署文件或附件）上再按 d 获取并下载")
			return nil
		}
		return v.desk.Download(*d.file)
	case key.Matches(k, km.Reload):
		return v.Reload(pc)
	default:
		if v.rec == nil {
			return nil
		}
		return v.desk.RecordKey(k, v.rec)
	}
	return nil
}

func (v *View) Help(pc *program.Context) []key.Binding {
	km := pc.Keys
	b := []key.Binding{km.Back, km.Copy}
	if d := v.current(); d != nil && d.file != nil {
		if d.file.Stored {
			b = append(b, km.OpenFile)
		}
		if d.file.FileID != "" {
			b = append(b, km.Download)
		}
	}
	return append(b, v.desk.ActionKeys(v.rec)...)
}

func (v *View) View(pc *program.Context, w, h int) string {
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

// Asked is the record the view was opened on.
func (v *View) Asked() common.Selection { return v.asked }

// Sections are the view's section headings (tests read them).
func (v *View) Sections() []string {
	var out []string
	for _, l := range v.lines {
		if l.section != "" {
			out = append(out, l.section)
		}
	}
	return out
}

// Files are the files the view lists.
func (v *View) Files() []File {
	var out []File
	for _, l := range v.lines {
		if l.file != nil {
			out = append(out, *l.file)
		}
	}
	return out
}

// Board shows the downloads in progress, and reads the record again when a
// file's download has just ended (it came, or failed).
func (v *View) Board(pc *program.Context, files map[string]platform.FileProgress) tea.Cmd {
	ended := false
	for _, l := range v.lines {
		if l.file != nil && l.file.FileID != "" {
			_, was := v.inflight[l.file.FileID]
			_, is := files[l.file.FileID]
			ended = ended || (was && !is)
		}
	}
	v.inflight = files
	if v.w > 0 {
		v.measure()
	}
	if ended {
		return v.Reload(pc)
	}
	return nil
}
