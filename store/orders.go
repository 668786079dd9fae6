package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

const orderCols = `order_no, order_status, block_number, block_name, principal, creditor,
	guarantee_amount, bid_deadline, valid_day, project_type, guarantee_start_date,
	guarantee_end_date, order_amount, flagged, flag_reason, created_at, updated_at`

func scanOrder(sc interface{ Scan(...any) error }, o *Order, extra ...any) error {
	var flagged int
	dst := []any{&o.OrderNo, &o.OrderStatus, &o.BlockNumber, &o.BlockName, &o.Principal, &o.Creditor,
		&o.GuaranteeAmount, &o.BidDeadline, &o.ValidDay, &o.ProjectType, &o.GuaranteeStartDate,
		&o.GuaranteeEndDate, &o.OrderAmount, &flagged, &o.FlagReason, &o.CreatedAt, &o.UpdatedAt}
	if err := sc.Scan(append(dst, extra...)...); err != nil {
		return err
	}
	o.Flagged = flagged != 0
	return nil
}

func getOrder(ctx context.Context, q querier, orderNo string) (Order, error) {
	var o Order
	var fields, raw string
	err := scanOrder(q.QueryRowContext(ctx, `SELECT `+orderCols+`, coalesce(d.fields, '{}'), coalesce(d.raw, '')
		FROM orders LEFT JOIN order_docs d USING (order_no) WHERE order_no = ?`, orderNo), &o, &fields, &raw)
	if err != nil {
		return Order{}, notFound(err, "get order "+orderNo)
	}
	o.Fields, o.Raw = rawMsg(fields), rawMsg(raw)
	return o, nil
}

// GetOrder reads one order with its Fields and Raw; ErrNotFound if unknown.
func (s *Store) GetOrder(ctx context.Context, orderNo string) (Order, error) {
	return getOrder(ctx, s.r, orderNo)
}

// GetOrder reads one order inside the transaction (sees its own writes).
func (t *Tx) GetOrder(orderNo string) (Order, error) {
	return getOrder(t.ctx, t.tx, orderNo)
}

