// Package form is the action forms' fields (text, choice, switch, ticks,
// file with a picker) and the form that moves between them.
package form

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/filepicker"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"baohan/ui/common"
	"baohan/ui/program"
)

// A form is the fields of an action: text (bubbles/textinput), a choice
// (bubbles/list), a switch, a check list, and a file path with a picker
// (bubbles/filepicker). tab / shift+tab move between fields, enter moves on
// and on the last field goes to the confirmation.

const LabelW = 16

type Field interface {
	Name() string
	Label() string
	Hint() string
	// Lines draws the field; focused fields may take more room.
	Lines(pc *program.Context, focused bool, w int) []string
	Update(pc *program.Context, msg tea.Msg) tea.Cmd
	Focus() tea.Cmd
	Blur()
	Value() string
	// Owns tells whether the field uses this key itself (moving in a list).
	Owns(k tea.KeyMsg) bool
	Typing() bool
}

func fieldHead(label string, focused bool) string {
	mark := "  "
	l := common.Fit(label, LabelW)
	if focused {
		mark = "> "
		l = common.StyleSelected.Render(l)
	} else {
		l = common.StyleLabel.Render(l)
	}
	return mark + l + "  "
}

// ---- text ----

// TextField is a line of text.
type TextField struct {
	key, lbl, hnt string
	// Input is the text input (its placeholder, echo mode).
	Input textinput.Model
}

func NewTextField(name, label, hint, placeholder, value string) *TextField {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = 500
	in.SetValue(value)
	in.Cursor.SetMode(cursor.CursorStatic)
	return &TextField{key: name, lbl: label, hnt: hint, Input: in}
}

// SetValue fills the field in.
func (f *TextField) SetValue(v string) { f.Input.SetValue(v) }

func (f *TextField) Name() string           { return f.key }
func (f *TextField) Label() string          { return f.lbl }
func (f *TextField) Hint() string           { return f.hnt }
func (f *TextField) Value() string          { return strings.TrimSpace(f.Input.Value()) }
func (f *TextField) Focus() tea.Cmd         { return f.Input.Focus() }
func (f *TextField) Blur()                  { f.Input.Blur() }
func (f *TextField) Owns(k tea.KeyMsg) bool { return false }
func (f *TextField) Typing() bool           { return true }

func (f *TextField) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.Input, cmd = f.Input.Update(msg)
	return cmd
}

func (f *TextField) Lines(pc *program.Context, focused bool, w int) []string {
	f.Input.Width = max(w-LabelW-6, 10)
	v := f.Input.View()
	if !focused {
		if f.Input.Value() == "" {
			v = common.StyleDim.Render(common.Truncate(f.Input.Placeholder, f.Input.Width))
		} else {
			v = common.Truncate(common.Clean(f.Input.Value()), f.Input.Width)
		}
	}
	return []string{fieldHead(f.lbl, focused) + v}
}

// ---- choice ----

type Choice struct {
	Code, Text string
}

func (c Choice) FilterValue() string { return c.Text }

type choiceDelegate struct{}

func (choiceDelegate) Height() int                         { return 1 }
func (choiceDelegate) Spacing() int                        { return 0 }
func (choiceDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }
func (choiceDelegate) Render(w io.Writer, m list.Model, index int, it list.Item) {
	c := it.(Choice)
	line := common.Fit(c.Text, max(m.Width()-2, 4))
	if index == m.Index() {
		fmt.Fprint(w, "> "+common.StyleSelected.Render(line))
		return
	}
	fmt.Fprint(w, "  "+line)
}

type ChoiceField struct {
	key, lbl, hnt string
	l             list.Model
	n             int
}

func NewChoiceField(name, label, hint string, choices []Choice, selected int) *ChoiceField {
	items := make([]list.Item, len(choices))
	for i, c := range choices {
		items[i] = c
	}
	l := list.New(items, choiceDelegate{}, 40, len(choices))
	l.SetShowTitle(false)
	l.SetShowStatusBar(false)
	l.SetShowHelp(false)
	l.SetShowPagination(false)
	l.SetShowFilter(false)
	l.SetFilteringEnabled(false)
	l.DisableQuitKeybindings()
	l.InfiniteScrolling = false
	l.Select(selected)
	return &ChoiceField{key: name, lbl: label, hnt: hint, l: l, n: len(choices)}
}

