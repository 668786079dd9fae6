// Package keys is the desk's keymap: every key the desk answers to is bound
// here, once, with the help text the clerk reads (bubbles/key bindings, shown
// by bubbles/help in the help bar and on `?`).
package keys

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds every binding of the desk.
type KeyMap struct {
	// Panes.
	NextPane key.Binding
	PrevPane key.Binding
	Pane     [6]key.Binding // 1..6: 待办 订单 保函 撤销 理赔 日志

	// Moving in a list or a detail view.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Open     key.Binding // detail view, or pretty JSON in 日志
	Back     key.Binding

	// Lists.
	Filter    key.Binding // `/` search
	QuickView key.Binding // cycle the pane's preset filters
	Sort      key.Binding
	Reload    key.Binding // read the store again
	Export    key.Binding // the pane's ledger (台账) as .xlsx, with its filter

	// Actions (each opens a form, then a confirmation).
	Notify      key.Binding // 2.3 订单状态通知
	Push        key.Binding // 2.5 推送电子保函
	Cancel      key.Binding // 2.11 订单取消
	Fetch       key.Binding // 2.2 获取订单信息 / 3.3 获取理赔信息
	Release     key.Binding // 2.9 保函解保
	ClaimResult key.Binding // 3.2 理赔结果更新
	Reconcile   key.Binding // settle the calls whose outcome is unknown (结果未知)
	HeldAccept  key.Binding // accept a held callback (暂存回调), pressed twice
	HeldDismiss key.Binding // dismiss a held callback, pressed twice
	Issue       key.Binding // 签发: sign the letter of an order in 待出函, then push

	// Files and values.
	Download key.Binding // 4.1 获取文件URL + download
	OpenFile key.Binding // system viewer
	Copy     key.Binding // OSC 52

	// Forms.
	NextField key.Binding
	PrevField key.Binding
	Submit    key.Binding
	Confirm   key.Binding
	Force     key.Binding
	Deny      key.Binding
	Browse    key.Binding // file picker in a form
	Toggle    key.Binding // a check box or switch in a form

	Help key.Binding
	// Checks shows the report of doctor's checks (the status bar's
	// 检查N项未过).
	Checks key.Binding
	Quit   key.Binding
	// ForceQuit quits from anywhere, also from a text field.
	ForceQuit key.Binding
}

// Default is the desk's keymap.
func Default() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	k := KeyMap{
		NextPane: b("tab", "下一页签", "tab"),
		PrevPane: b("shift+tab", "上一页签", "shift+tab"),

		Up:       b("k/up", "上移", "up", "k"),
		Down:     b("j/down", "下移", "down", "j"),
		PageUp:   b("pgup", "上一屏", "pgup", "ctrl+u"),
		PageDown: b("pgdn", "下一屏", "pgdown", "ctrl+d", " "),
		Top:      b("g/home", "到顶", "g", "home"),
		Bottom:   b("G/end", "到底", "G", "end"),
		Open:     b("enter", "详情", "enter"),
		Back:     b("esc", "返回", "esc"),

		Filter:    b("/", "搜索", "/"),
		QuickView: b("f", "切换范围", "f"),
		Sort:      b("s", "排序", "s"),
		Reload:    b("ctrl+r", "重新读取", "ctrl+r"),
		Export:    b("e", "导出台账", "e"),

		Notify:      b("n", "订单状态通知", "n"),
		Push:        b("p", "推送电子保函", "p"),
		Cancel:      b("x", "订单取消", "x"),
		Fetch:       b("r", "从平台获取", "r"),
		Release:     b("l", "保函解保", "l"),
		ClaimResult: b("a", "理赔结果更新", "a"),
		Reconcile:   b("R", "核对结果未知的调用", "R"),
		HeldAccept:  b("A", "接受暂存回调", "A"),
		HeldDismiss: b("D", "驳回暂存回调", "D"),
		Issue:       b("i", "签发电子保函", "i"),

		Download: b("d", "获取URL并下载", "d"),
		OpenFile: b("o", "打开文件", "o"),
		Copy:     b("c", "复制", "c"),

		NextField: b("tab", "下一项", "tab", "down"),
		PrevField: b("shift+tab", "上一项", "shift+tab", "up"),
		Submit:    b("enter", "下一步", "enter"),
		// Confirm is never enter: enter moves between a form's fields, and
		// a run of enters must not send anything.
		Confirm: b("y", "确认发送", "y"),
		// Force is the second confirmation of a push with a warning
		// (unsigned, another signer, a file already pushed).
		Force:  b("Y", "仍然推送（大写Y）", "Y"),
		Deny:   b("n/esc", "返回修改", "n", "esc"),
		Browse: b("ctrl+o", "选择文件", "ctrl+o"),
		Toggle: b("space", "勾选/切换", " "),

		Help:      b("?", "全部按键", "?"),
		Checks:    b("!", "设置检查结果", "!"),
		Quit:      b("q", "退出", "q"),
		ForceQuit: b("ctrl+c", "退出", "ctrl+c"),
	}
	names := []string{"待办", "订单", "保函", "撤销", "理赔", "日志"}
	for i := range k.Pane {
		n := string(rune('1' + i))
		k.Pane[i] = b(n, names[i], n)
	}
	return k
}

// FullHelp groups every binding for the `?` page.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.NextPane, k.PrevPane, k.Pane[0], k.Pane[1], k.Pane[2], k.Pane[3], k.Pane[4], k.Pane[5]},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Back},
		{k.Filter, k.QuickView, k.Sort, k.Export, k.Reload, k.Copy, k.Help, k.Checks, k.Quit},
		{k.Notify, k.Push, k.Cancel, k.Fetch, k.Release, k.ClaimResult, k.Reconcile, k.Download, k.OpenFile},
		{k.Issue, k.HeldAccept, k.HeldDismiss},
	}
}