// UpsertOrder inserts the order or updates the stored one: a non-empty text
// field replaces the stored value, an empty one keeps it; Fields is merged
// key by key into the stored object; Raw replaces the stored raw when not
// empty. created_at is kept; Flagged and FlagReason are not touched (see
// FlagOrder, UnflagOrder).
func (t *Tx) UpsertOrder(o Order) error {
	if o.OrderNo == "" {
		return errors.New("upsert order: empty order_no")
	}
	var old string
	err := t.tx.QueryRowContext(t.ctx, `SELECT fields FROM order_docs WHERE order_no = ?`, o.OrderNo).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("upsert order %s: %w", o.OrderNo, err)
	}
	fields, err := mergeFields(old, o.Fields)
	if err != nil {
		return fmt.Errorf("upsert order %s: %w", o.OrderNo, err)
	}
	raw, err := rawText(o.Raw)
	if err != nil {
		return fmt.Errorf("upsert order %s: %w", o.OrderNo, err)
	}
	dk := "~"
	if o.BidDeadline != "" {
		dk = deadlineKey(o.BidDeadline)
	}
	_, err = t.tx.ExecContext(t.ctx, `
INSERT INTO orders (order_no, order_status, block_number, block_name, principal, creditor,
	guarantee_amount, bid_deadline, deadline_key, valid_day, project_type, guarantee_start_date,
	guarantee_end_date, order_amount, stub, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (order_no) DO UPDATE SET
	stub = min(stub, excluded.stub),
	`+keepAll("order_status", "block_number", "block_name", "principal", "creditor",
		"guarantee_amount", "bid_deadline", "valid_day", "project_type", "guarantee_start_date",
		"guarantee_end_date", "order_amount")+`,
	deadline_key = CASE WHEN excluded.bid_deadline <> '' THEN excluded.deadline_key ELSE deadline_key END,
	updated_at = excluded.updated_at`,
		o.OrderNo, o.OrderStatus, o.BlockNumber, o.BlockName, o.Principal, o.Creditor,
		o.GuaranteeAmount, o.BidDeadline, dk, o.ValidDay, o.ProjectType, o.GuaranteeStartDate,
		o.GuaranteeEndDate, o.OrderAmount, boolInt(o.Stub), t.now, t.now)
	if err != nil {
		return fmt.Errorf("upsert order %s: %w", o.OrderNo, err)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO order_docs (order_no, fields, raw) VALUES (?, ?, ?)
ON CONFLICT (order_no) DO UPDATE SET fields = excluded.fields, `+keepText("raw"), o.OrderNo, fields, raw)
	if err != nil {
		return fmt.Errorf("upsert order %s: %w", o.OrderNo, err)
	}
	return nil
}

// ReplaceOrderContent replaces an existing order's particulars with o's,
// empty values included (a field the new 2.1 version emptied is emptied),
// and its fields object wholly; the state (order_status), order_amount and
// flags stay. Taking a new version of a 2.1 (listener.TakeOrderVersion).
// ErrNotFound if the order is unknown.
func (t *Tx) ReplaceOrderContent(o Order) error {
	dk := "~"
	if o.BidDeadline != "" {
		dk = deadlineKey(o.BidDeadline)
	}
	res, err := t.tx.ExecContext(t.ctx, `UPDATE orders SET block_number = ?, block_name = ?, principal = ?, creditor = ?,
	guarantee_amount = ?, bid_deadline = ?, deadline_key = ?, valid_day = ?, project_type = ?, guarantee_start_date = ?,
	guarantee_end_date = ?, stub = 0, updated_at = ? WHERE order_no = ?`,
		o.BlockNumber, o.BlockName, o.Principal, o.Creditor, o.GuaranteeAmount, o.BidDeadline, dk, o.ValidDay,
		o.ProjectType, o.GuaranteeStartDate, o.GuaranteeEndDate, t.now, o.OrderNo)
	if err != nil {
		return fmt.Errorf("replace order %s: %w", o.OrderNo, err)
	}
	if err := affected(res, "replace order "+o.OrderNo); err != nil {
		return err
	}
	fields := "{}"
	if len(o.Fields) > 0 {
		fields = string(o.Fields)
	}
	raw, err := rawText(o.Raw)
	if err != nil {
		return fmt.Errorf("replace order %s: %w", o.OrderNo, err)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO order_docs (order_no, fields, raw) VALUES (?, ?, ?)
ON CONFLICT (order_no) DO UPDATE SET fields = excluded.fields, `+keepText("raw"), o.OrderNo, fields, raw)
	if err != nil {
		return fmt.Errorf("replace order %s: %w", o.OrderNo, err)
	}
	return nil
}

// SetOrderStatus sets an existing order's order_status (5.4); ErrNotFound if
// the order is unknown.
func (t *Tx) SetOrderStatus(orderNo, status string) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE orders SET order_status = ?, updated_at = ? WHERE order_no = ?`,
		status, t.now, orderNo)
	if err != nil {
		return fmt.Errorf("set order %s status %s: %w", orderNo, status, err)
	}
	return affected(res, fmt.Sprintf("set order %s status %s", orderNo, status))
}

// FlagOrder marks the order as flagged with reason (a callback arrived for an
// order we did not know, or did not match what we know). An unknown order is
// created as a stub holding only its number, so that the flag is visible.
func (t *Tx) FlagOrder(orderNo, reason string) error {
	if orderNo == "" {
		return errors.New("flag order: empty order_no")
	}
	_, err := t.tx.ExecContext(t.ctx, `
