package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Cursor is an opaque keyset position returned by the List functions; pass it
// back as After (or Before) to get the next page. "" means the first page, and
// a returned "" means there is no further page.
type Cursor string

// OrderSort chooses the order of ListOrders.
type OrderSort int

const (
	// ByBidDeadline sorts by bid_deadline ascending (soonest first), then
	// order_no. Orders without a deadline come last. The default.
	ByBidDeadline OrderSort = iota
	// ByUpdated sorts by last change, newest first.
	ByUpdated
)

// DefaultLimit is the page size used when a query's Limit is <= 0; MaxLimit
// caps it.
const (
	DefaultLimit = 100
	MaxLimit     = 5000
)

// OrderQuery selects a page of orders.
type OrderQuery struct {
	// Filter is a substring matched against order_no, block_number,
	// block_name, principal and creditor (case-insensitive for ASCII). ""
	// matches all.
	Filter string
	// Span keeps orders first received in a time span.
	Span Span
	// Status, when not empty, keeps only orders in one of these states.
	Status []string
	// FlaggedOnly keeps only flagged orders.
	FlaggedOnly bool
	// NotIssued keeps only orders still to be issued: what 待办 lists
	// (pending.go's rule, an order without a known state included).
	NotIssued bool
	Sort      OrderSort
	After     Cursor
	Limit     int
}

// GuaranteeQuery selects a page of guarantees, newest first.
type GuaranteeQuery struct {
	// Filter is a substring of guarantee_no, order_no, serial_num,
	// block_number, principal, creditor or block_name.
	Filter string
	// Unreleased keeps only guarantees not yet released (2.9); Released
	// only those released.
	Unreleased bool
	Released   bool
	// Span keeps guarantees recorded (pushed) in a time span.
	Span  Span
	After Cursor
	Limit int
}

// RevocationQuery selects a page of revocation batches, newest first.
type RevocationQuery struct {
	// Filter is a substring of revoke_no, block_number, block_name, creditor,
	// or of a listed guarantee's number or principal.
	Filter string
	// Span keeps batches received in a time span.
	Span  Span
	After Cursor
	Limit int
}

// ClaimQuery selects a page of claims, most recently changed first.
type ClaimQuery struct {
	// Filter is a substring of claim_no, guarantee_no, block_number,
	// block_name, principal or creditor.
	Filter string
	Status []string
	// Span keeps claims first received in a time span.
	Span  Span
	After Cursor
	Limit int
}

// EventQuery selects a page of events, newest first.
type EventQuery struct {
	// Filter is a substring of method, ref or summary.
	Filter string
	// Ref, when set, keeps only events about exactly this number.
	Ref string
	// Kind, when set, keeps only events of this kind.
	Kind string
	// Before is an event id: only events with a smaller id are returned
	// (0 = from the newest).
	Before int64
	Limit  int
}

// Span is a time span in unix ms: From inclusive, To exclusive; 0 leaves
// that side open.
type Span struct {
	From, To int64
}

// terms adds the span's tests on col to a WHERE list.
func (s Span) terms(col string, where []string, args []any) ([]string, []any) {
	if s.From > 0 {
		where = append(where, col+` >= ?`)
		args = append(args, s.From)
	}
	if s.To > 0 {
		where = append(where, col+` < ?`)
		args = append(args, s.To)
	}
	return where, args
}

func limitOf(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// likeArg turns a user substring into a LIKE pattern used with ESCAPE '\'.
func likeArg(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// encodeCursor packs keyset values (strings or int64) into a Cursor.
func encodeCursor(parts ...any) Cursor {
	b, _ := json.Marshal(parts)
	return Cursor(base64.RawURLEncoding.EncodeToString(b))
}

// decodeCursor unpacks a cursor made by encodeCursor into dst pointers
// (*string or *int64).
func decodeCursor(c Cursor, dst ...any) error {
	b, err := base64.RawURLEncoding.DecodeString(string(c))
	if err != nil {
		return fmt.Errorf("bad cursor: %w", err)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("bad cursor: %w", err)
	}
	if len(raw) != len(dst) {
		return fmt.Errorf("bad cursor: %d parts, want %d", len(raw), len(dst))
	}
	for i, d := range dst {
		if err := json.Unmarshal(raw[i], d); err != nil {
			return fmt.Errorf("bad cursor part %d: %w", i, err)
		}
	}
	return nil
}

// placeholders returns "?,?,?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// queryCollect runs query and hands its rows to collect.
func queryCollect[T any](ctx context.Context, q querier, collect func(*sql.Rows) ([]T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return collect(rows)
}

// filterWindow is how many rows, in sort order, a filter without an index is
// first tried on before the whole table is scanned.
var filterWindow = 2000

// filteredPage fetches limit+1 rows of cols from table matching base AND
// filter, in order, for a filter no index serves. It first tests the filter
// on the next filterWindow rows in sort order (walking the sort index): a
// common filter fills its page there. If not, it scans the whole table and
// sorts (sortedOrder is order with unary + on its terms, which keeps SQLite
// from walking the sort index and looking up every row: on 100 000 rows the
// scan takes ~0.2 s, the walk several times that).
//
// cols, base, filter and order may refer to the table's columns as alias.col
// or, if unambiguous, unqualified.
func filteredPage[T any](ctx context.Context, q querier, cols, table, alias string, base []string, baseArgs []any,
	filter []string, fArgs []any, order, sortedOrder string, limit int, collect func(*sql.Rows) ([]T, error)) ([]T, error) {
	args := append(append(append([]any{}, baseArgs...), filterWindow), fArgs...)
	args = append(args, limit+1)
	out, err := queryCollect(ctx, q, collect, `SELECT `+cols+` FROM (SELECT `+alias+`.* FROM `+table+` `+alias+whereSQL(base)+order+
		` LIMIT ?) `+alias+whereSQL(filter)+order+` LIMIT ?`, args...)
	if err != nil || len(out) > limit {
		return out, err
	}
	args = append(append(append([]any{}, baseArgs...), fArgs...), limit+1)
	return queryCollect(ctx, q, collect, `SELECT `+cols+` FROM `+table+` `+alias+whereSQL(append(append([]string{}, base...), filter...))+
		sortedOrder+` LIMIT ?`, args...)
}
