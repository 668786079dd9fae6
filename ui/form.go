package ui

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
)

// A form is the fields of an action: text (bubbles/textinput), a choice
// (bubbles/list), a switch, a check list, and a file path with a picker
// (bubbles/filepicker). tab / shift+tab move between fields, enter moves on
// and on the last field goes to the confirmation.

const formLabelW = 16

type formField interface {
	name() string
	label() string
	hint() string
	// lines draws the field; focused fields may take more room.
	lines(m *Model, focused bool, w int) []string
	update(m *Model, msg tea.Msg) tea.Cmd
	focus() tea.Cmd
	blur()
	value() string
	// owns tells whether the field uses this key itself (moving in a list).
	owns(k tea.KeyMsg) bool
	typing() bool
}

func fieldHead(label string, focused bool) string {
	mark := "  "
	l := common.Fit(label, formLabelW)
	if focused {
		mark = "> "
		l = common.StyleSelected.Render(l)
	} else {
		l = common.StyleLabel.Render(l)
	}
	return mark + l + "  "
}

// ---- text ----

type textField struct {
	key, lbl, hnt string
	in            textinput.Model
}

func newTextField(name, label, hint, placeholder, value string) *textField {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = 500
	in.SetValue(value)
	in.Cursor.SetMode(cursor.CursorStatic)
	return &textField{key: name, lbl: label, hnt: hint, in: in}
}

func (f *textField) name() string           { return f.key }
func (f *textField) label() string          { return f.lbl }
func (f *textField) hint() string           { return f.hnt }
func (f *textField) value() string          { return strings.TrimSpace(f.in.Value()) }
func (f *textField) focus() tea.Cmd         { return f.in.Focus() }
func (f *textField) blur()                  { f.in.Blur() }
func (f *textField) owns(k tea.KeyMsg) bool { return false }
func (f *textField) typing() bool           { return true }

func (f *textField) update(m *Model, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.in, cmd = f.in.Update(msg)
	return cmd
}

func (f *textField) lines(m *Model, focused bool, w int) []string {
	f.in.Width = max(w-formLabelW-6, 10)
	v := f.in.View()
	if !focused {
		if f.in.Value() == "" {
			v = common.StyleDim.Render(common.Truncate(f.in.Placeholder, f.in.Width))
		} else {
			v = common.Truncate(common.Clean(f.in.Value()), f.in.Width)
		}
	}
	return []string{fieldHead(f.lbl, focused) + v}
}

// ---- choice ----

type choice struct {
	code, text string
}

func (c choice) FilterValue() string { return c.text }

type choiceDelegate struct{}

func (choiceDelegate) Height() int                         { return 1 }
func (choiceDelegate) Spacing() int                        { return 0 }
func (choiceDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }
func (choiceDelegate) Render(w io.Writer, m list.Model, index int, it list.Item) {
	c := it.(choice)
	line := common.Fit(c.text, max(m.Width()-2, 4))
	if index == m.Index() {
		fmt.Fprint(w, "> "+common.StyleSelected.Render(line))
		return
	}
	fmt.Fprint(w, "  "+line)
}

type choiceField struct {
	key, lbl, hnt string
	l             list.Model
	n             int
}

func newChoiceField(name, label, hint string, choices []choice, selected int) *choiceField {
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
	return &choiceField{key: name, lbl: label, hnt: hint, l: l, n: len(choices)}
}

func (f *choiceField) name() string   { return f.key }
func (f *choiceField) label() string  { return f.lbl }
func (f *choiceField) hint() string   { return f.hnt }
func (f *choiceField) focus() tea.Cmd { return nil }
func (f *choiceField) blur()          {}
func (f *choiceField) typing() bool   { return false }

func (f *choiceField) selected() choice {
	if c, ok := f.l.SelectedItem().(choice); ok {
		return c
	}
	return choice{}
}

func (f *choiceField) value() string { return f.selected().code }

