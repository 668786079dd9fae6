package ui

import (
	"fmt"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"

	"baohan/platform"
	"baohan/ui/cli/export"
	"baohan/ui/common"
	"baohan/ui/components/pane"
)

// The export key (e): the pane's ledger (台账) as an Excel workbook, with
// the pane's range and search, written to Options.ExportDir (where the desk
// was started, by default). What goes in is platform's (platform.*Ledger);
// ui/cli/export writes it, as `baohan export` does.

// exportMsg reports an export.
type exportMsg struct {
	path   string
	rows   int
	title  string
	filter string
	trunc  bool
	err    error
}

func (m *Model) exportPane(p pane.Pane) tea.Cmd {
	ex, ok := p.(pane.Exporter)
	if !ok {
		m.pc.Info("%s不导出台账：请在 订单、保函、撤销、理赔 页签按 e", p.Title())
		return nil
	}
	read, filter := ex.Ledger(m.pc)
	if read == nil {
		m.pc.Info("%s不导出台账：请在 订单、保函、撤销、理赔 页签按 e", p.Title())
		return nil
	}
	dir := m.opt.ExportDir
	if dir == "" {
		dir = m.cwd
	}
	now := m.pc.Now()
	m.pc.Info("正在导出……")
	ctx := m.pc.Ctx // quitting cancels the read
	return func() tea.Msg {
		l, err := read(ctx)
		if err != nil {
			return exportMsg{err: err}
		}
		path := filepath.Join(dir, export.FileName(l, now))
		if err := export.Write(path, l, false); err != nil {
			return exportMsg{err: err}
		}
		return exportMsg{path: path, rows: len(l.Rows), title: l.Title, filter: filter, trunc: l.Truncated}
	}
}

func (m *Model) exportDone(msg exportMsg) tea.Cmd {
	if msg.err != nil {
		m.pc.Errorf("导出失败：%s", common.Clean(msg.err.Error()))
		return nil
	}
	f := "全部"
	if msg.filter != "" {
		f = msg.filter
	}
	t := fmt.Sprintf("已导出%s %d 行（%s）：%s", msg.title, msg.rows, f, filepath.Base(msg.path))
	if msg.trunc {
		t += fmt.Sprintf("；超过 %d 行，只导出了前面的", platform.MaxLedgerRows)
	}
	m.pc.Info("%s", t)
	m.pc.Log.Info("exported", "path", msg.path, "rows", msg.rows)
	return nil
}