INSERT INTO orders (order_no, flagged, flag_reason, stub, created_at, updated_at) VALUES (?, 1, ?, 1, ?, ?)
ON CONFLICT (order_no) DO UPDATE SET flagged = 1, flag_reason = excluded.flag_reason, settle_flagged = 0, updated_at = excluded.updated_at`,
		orderNo, reason, t.now, t.now)
	if err != nil {
		return fmt.Errorf("flag order %s: %w", orderNo, err)
	}
	return nil
}

// DropStubOrder removes the stub FlagOrder made for an unknown order, once
// the platform said there is no such order (1101): the callback about it
// stays in the journal. It reports false, and removes nothing, when the
// order is more than a stub (its 2.1 or 2.2 arrived, or a guarantee names
// it).
func (t *Tx) DropStubOrder(orderNo string) (bool, error) {
	res, err := t.tx.ExecContext(t.ctx, `DELETE FROM orders WHERE order_no = ?
		AND (stub = 1 OR (order_status = '' AND block_number = '' AND block_name = '' AND principal = ''))
		AND NOT EXISTS (SELECT 1 FROM order_docs d WHERE d.order_no = orders.order_no AND d.raw != '')
		AND NOT EXISTS (SELECT 1 FROM guarantees g WHERE g.order_no = orders.order_no)`, orderNo)
	if err != nil {
		return false, fmt.Errorf("drop stub order %s: %w", orderNo, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// UnflagOrder clears an order's flag (the clerk checked it); ErrNotFound if
// the order is unknown.
func (t *Tx) UnflagOrder(orderNo string) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE orders SET flagged = 0, flag_reason = '', settle_due = 0, settle_flagged = 0, updated_at = ? WHERE order_no = ?`,
		t.now, orderNo)
	if err != nil {
		return fmt.Errorf("unflag order %s: %w", orderNo, err)
	}
	return affected(res, "unflag order "+orderNo)
}

