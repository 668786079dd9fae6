package platform

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"baohan/store"
)

// The ledger (台账): what `baohan export` writes and the desk's export key
// saves, and the filters `baohan list` shares with it. The columns, their
// Chinese headers and the kind of each value (text, amount, time) are
// decided here; ui/cli/export only writes them out.

// LedgerKinds are the records that can be exported, in the CLI's words.
var LedgerKinds = []string{"orders", "guarantees", "revocations", "claims"}

// MaxLedgerRows bounds one ledger (the store holds more than a workbook
// should; a filter narrows it).
const MaxLedgerRows = 200000

// CellKind is the kind of a ledger value.
type CellKind int

const (
	CellText   CellKind = iota
	CellNumber          // an amount or a count: written as a number
	CellTime            // a date and time (北京时间): written as a date
	CellDate            // a date without time
)

// Column is one column of a ledger.
type Column struct {
	Header string
	Kind   CellKind
	Width  float64 // in characters, for a workbook
}

// Cell is one value. A Number or Time cell whose value is unknown or could
// not be read carries its text as received (Kind CellText) so that nothing
// is lost.
type Cell struct {
	Kind CellKind
	Text string
	Num  float64
	Time time.Time
}

// Ledger is a table ready to be written.
type Ledger struct {
	Kind      string // one of LedgerKinds
	Title     string // 订单台账, ...
	Columns   []Column
	Rows      [][]Cell
	Truncated bool // more rows matched than MaxLedgerRows
}

// LedgerTitle is the Chinese name of a ledger kind.
func LedgerTitle(kind string) string {
	switch kind {
	case "orders":
		return "订单台账"
	case "guarantees":
		return "保函台账"
	case "revocations":
		return "撤销台账"
	case "claims":
		return "理赔台账"
	}
	return kind
}

// LedgerFilter is what `list` and `export` take: --status, --search,
// --since, --until.
type LedgerFilter struct {
	Status     []string // order or claim state codes
	Released   bool     // guarantees: released only
	Unreleased bool     // guarantees: not released only
	Search     string
	Since      time.Time // inclusive; zero: open
	Until      time.Time // exclusive; zero: open
}

// ParseLedgerFilter checks the filters of `list` and `export` for kind.
// status is one state code or its Chinese meaning, or several joined by
// commas (orders, claims), or 未解保/unreleased, 已解保/released
// (guarantees). since and until are dates (YYYY-MM-DD, until inclusive)
// or times (YYYY-MM-DD HH:MM:SS), 北京时间; they bound when a record was
// first received (an order's 2.1, a claim's 3.1, a revocation's 2.8) or
// recorded (a guarantee's push).
func ParseLedgerFilter(kind, status, search, since, until string) (LedgerFilter, error) {
	f := LedgerFilter{Search: strings.TrimSpace(search)}
	if s := strings.TrimSpace(status); s != "" {
		switch kind {
		case "orders", "claims":
			states := OrderStates
			if kind == "claims" {
				states = ClaimStates
			}
			for _, part := range strings.Split(s, ",") {
				part = strings.TrimSpace(part)
				code := ""
				for _, st := range states {
					if part == st.Code || part == st.Meaning {
						code = st.Code
					}
				}
				if code == "" {
					var codes []string
					for _, st := range states {
						codes = append(codes, st.Code+"（"+st.Meaning+"）")
					}
					return f, inputErr("--status %q 不是%s状态，可用：%s", part, map[string]string{"orders": "订单", "claims": "理赔"}[kind], strings.Join(codes, "、"))
				}
				f.Status = append(f.Status, code)
			}
		case "guarantees":
			switch s {
			case "unreleased", "未解保":
				f.Unreleased = true
			case "released", "已解保":
				f.Released = true
			default:
				return f, inputErr("保函的 --status 只能是 unreleased（未解保）或 released（已解保），不是 %q", s)
			}
		default:
			return f, inputErr("%s 没有状态，不能用 --status", LedgerTitle(kind))
		}
	}
	var err error
	if f.Since, err = parseSpanTime("--since", since, false); err != nil {
		return f, err
	}
	if f.Until, err = parseSpanTime("--until", until, true); err != nil {
		return f, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return f, inputErr("--until 早于 --since")
	}
	return f, nil
}