func (f *ChoiceField) Name() string   { return f.key }
func (f *ChoiceField) Label() string  { return f.lbl }
func (f *ChoiceField) Hint() string   { return f.hnt }
func (f *ChoiceField) Focus() tea.Cmd { return nil }
func (f *ChoiceField) Blur()          {}
func (f *ChoiceField) Typing() bool   { return false }

// Selected is the choice under the cursor.
func (f *ChoiceField) Selected() Choice {
	if c, ok := f.l.SelectedItem().(Choice); ok {
		return c
	}
	return Choice{}
}

func (f *ChoiceField) Value() string { return f.Selected().Code }

func (f *ChoiceField) Owns(k tea.KeyMsg) bool {
	switch k.String() {
	case "up", "down", "k", "j", "home", "end":
		return true
	}
	return false
}

func (f *ChoiceField) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.l, cmd = f.l.Update(msg)
	return cmd
}

func (f *ChoiceField) Lines(pc *program.Context, focused bool, w int) []string {
	if !focused {
		return []string{fieldHead(f.lbl, false) + common.Clean(f.Selected().Text)}
	}
	f.l.SetSize(max(w-LabelW-4, 10), f.n)
	out := []string{fieldHead(f.lbl, true) + common.StyleDim.Render("用 上/下 选择")}
	pad := strings.Repeat(" ", LabelW+4)
	for _, l := range strings.Split(f.l.View(), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, pad+l)
	}
	return out
}

// ---- switch ----

type SwitchField struct {
	key, lbl, hnt string
	on            bool
	yes, no       string
}

func NewSwitchField(name, label, hint string) *SwitchField {
	return &SwitchField{key: name, lbl: label, hnt: hint, yes: "是", no: "否"}
}

func (f *SwitchField) Name() string   { return f.key }
func (f *SwitchField) Label() string  { return f.lbl }
func (f *SwitchField) Hint() string   { return f.hnt }
func (f *SwitchField) Focus() tea.Cmd { return nil }
func (f *SwitchField) Blur()          {}
func (f *SwitchField) Typing() bool   { return false }

func (f *SwitchField) Value() string {
	if f.on {
		return "1"
	}
	return ""
}

func (f *SwitchField) Owns(k tea.KeyMsg) bool {
	switch k.String() {
	case " ", "left", "right", "h", "l", "y", "n":
		return true
	}
	return false
}

func (f *SwitchField) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch k.String() {
		case " ", "left", "right", "h", "l":
			f.on = !f.on
		case "y":
			f.on = true
		case "n":
			f.on = false
		}
	}
	return nil
}

func (f *SwitchField) Lines(pc *program.Context, focused bool, w int) []string {
	yes, no := "( ) "+f.yes, "(*) "+f.no
	if f.on {
		yes, no = "(*) "+f.yes, "( ) "+f.no
	}
	s := no + "  " + yes
	if focused {
		s += common.StyleDim.Render("  空格切换")
	}
	return []string{fieldHead(f.lbl, focused) + s}
}

// ---- check list ----

type CheckItem struct {
	Code, Text string
	On         bool
	Disabled   string // why it cannot be chosen ("" = it can)
}

type CheckField struct {
	key, lbl, hnt string
	items         []CheckItem
	cur           int
}

func (f *CheckField) Name() string   { return f.key }
func (f *CheckField) Label() string  { return f.lbl }
func (f *CheckField) Hint() string   { return f.hnt }
func (f *CheckField) Focus() tea.Cmd { return nil }
func (f *CheckField) Blur()          {}
func (f *CheckField) Typing() bool   { return false }

// Value is the chosen codes joined by commas.
func (f *CheckField) Value() string {
	var out []string
	for _, it := range f.items {
		if it.On && it.Disabled == "" {
			out = append(out, it.Code)
		}
	}
	return strings.Join(out, ",")
}