// ClearFlagFor clears the order's flag when its reason begins with prefix
// (the matter it names is settled), leaving any pending 2.2 fetch
// (settle_due) alone, unlike UnflagOrder.
func (t *Tx) ClearFlagFor(orderNo, prefix string) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE orders SET flagged = 0, flag_reason = '', updated_at = ?
		WHERE order_no = ? AND flagged = 1 AND substr(flag_reason, 1, length(?)) = ?`, t.now, orderNo, prefix, prefix)
	if err != nil {
		return fmt.Errorf("clear flag of order %s: %w", orderNo, err)
	}
	return nil
}

// ftsPrefilterMax is the most matches for which a filter goes through the
// trigram index; above it a walk in sort order finds a page sooner.
// (A variable so that tests can exercise both ways.)
var ftsPrefilterMax = 3000

// ftsPhrase quotes s as one FTS5 phrase (a substring, for trigram).
func ftsPhrase(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

const orderLike = `(order_no LIKE ? ESCAPE '\' OR block_number LIKE ? ESCAPE '\' OR block_name LIKE ? ESCAPE '\' OR principal LIKE ? ESCAPE '\' OR creditor LIKE ? ESCAPE '\')`

// orderTerms holds the WHERE terms of an OrderQuery.
type orderTerms struct {
	base     []string // status, flagged (and the cursor, added by ListOrders)
	baseArgs []any
	filter   []string // the LIKE test, and the trigram prefilter if used
	fArgs    []any
	trigram  bool // the trigram index narrows the filter
	none     bool // nothing can match
}

func (t *orderTerms) where() (string, []any) {
	w := append(append([]string{}, t.base...), t.filter...)
	a := append(append([]any{}, t.baseArgs...), t.fArgs...)
	return whereSQL(w), a
}

// orderWhere builds the WHERE terms of q (without the cursor). The filter's
// meaning is always the LIKE test; when it has 3 or more characters the
// trigram index prefilters: always for counts (forCount), else only when it
// matches few rows (a common filter is found sooner by walking the sort index
// and stopping at a page).
func (s *Store) orderWhere(ctx context.Context, q OrderQuery, forCount bool) (*orderTerms, error) {
	t := &orderTerms{}
	if len(q.Status) > 0 {
		t.base = append(t.base, `order_status IN (`+placeholders(len(q.Status))+`)`)
		for _, st := range q.Status {
			t.baseArgs = append(t.baseArgs, st)
		}
	}
	if q.FlaggedOnly {
		t.base = append(t.base, `flagged = 1`)
	}
	if q.NotIssued {
		t.base = append(t.base, notIssued)
	}
	t.base, t.baseArgs = q.Span.terms("created_at", t.base, t.baseArgs)
	if q.Filter == "" {
		return t, nil
	}
	p := likeArg(q.Filter)
	t.filter = append(t.filter, orderLike)
	t.fArgs = append(t.fArgs, p, p, p, p, p)
	if utf8.RuneCountInString(q.Filter) < 3 {
		return t, nil
	}
	use := forCount
	if !forCount {
		var n int
		err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM orders_fts WHERE orders_fts MATCH ? LIMIT ?)`,
			ftsPhrase(q.Filter), ftsPrefilterMax+1).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			t.none = true
			return t, nil
		}
		use = n <= ftsPrefilterMax
	}
	if use {
		t.filter = append(t.filter, `id IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ?)`)
		t.fArgs = append(t.fArgs, ftsPhrase(q.Filter))
		t.trigram = true
	}
	return t, nil
}

func whereSQL(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// ListOrders returns one page of orders (without Fields and Raw) and the
// cursor of the next page ("" when this is the last). Keyset pagination: the
// cost of a page does not grow with its position. A Filter of 3 or more
// characters is served by a trigram index; a shorter one that matches rarely
// costs a scan of the table (about 0.1-0.2 s at 100 000 orders).
func (s *Store) ListOrders(ctx context.Context, q OrderQuery) ([]Order, Cursor, error) {
	t, err := s.orderWhere(ctx, q, false)
	if err != nil {
		return nil, "", fmt.Errorf("list orders: %w", err)
	}
	if t.none {
		return []Order{}, "", nil
	}
	limit := limitOf(q.Limit)
	var order, sortedOrder string
	switch q.Sort {
	case ByUpdated:
		if q.After != "" {
			var at int64
			var no string
			if err := decodeCursor(q.After, &at, &no); err != nil {
				return nil, "", fmt.Errorf("list orders: %w", err)
			}
			t.base = append(t.base, `(updated_at, order_no) < (?, ?)`)
			t.baseArgs = append(t.baseArgs, at, no)
		}
		order = ` ORDER BY updated_at DESC, order_no DESC`
		sortedOrder = ` ORDER BY +updated_at DESC, +order_no DESC`
	default:
		if q.After != "" {
			var key, no string
			if err := decodeCursor(q.After, &key, &no); err != nil {
				return nil, "", fmt.Errorf("list orders: %w", err)
			}
			t.base = append(t.base, `(deadline_key, order_no) > (?, ?)`)
			t.baseArgs = append(t.baseArgs, key, no)
		}
		order = ` ORDER BY deadline_key, order_no`
		sortedOrder = ` ORDER BY +deadline_key, +order_no`
	}
	type row struct {
		o   Order
		key string
	}
	collect := func(rows *sql.Rows) ([]row, error) {
		var out []row
		for rows.Next() {
			var r row
			if err := scanOrder(rows, &r.o, &r.key); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
	var page []row
	if q.Filter != "" && !t.trigram {
		page, err = filteredPage(ctx, s.r, orderCols+`, deadline_key`, "orders", "o", t.base, t.baseArgs, t.filter, t.fArgs,
			order, sortedOrder, limit, collect)
	} else {
		where, args := t.where()
		page, err = queryCollect(ctx, s.r, collect, `SELECT `+orderCols+`, deadline_key FROM orders`+where+order+` LIMIT ?`, append(args, limit+1)...)
	}
	if err != nil {
		return nil, "", fmt.Errorf("list orders: %w", err)
	}
	out := make([]Order, len(page))
	keys := make([]string, len(page))
	for i, r := range page {
		out[i], keys[i] = r.o, r.key
	}
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		if q.Sort == ByUpdated {
			next = encodeCursor(last.UpdatedAt, last.OrderNo)
		} else {
			next = encodeCursor(keys[limit-1], last.OrderNo)
		}
	}
	return out, next, nil
}

// CountOrders counts the orders matching q (After, Sort and Limit are ignored).
func (s *Store) CountOrders(ctx context.Context, q OrderQuery) (int, error) {
	t, err := s.orderWhere(ctx, q, true)
	if err != nil {
		return 0, fmt.Errorf("count orders: %w", err)
	}
	where, args := t.where()
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM orders`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count orders: %w", err)
	}
	return n, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