func parseSpanTime(flag, s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(DateTimeLayout, s, CST); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(DateLayout, s, CST)
	if err != nil {
		return time.Time{}, inputErr("%s %q 不是日期（YYYY-MM-DD）或时间（YYYY-MM-DD HH:MM:SS）", flag, s)
	}
	if end {
		t = t.AddDate(0, 0, 1) // the whole day
	}
	return t, nil
}

func (f LedgerFilter) span() store.Span {
	var s store.Span
	if !f.Since.IsZero() {
		s.From = f.Since.UnixMilli()
	}
	if !f.Until.IsZero() {
		s.To = f.Until.UnixMilli()
	}
	return s
}

// OrderQuery is the store query of the filter.
func (f LedgerFilter) OrderQuery() store.OrderQuery {
	return store.OrderQuery{Filter: f.Search, Status: f.Status, Span: f.span()}
}

// GuaranteeQuery is the store query of the filter.
func (f LedgerFilter) GuaranteeQuery() store.GuaranteeQuery {
	return store.GuaranteeQuery{Filter: f.Search, Unreleased: f.Unreleased, Released: f.Released, Span: f.span()}
}

// RevocationQuery is the store query of the filter.
func (f LedgerFilter) RevocationQuery() store.RevocationQuery {
	return store.RevocationQuery{Filter: f.Search, Span: f.span()}
}

// ClaimQuery is the store query of the filter.
func (f LedgerFilter) ClaimQuery() store.ClaimQuery {
	return store.ClaimQuery{Filter: f.Search, Status: f.Status, Span: f.span()}
}

// BuildLedger reads the ledger of kind through the filter.
func BuildLedger(ctx context.Context, st *store.Store, kind string, f LedgerFilter) (*Ledger, error) {
	switch kind {
	case "orders":
		return OrdersLedger(ctx, st, f.OrderQuery())
	case "guarantees":
		return GuaranteesLedger(ctx, st, f.GuaranteeQuery())
	case "revocations":
		return RevocationsLedger(ctx, st, f.RevocationQuery())
	case "claims":
		return ClaimsLedger(ctx, st, f.ClaimQuery())
	}
	return nil, inputErr("没有 %q 台账，可用：%s", kind, strings.Join(LedgerKinds, "、"))
}

// walk reads every page of a keyset-paged list, up to MaxLedgerRows.
func walk[T any](page func(store.Cursor) ([]T, store.Cursor, error), each func(T) error) (truncated bool, err error) {
	var c store.Cursor
	n := 0
	for {
		rows, next, err := page(c)
		if err != nil {
			return false, err
		}
		for _, r := range rows {
			if n == MaxLedgerRows {
				return true, nil
			}
			if err := each(r); err != nil {
				return false, err
			}
			n++
		}
		if next == "" || len(rows) == 0 {
			return false, nil
		}
		c = next
	}
}

func text(s string) Cell { return Cell{Kind: CellText, Text: s} }

// amount is a number cell of an amount as the platform sent it ("50000",
// "1,200.00"); its text when it is not a number.
func amount(s string) Cell {
	v := strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if f, err := strconv.ParseFloat(v, 64); err == nil && v != "" {
		return Cell{Kind: CellNumber, Num: f, Text: s}
	}
	return text(s)
}

func count(n int) Cell { return Cell{Kind: CellNumber, Num: float64(n), Text: strconv.Itoa(n)} }

// when is a time cell of a text time (bid_deadline, out_guarantee_time).
func when(s string) Cell {
	s = strings.TrimSpace(s)
	if t, err := ParseDeadline(s); err == nil && s != "" {
		if len(s) <= len(DateLayout) {
			return Cell{Kind: CellDate, Time: t, Text: s}
		}
		return Cell{Kind: CellTime, Time: t, Text: s}
	}
	return text(s)
}

// at is a time cell of a unix ms time; empty when 0.
func at(ms int64) Cell {
	if ms <= 0 {
		return text("")
	}
	t := time.UnixMilli(ms).In(CST)
	return Cell{Kind: CellTime, Time: t, Text: t.Format(DateTimeLayout)}
}