func (f *CheckField) Owns(k tea.KeyMsg) bool {
	switch k.String() {
	case "up", "down", "k", "j", " ", "a":
		return true
	}
	return false
}

func (f *CheckField) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok || len(f.items) == 0 {
		return nil
	}
	switch k.String() {
	case "up", "k":
		f.cur = max(f.cur-1, 0)
	case "down", "j":
		f.cur = min(f.cur+1, len(f.items)-1)
	case " ":
		if f.items[f.cur].Disabled == "" {
			f.items[f.cur].On = !f.items[f.cur].On
		}
	case "a":
		all := true
		for _, it := range f.items {
			all = all && (it.On || it.Disabled != "")
		}
		for i := range f.items {
			if f.items[i].Disabled == "" {
				f.items[i].On = !all
			}
		}
	}
	return nil
}

func (f *CheckField) Lines(pc *program.Context, focused bool, w int) []string {
	n, on := 0, 0
	for _, it := range f.items {
		if it.Disabled == "" {
			n++
			if it.On {
				on++
			}
		}
	}
	head := fieldHead(f.lbl, focused) + fmt.Sprintf("已选 %d/%d", on, n)
	if focused {
		head += common.StyleDim.Render("  上/下 移动，空格 勾选，a 全选")
	}
	out := []string{head}
	pad := strings.Repeat(" ", 4)
	for i, it := range f.items {
		box := "[ ] "
		if it.On && it.Disabled == "" {
			box = "[x] "
		}
		if it.Disabled != "" {
			box = " -  "
		}
		mark := "  "
		if focused && i == f.cur {
			mark = "> "
		}
		t := it.Text
		if it.Disabled != "" {
			t += "（" + it.Disabled + "）"
		}
		line := pad + mark + box + common.Truncate(common.Clean(t), max(w-len(pad)-6, 10))
		if it.Disabled != "" {
			line = common.StyleDim.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// ---- file ----

type FileField struct {
	*TextField
	picker  filepicker.Model
	picking bool
	exts    []string
}

func NewFileField(name, label, hint, dir string, exts []string) *FileField {
	tf := NewTextField(name, label, hint, "文件路径，或按 ctrl+o 选择", "")
	fp := filepicker.New()
	fp.AllowedTypes = exts
	fp.ShowPermissions = false
	// No sizes: the picker would give a folder's directory entry size
	// (4.1kB) as if it were its content.
	fp.ShowSize = false
	fp.Styles.EmptyDirectory = fp.Styles.EmptyDirectory.SetString("此文件夹中没有可选的文件（h 返回上级）")
	fp.AutoHeight = false
	fp.SetHeight(8)
	fp.KeyMap.Back = key.NewBinding(key.WithKeys("h", "backspace", "left"), key.WithHelp("h", "上级"))
	if dir != "" {
		fp.CurrentDirectory = dir
	}
	return &FileField{TextField: tf, picker: fp, exts: exts}
}

func (f *FileField) Typing() bool { return !f.picking }

func (f *FileField) Owns(k tea.KeyMsg) bool {
	if f.picking {
		return true
	}
	return k.String() == "ctrl+o"
}

func (f *FileField) Update(pc *program.Context, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case !f.picking && k.String() == "ctrl+o":
			f.picking = true
			// Start where the typed path points (no file system access
			// here: the picker reads the folder in its own command).
			if p := f.Value(); p != "" {
				if filepath.Ext(p) == "" {
					f.picker.CurrentDirectory = p
				} else {
					f.picker.CurrentDirectory = filepath.Dir(p)
				}
			}
			return f.picker.Init()
		case f.picking && (k.String() == "esc" || k.String() == "ctrl+o"):
			f.picking = false
			return nil
		}
	}
	if !f.picking {
		if _, ok := msg.(tea.KeyMsg); ok {
			return f.TextField.Update(pc, msg)
		}
	}
	var cmd tea.Cmd
	f.picker, cmd = f.picker.Update(msg)
	if ok, path := f.picker.DidSelectFile(msg); ok {
		f.Input.SetValue(path)
		f.Input.CursorEnd()
		f.picking = false
	}
	if ok, path := f.picker.DidSelectDisabledFile(msg); ok {
		pc.Errorf("只能选择 %s 文件：%s", strings.Join(f.exts, " "), filepath.Base(path))
	}
	return cmd
}

func (f *FileField) Lines(pc *program.Context, focused bool, w int) []string {
	out := f.TextField.Lines(pc, focused, w)
	if focused && f.picking {
		out = append(out, "    "+common.StyleDim.Render(common.Truncate("选择文件（enter 选中/进入，h 上级，esc 关闭）："+f.picker.CurrentDirectory, w-4)))
		for _, l := range strings.Split(strings.TrimRight(f.picker.View(), "\n"), "\n") {
			out = append(out, "    "+l)
		}
	}
	return out
}

// ---- the form ----

type Form struct {
	Fields []Field
	// Skip, when set, tells the fields that do not apply now (tab, the
	// arrows and enter pass over them).
	Skip func(Field) bool
	cur  int
}

func (f *Form) skipped(i int) bool { return f.Skip != nil && f.Skip(f.Fields[i]) }

func (f *Form) Values() map[string]string {
	v := map[string]string{}
	for _, fl := range f.Fields {
		v[fl.Name()] = fl.Value()
	}
	return v
}

func (f *Form) Focused() Field {
	if f.cur >= 0 && f.cur < len(f.Fields) {
		return f.Fields[f.cur]
	}
	return nil
}

func (f *Form) Move(d int) tea.Cmd {
	if len(f.Fields) == 0 {
		return nil
	}
	f.Fields[f.cur].Blur()
	n := len(f.Fields)
	for range n {
		f.cur = (f.cur + d + n) % n
		if !f.skipped(f.cur) {
			break
		}
	}
	return f.Fields[f.cur].Focus()
}

// lastField tells whether no field after the focused one applies.
func (f *Form) lastField() bool {
	for i := f.cur + 1; i < len(f.Fields); i++ {
		if !f.skipped(i) {
			return false
		}
	}
	return true
}

func (f *Form) Start() tea.Cmd {
	if len(f.Fields) == 0 {
		return nil
	}
	f.cur = 0
	return f.Fields[0].Focus()
}

// Key handles a Key; submit is true when the clerk is done with the form.
func (f *Form) Key(pc *program.Context, k tea.KeyMsg) (cmd tea.Cmd, submit bool) {
	fl := f.Focused()
	if fl == nil {
		return nil, k.String() == "enter"
	}
	if fl.Owns(k) {
		return fl.Update(pc, k), false
	}
	switch k.String() {
	case "tab", "down":
		return f.Move(1), false
	case "shift+tab", "up":
		return f.Move(-1), false
	case "enter":
		if f.lastField() {
			return nil, true
		}
		return f.Move(1), false
	case "ctrl+s":
		return nil, true
	}
	return fl.Update(pc, k), false
}

func (f *Form) Lines(pc *program.Context, w int) []string {
	var out []string
	for i, fl := range f.Fields {
		out = append(out, fl.Lines(pc, i == f.cur, w)...)
		if i == f.cur && fl.Hint() != "" {
			out = append(out, strings.Repeat(" ", LabelW+4)+common.StyleDim.Render(common.Truncate(fl.Hint(), max(w-LabelW-4, 10))))
		}
	}
	return out
}

// NewCheckField is a list of items to tick.
func NewCheckField(name, label, hint string, items []CheckItem) *CheckField {
	return &CheckField{key: name, lbl: label, hnt: hint, items: items}
}

// Picking tells whether the file picker is open; PickerView draws it.
func (f *FileField) Picking() bool { return f.picking }

// PickerView is the file picker as drawn.
func (f *FileField) PickerView() string { return f.picker.View() }

// Index is the position of the choice under the cursor.
func (f *ChoiceField) Index() int { return f.l.Index() }

// Picking tells whether the focused field is a file field with its picker
// open (esc closes the picker then, not the form).
func (f *Form) Picking() bool {
	ff, ok := f.Focused().(*FileField)
	return ok && ff.Picking()
}