func (f *choiceField) owns(k tea.KeyMsg) bool {
	switch k.String() {
	case "up", "down", "k", "j", "home", "end":
		return true
	}
	return false
}

func (f *choiceField) update(m *Model, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.l, cmd = f.l.Update(msg)
	return cmd
}

func (f *choiceField) lines(m *Model, focused bool, w int) []string {
	if !focused {
		return []string{fieldHead(f.lbl, false) + common.Clean(f.selected().text)}
	}
	f.l.SetSize(max(w-formLabelW-4, 10), f.n)
	out := []string{fieldHead(f.lbl, true) + common.StyleDim.Render("用 上/下 选择")}
	pad := strings.Repeat(" ", formLabelW+4)
	for _, l := range strings.Split(f.l.View(), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, pad+l)
	}
	return out
}

// ---- switch ----

type switchField struct {
	key, lbl, hnt string
	on            bool
	yes, no       string
}

func newSwitchField(name, label, hint string) *switchField {
	return &switchField{key: name, lbl: label, hnt: hint, yes: "是", no: "否"}
}

func (f *switchField) name() string   { return f.key }
func (f *switchField) label() string  { return f.lbl }
func (f *switchField) hint() string   { return f.hnt }
func (f *switchField) focus() tea.Cmd { return nil }
func (f *switchField) blur()          {}
func (f *switchField) typing() bool   { return false }

func (f *switchField) value() string {
	if f.on {
		return "1"
	}
	return ""
}

func (f *switchField) owns(k tea.KeyMsg) bool {
	switch k.String() {
	case " ", "left", "right", "h", "l", "y", "n":
		return true
	}
	return false
}