// ProjectTypeText is the manual's meaning of a project_type (2.1), or the
// code itself when it is not in the manual's list.
func ProjectTypeText(code string) string {
	for _, p := range ProjectTypes {
		if p.Code == code {
			return p.Meaning
		}
	}
	return code
}

// ProjectTypes is the manual's list of project_type (2.1, case-sensitive).
var ProjectTypes = []State{
	{"construction", "施工"}, {"purchase", "采购"}, {"design", "设计"}, {"supervisor", "监理"},
	{"survey", "勘察"}, {"property", "物业"}, {"consult", "咨询"}, {"rail_transit", "轨道交通"},
	{"EPC", "工程总承包"}, {"other", "其他"},
}

// OrdersLedger is the orders' ledger for a store query (the desk passes its
// pane's).
func OrdersLedger(ctx context.Context, st *store.Store, q store.OrderQuery) (*Ledger, error) {
	l := &Ledger{Kind: "orders", Title: LedgerTitle("orders"), Columns: []Column{
		{"订单编号", CellText, 14}, {"订单状态", CellText, 10}, {"标段编号", CellText, 16}, {"标段名称", CellText, 28},
		{"被保证人", CellText, 24}, {"受益人", CellText, 24}, {"担保金额(元)", CellNumber, 14}, {"订单金额(元)", CellNumber, 12},
		{"投标截止时间", CellTime, 17}, {"有效期(天)", CellNumber, 10}, {"项目类型", CellText, 10},
		{"担保期间(开始)", CellDate, 12}, {"担保期间(结束)", CellDate, 12}, {"接收时间", CellTime, 17}, {"标记", CellText, 30},
	}}
	var err error
	l.Truncated, err = walk(func(c store.Cursor) ([]store.Order, store.Cursor, error) {
		q.After, q.Limit = c, store.MaxLimit
		return st.ListOrders(ctx, q)
	}, func(o store.Order) error {
		flag := ""
		if o.Flagged {
			flag = o.FlagReason
		}
		l.Rows = append(l.Rows, []Cell{text(o.OrderNo), text(OrderStateName(o.OrderStatus)),
			text(o.BlockNumber), text(o.BlockName), text(o.Principal), text(o.Creditor), amount(o.GuaranteeAmount),
			amount(o.OrderAmount), when(o.BidDeadline), amount(o.ValidDay), text(ProjectTypeText(o.ProjectType)),
			when(o.GuaranteeStartDate), when(o.GuaranteeEndDate), at(o.CreatedAt), text(flag)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	return l, nil
}

// GuaranteesLedger is the guarantees' ledger; 担保金额 and 担保期间 come from
// each guarantee's order.
func GuaranteesLedger(ctx context.Context, st *store.Store, q store.GuaranteeQuery) (*Ledger, error) {
	l := &Ledger{Kind: "guarantees", Title: LedgerTitle("guarantees"), Columns: []Column{
		{"保函编号", CellText, 14}, {"保函序列号", CellText, 20}, {"订单编号", CellText, 14}, {"标段编号", CellText, 16},
		{"标段名称", CellText, 28}, {"被保证人", CellText, 24}, {"受益人", CellText, 24}, {"保证人", CellText, 24},
		{"担保金额(元)", CellNumber, 14}, {"担保期间(开始)", CellDate, 12}, {"担保期间(结束)", CellDate, 12},
		{"出函时间", CellTime, 17}, {"推送时间", CellTime, 17}, {"解保状态", CellText, 10}, {"解保日期", CellTime, 17},
		{"文件SHA-256", CellText, 66},
	}}
	orders := map[string]*store.Order{}
	var err error
	l.Truncated, err = walk(func(c store.Cursor) ([]store.Guarantee, store.Cursor, error) {
		q.After, q.Limit = c, store.MaxLimit
		return st.ListGuarantees(ctx, q)
	}, func(g store.Guarantee) error {
		o, ok := orders[g.OrderNo]
		if !ok {
			got, err := st.GetOrder(ctx, g.OrderNo)
			switch {
			case err == nil:
				o = &got
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			if len(orders) < 10000 {
				orders[g.OrderNo] = o
			}
		}
		amt, start, end := text(""), text(""), text("")
		if o != nil {
			amt, start, end = amount(o.GuaranteeAmount), when(o.GuaranteeStartDate), when(o.GuaranteeEndDate)
		}
		l.Rows = append(l.Rows, []Cell{text(g.GuaranteeNo), text(g.SerialNum), text(g.OrderNo), text(g.BlockNumber),
			text(g.BlockName), text(g.Principal), text(g.Creditor), text(g.Guarantor), amt, start, end,
			when(g.OutGuaranteeTime), at(g.PushedAt), text(ReleaseStatusText(g.ReleaseStatus)), when(g.ReleaseDate), text(g.PDFSHA256)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read guarantees: %w", err)
	}
	return l, nil
}

// RevocationsLedger is the revocations' ledger: one row per listed
// guarantee (当次撤销, 已发起撤销, 罚没), so that each can be ticked off.
func RevocationsLedger(ctx context.Context, st *store.Store, q store.RevocationQuery) (*Ledger, error) {
	l := &Ledger{Kind: "revocations", Title: LedgerTitle("revocations"), Columns: []Column{
		{"撤销批次号", CellText, 16}, {"标段编号", CellText, 16}, {"标段名称", CellText, 28}, {"受益人", CellText, 24},
		{"名单", CellText, 10}, {"保函编号", CellText, 14}, {"保函序列号", CellText, 20}, {"被保证人", CellText, 24},
		{"说明", CellText, 30}, {"接收时间", CellTime, 17},
	}}
	lists := map[string]string{store.ListCurrent: "当次撤销", store.ListSuccess: "已发起撤销", store.ListPenalty: "罚没"}
	var err error
	l.Truncated, err = walk(func(c store.Cursor) ([]store.Revocation, store.Cursor, error) {
		q.After, q.Limit = c, store.MaxLimit
		return st.ListRevocations(ctx, q)
	}, func(r store.Revocation) error {
		head := []Cell{text(r.RevokeNo), text(r.BlockNumber), text(r.BlockName), text(r.Creditor)}
		if len(r.Items) == 0 {
			l.Rows = append(l.Rows, append(head, text(""), text(""), text(""), text(""), text(r.Note), at(r.ReceivedAt)))
		}
		for _, it := range r.Items {
			row := append(append([]Cell{}, head...), text(lists[it.List]), text(it.GuaranteeNo), text(it.SerialNum),
				text(it.Principal), text(r.Note), at(r.ReceivedAt))
			l.Rows = append(l.Rows, row)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read revocations: %w", err)
	}
	return l, nil
}

// ClaimsLedger is the claims' ledger.
func ClaimsLedger(ctx context.Context, st *store.Store, q store.ClaimQuery) (*Ledger, error) {
	l := &Ledger{Kind: "claims", Title: LedgerTitle("claims"), Columns: []Column{
		{"理赔序列号", CellText, 16}, {"保函编号", CellText, 14}, {"理赔状态", CellText, 14}, {"索赔金额(元)", CellNumber, 14},
		{"索赔理由", CellText, 30}, {"标段编号", CellText, 16}, {"标段名称", CellText, 28}, {"被保证人", CellText, 24},
		{"受益人", CellText, 24}, {"联系人", CellText, 10}, {"联系电话", CellText, 14}, {"附件数", CellNumber, 8},
		{"接收时间", CellTime, 17}, {"最近更新", CellTime, 17},
	}}
	var err error
	l.Truncated, err = walk(func(c store.Cursor) ([]store.Claim, store.Cursor, error) {
		q.After, q.Limit = c, store.MaxLimit
		return st.ListClaims(ctx, q)
	}, func(c store.Claim) error {
		l.Rows = append(l.Rows, []Cell{text(c.ClaimNo), text(c.GuaranteeNo), text(ClaimStateName(c.Status)),
			amount(c.ClaimAmount), text(c.ClaimReason), text(c.BlockNumber), text(c.BlockName), text(c.Principal),
			text(c.Creditor), text(c.ContactPerson), text(c.ContactPhone), count(len(c.Attachments)), at(c.ReceivedAt), at(c.UpdatedAt)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read claims: %w", err)
	}
	return l, nil
}
