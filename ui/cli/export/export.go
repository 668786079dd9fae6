// Package export is `baohan export`: the ledger (台账) of orders,
// guarantees, revocations or claims as an Excel workbook (.xlsx, written
// with github.com/xuri/excelize/v2) or CSV. Which records and columns go in
// is platform's (platform.BuildLedger); this package writes them: Chinese
// headers, amounts as numbers, times as dates. The desk's export key uses
// Write too.
package export

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli"
)

// Options are the command's arguments and flags.
type Options struct {
	Kind                         string // orders, guarantees, revocations, claims
	Out                          string // FILE.xlsx or FILE.csv
	Force                        bool   // --force: replace an existing Out
	Status, Search, Since, Until string
	Store                        func() (*store.Store, error)
}

// Result is what was written.
type Result struct {
	Path      string `json:"path"`
	Kind      string `json:"kind"`
	Rows      int    `json:"rows"`
	Truncated bool   `json:"truncated"`
}

// Run builds the ledger through the filters and writes it to Out.
func Run(ctx context.Context, opt Options) (*Result, error) {
	if _, err := format(opt.Out); err != nil {
		return nil, err
	}
	if err := cli.CheckOutput(opt.Out, opt.Force); err != nil {
		return nil, err
	}
	f, err := platform.ParseLedgerFilter(opt.Kind, opt.Status, opt.Search, opt.Since, opt.Until)
	if err != nil {
		return nil, err
	}
	st, err := opt.Store()
	if err != nil {
		return nil, err
	}
	l, err := platform.BuildLedger(ctx, st, opt.Kind, f)
	if err != nil {
		return nil, err
	}
	if err := Write(opt.Out, l, opt.Force); err != nil {
		return nil, err
	}
	return &Result{Path: opt.Out, Kind: opt.Kind, Rows: len(l.Rows), Truncated: l.Truncated}, nil
}

func format(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".xlsx", ".csv":
		return ext, nil
	case "":
		return "", &platform.InputError{Msg: "缺少 --out 文件名（.xlsx 或 .csv）"}
	default:
		return "", &platform.InputError{Msg: fmt.Sprintf("--out %s：只能导出为 .xlsx（Excel）或 .csv 文件", path)}
	}
}

// FileName is a fresh name for a ledger saved from the desk:
// 订单台账-20250610-100000.xlsx.
func FileName(l *platform.Ledger, now time.Time) string {
	return fmt.Sprintf("%s-%s.xlsx", l.Title, now.In(platform.CST).Format("20060102-150405"))
}

// Write writes the ledger to path (.xlsx or .csv), through a temporary file
// beside it, so that a failure leaves no half-written ledger; an existing
// path is refused unless force (cli.WriteOutput).
func Write(path string, l *platform.Ledger, force bool) error {
	ext, err := format(path)
	if err != nil {
		return err
	}
	return cli.WriteOutput(path, 0o600, force, func(tmp string) error {
		f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
		if err != nil {
			return &platform.InputError{Msg: fmt.Sprintf("无法在 %s 中写文件：%s", filepath.Dir(path), platform.FileProblem(err))}
		}
		if ext == ".csv" {
			err = writeCSV(f, l)
		} else {
			err = writeXLSX(f, l)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return &platform.InputError{Msg: fmt.Sprintf("写 %s 失败：%s", path, platform.FileProblem(err))}
		}
		return nil
	})
}

// wall is t's 北京时间 wall clock as a UTC time: a workbook's dates have
// no time zone, and excelize writes a time.Time as its UTC serial.
func wall(t time.Time) time.Time {
	c := t.In(platform.CST)
	return time.Date(c.Year(), c.Month(), c.Day(), c.Hour(), c.Minute(), c.Second(), 0, time.UTC)
}

func writeXLSX(w io.Writer, l *platform.Ledger) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := l.Title
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	hdr, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	dtFmt, dFmt, numFmt := "yyyy-mm-dd hh:mm:ss", "yyyy-mm-dd", "#,##0.00"
	dt, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dtFmt})
	if err != nil {
		return err
	}
	d, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dFmt})
	if err != nil {
		return err
	}
	num, err := f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, c := range l.Columns {
		if err := sw.SetColWidth(i+1, i+1, max(c.Width, 6)); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(l.Columns))
	for i, c := range l.Columns {
		head[i] = excelize.Cell{StyleID: hdr, Value: c.Header}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for r, row := range l.Rows {
		vals := make([]any, len(row))
		for i, c := range row {
			switch c.Kind {
			case platform.CellNumber:
				st := num
				if i < len(l.Columns) && !strings.Contains(l.Columns[i].Header, "金额") {
					st = 0 // a count or a number of days: no decimals
				}
				vals[i] = excelize.Cell{StyleID: st, Value: c.Num}
			case platform.CellTime:
				vals[i] = excelize.Cell{StyleID: dt, Value: wall(c.Time)}
			case platform.CellDate:
				vals[i] = excelize.Cell{StyleID: d, Value: wall(c.Time)}
			default:
				vals[i] = c.Text // always a string cell: numbers like 订单编号 keep their digits
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// csvText keeps a text a spreadsheet would take for a formula (=, +, -, @
// first) as text, with a leading apostrophe: the values come from outside.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func writeCSV(w io.Writer, l *platform.Ledger) error {
	// A byte order mark, so that Excel reads the Chinese as UTF-8.
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := make([]string, len(l.Columns))
	for i, c := range l.Columns {
		head[i] = c.Header
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, row := range l.Rows {
		rec := make([]string, len(row))
		for i, c := range row {
			switch c.Kind {
			case platform.CellNumber:
				rec[i] = strconv.FormatFloat(c.Num, 'f', -1, 64)
			case platform.CellTime:
				rec[i] = c.Time.In(platform.CST).Format(platform.DateTimeLayout)
			case platform.CellDate:
				rec[i] = c.Time.In(platform.CST).Format(platform.DateLayout)
			default:
				rec[i] = csvText(c.Text)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