func (f *switchField) update(m *Model, msg tea.Msg) tea.Cmd {
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

func (f *switchField) lines(m *Model, focused bool, w int) []string {
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

type checkItem struct {
	code, text string
	on         bool
	disabled   string // why it cannot be chosen ("" = it can)
}

type checkField struct {
	key, lbl, hnt string
	items         []checkItem
	cur           int
}

func (f *checkField) name() string   { return f.key }
func (f *checkField) label() string  { return f.lbl }
func (f *checkField) hint() string   { return f.hnt }
func (f *checkField) focus() tea.Cmd { return nil }
func (f *checkField) blur()          {}
func (f *checkField) typing() bool   { return false }

// value is the chosen codes joined by commas.
func (f *checkField) value() string {
	var out []string
	for _, it := range f.items {
		if it.on && it.disabled == "" {
			out = append(out, it.code)
		}
	}
	return strings.Join(out, ",")
}

func (f *checkField) owns(k tea.KeyMsg) bool {
	switch k.String() {
	case "up", "down", "k", "j", " ", "a":
		return true
	}
	return false
}

func (f *checkField) update(m *Model, msg tea.Msg) tea.Cmd {
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
		if f.items[f.cur].disabled == "" {
			f.items[f.cur].on = !f.items[f.cur].on
		}
	case "a":
		all := true
		for _, it := range f.items {
			all = all && (it.on || it.disabled != "")
		}
		for i := range f.items {
			if f.items[i].disabled == "" {
				f.items[i].on = !all
			}
		}
	}
	return nil
}

func (f *checkField) lines(m *Model, focused bool, w int) []string {
	n, on := 0, 0
	for _, it := range f.items {
		if it.disabled == "" {
			n++
			if it.on {
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
		if it.on && it.disabled == "" {
			box = "[x] "
		}
		if it.disabled != "" {
			box = " -  "
		}
		mark := "  "
		if focused && i == f.cur {
			mark = "> "
		}
		t := it.text
		if it.disabled != "" {
			t += "（" + it.disabled + "）"
		}
		line := pad + mark + box + common.Truncate(common.Clean(t), max(w-len(pad)-6, 10))
		if it.disabled != "" {
			line = common.StyleDim.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// ---- file ----

type fileField struct {
	*textField
	picker  filepicker.Model
	picking bool
	exts    []string
}

func newFileField(name, label, hint, dir string, exts []string) *fileField {
	tf := newTextField(name, label, hint, "文件路径，或按 ctrl+o 选择", "")
	fp := filepicker.New()
	fp.AllowedTypes = exts
	fp.ShowPermissions = false
	fp.AutoHeight = false
	fp.SetHeight(8)
	fp.KeyMap.Back = key.NewBinding(key.WithKeys("h", "backspace", "left"), key.WithHelp("h", "上级"))
	if dir != "" {
		fp.CurrentDirectory = dir
	}
	return &fileField{textField: tf, picker: fp, exts: exts}
}

func (f *fileField) typing() bool { return !f.picking }

func (f *fileField) owns(k tea.KeyMsg) bool {
	if f.picking {
		return true
	}
	return k.String() == "ctrl+o"
}

func (f *fileField) update(m *Model, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case !f.picking && k.String() == "ctrl+o":
			f.picking = true
			// Start where the typed path points (no file system access
			// here: the picker reads the folder in its own command).
			if p := f.value(); p != "" {
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
			return f.textField.update(m, msg)
		}
	}
	var cmd tea.Cmd
	f.picker, cmd = f.picker.Update(msg)
	if ok, path := f.picker.DidSelectFile(msg); ok {
		f.in.SetValue(path)
		f.in.CursorEnd()
		f.picking = false
	}
	if ok, path := f.picker.DidSelectDisabledFile(msg); ok {
		m.pc.Errorf("只能选择 %s 文件：%s", strings.Join(f.exts, " "), filepath.Base(path))
	}
	return cmd
}

func (f *fileField) lines(m *Model, focused bool, w int) []string {
	out := f.textField.lines(m, focused, w)
	if focused && f.picking {
		out = append(out, "    "+common.StyleDim.Render(common.Truncate("选择文件（enter 选中/进入，h 上级，esc 关闭）："+f.picker.CurrentDirectory, w-4)))
		for _, l := range strings.Split(strings.TrimRight(f.picker.View(), "\n"), "\n") {
			out = append(out, "    "+l)
		}
	}
	return out
}

// ---- the form ----

type form struct {
	fields []formField
	cur    int
}

func (f *form) values() map[string]string {
	v := map[string]string{}
	for _, fl := range f.fields {
		v[fl.name()] = fl.value()
	}
	return v
}

func (f *form) focused() formField {
	if f.cur >= 0 && f.cur < len(f.fields) {
		return f.fields[f.cur]
	}
	return nil
}

func (f *form) move(d int) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	f.fields[f.cur].blur()
	f.cur = (f.cur + d + len(f.fields)) % len(f.fields)
	return f.fields[f.cur].focus()
}

func (f *form) start() tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	f.cur = 0
	return f.fields[0].focus()
}

// key handles a key; submit is true when the clerk is done with the form.
func (f *form) key(m *Model, k tea.KeyMsg) (cmd tea.Cmd, submit bool) {
	fl := f.focused()
	if fl == nil {
		return nil, k.String() == "enter"
	}
	if fl.owns(k) {
		return fl.update(m, k), false
	}
	switch k.String() {
	case "tab", "down":
		return f.move(1), false
	case "shift+tab", "up":
		return f.move(-1), false
	case "enter":
		if f.cur == len(f.fields)-1 {
			return nil, true
		}
		return f.move(1), false
	case "ctrl+s":
		return nil, true
	}
	return fl.update(m, k), false
}

func (f *form) lines(m *Model, w int) []string {
	var out []string
	for i, fl := range f.fields {
		out = append(out, fl.lines(m, i == f.cur, w)...)
		if i == f.cur && fl.hint() != "" {
			out = append(out, strings.Repeat(" ", formLabelW+4)+common.StyleDim.Render(common.Truncate(fl.hint(), max(w-formLabelW-4, 10))))
		}
	}
	return out
}
