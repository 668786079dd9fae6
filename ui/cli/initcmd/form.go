package initcmd

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Form is the terminal form of init: one line per value, each checked as
// it is typed; Enter on the last line (or Ctrl+S) checks them together.
type Form struct {
	values    Values
	keyDir    string
	inputs    []textinput.Model
	focus     int
	submitErr string
	done      bool
	cancelled bool
	keys      *Keys
}

var (
	titleStyle = lipgloss.NewStyle().Bold(true)
	labelStyle = lipgloss.NewStyle().Width(12)
	focusStyle = lipgloss.NewStyle().Width(12).Bold(true).Reverse(true)
	hintStyle  = lipgloss.NewStyle().Faint(true)
	errStyle   = lipgloss.NewStyle().Foreground(lipgloss.Color("1"))
	okStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("2"))
)

// NewForm makes the form, filled with v (flags given beside init).
func NewForm(v Values, keyDir string) *Form {
	v.Defaults()
	f := &Form{values: v, keyDir: keyDir}
	for i, fd := range Fields {
		in := textinput.New()
		in.Prompt = "› "
		in.CharLimit = 8192
		in.Width = 56
		in.Placeholder = fd.Hint
		if fd.Secret {
			in.EchoMode = textinput.EchoPassword
			in.EchoCharacter = '•'
		}
		key := fd.Key
		in.Validate = func(s string) error { return Validate(key, s, keyDir) }
		in.SetValue(fd.Get(&v))
		if i == 0 {
			in.Focus()
		}
		f.inputs = append(f.inputs, in)
		f.echo(i)
	}
	return f
}

// Init starts the cursor blinking.
func (f *Form) Init() tea.Cmd { return textinput.Blink }

// Update handles a key.
func (f *Form) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch k.String() {
		case "ctrl+c", "esc":
			f.cancelled = true
			return f, tea.Quit
		case "tab", "down":
			return f, f.move(1)
		case "shift+tab", "up":
			return f, f.move(-1)
		case "enter":
			if f.focus < len(f.inputs)-1 {
				return f, f.move(1)
			}
			return f, f.submit()
		case "ctrl+s":
			return f, f.submit()
		}
	}
	if _, ok := msg.(tea.KeyMsg); ok {
		f.submitErr = "" // typing mends what saving refused
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	f.echo(f.focus)
	return f, cmd
}

// echo masks a secret field while it holds key text, and shows it while
// it names a file (a path is no secret, and a masked one cannot be read).
func (f *Form) echo(i int) {
	if !Fields[i].Secret || Fields[i].Key != "private-key" { // api_secret is never a path
		return
	}
	if looksLikePath(f.inputs[i].Value()) {
		f.inputs[i].EchoMode = textinput.EchoNormal
	} else {
		f.inputs[i].EchoMode = textinput.EchoPassword
	}
}

// looksLikePath tells a file path from pasted key text (base64 or PEM).
func looksLikePath(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "-----") {
		return false
	}
	for _, p := range []string{"/", "./", "../", "~", `\`} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	if len(s) > 1 && s[1] == ':' { // C:\keys\rsa_sk.pem
		return true
	}
	l := strings.ToLower(s)
	return strings.HasSuffix(l, ".pem") || strings.HasSuffix(l, ".key") || strings.HasSuffix(l, ".txt")
}

func (f *Form) move(d int) tea.Cmd {
	f.inputs[f.focus].Blur()
	f.focus = (f.focus + d + len(f.inputs)) % len(f.inputs)
	return f.inputs[f.focus].Focus()
}

func (f *Form) submit() tea.Cmd {
	v := f.values
	for i, fd := range Fields {
		fd.Set(&v, f.inputs[i].Value())
	}
	k, err := v.Check(f.keyDir)
	if err != nil {
		f.submitErr = err.Error()
		var fe *FieldError
		if errors.As(err, &fe) {
			f.submitErr = fe.Err.Error()
			for i, fd := range Fields {
				if fd.Key == fe.Field {
					// Say where the cursor went, and why.
					f.submitErr += "（光标已移到「" + fd.Label + "」）"
					if i != f.focus {
						return f.move(i - f.focus)
					}
				}
			}
		}
		return nil
	}
	f.values, f.keys, f.done = v, k, true
	return tea.Quit
}

// View draws the form.
func (f *Form) View() string {
	if f.done || f.cancelled {
		return ""
	}
	var b strings.Builder
	b.WriteString(titleStyle.Render("baohan 首次设置：填写平台账号邮件中的信息") + "\n")
	b.WriteString(hintStyle.Render("Tab/↓ 下一项，Shift+Tab/↑ 上一项，最后一项按 Enter 保存，Esc 放弃") + "\n\n")
	for i, fd := range Fields {
		in := f.inputs[i]
		mark, label := "  ", labelStyle.Render(fd.Label)
		if i == f.focus {
			mark, label = "> ", focusStyle.Render(fd.Label) // the focused field, not only its cursor
		}
		b.WriteString(mark + label + in.View() + "\n")
		switch {
		case in.Value() != "" && in.Err != nil:
			b.WriteString("  " + labelStyle.Render("") + errStyle.Render("✗ "+in.Err.Error()) + "\n")
		case in.Value() != "" && i != f.focus:
			b.WriteString("  " + labelStyle.Render("") + okStyle.Render("✓") + "\n")
		case i == f.focus:
			b.WriteString("  " + labelStyle.Render("") + hintStyle.Render(fd.Hint) + "\n")
		}
	}
	if f.submitErr != "" {
		b.WriteString("\n" + errStyle.Render("无法保存："+f.submitErr) + "\n")
	}
	return b.String()
}

// Result is the values and keys once the form was completed.
func (f *Form) Result() (Values, *Keys, bool) { return f.values, f.keys, f.done }

// ErrCancelled: the clerk left the form.
var ErrCancelled = errors.New("已放弃，没有写入任何文件")

// RunForm shows the form on the terminal and returns the checked values.
func RunForm(ctx context.Context, v Values, keyDir string, in io.Reader, out io.Writer) (Values, *Keys, error) {
	f := NewForm(v, keyDir)
	p := tea.NewProgram(f, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out))
	if _, err := p.Run(); err != nil {
		if errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, context.Canceled) {
			return v, nil, ErrCancelled
		}
		return v, nil, errors.New("无法在此终端显示表单（可改用选项直接给出各项，见 baohan init --help）")
	}
	vals, keys, done := f.Result()
	if !done {
		return v, nil, ErrCancelled
	}
	return vals, keys, nil
}
