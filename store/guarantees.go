package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Release status codes of manual 2.10 (保函解保查询).
const (
	ReleaseNoSuchGuarantee = 1 // 此保函不存在
	ReleaseNotRequested    = 2 // 未收到请求撤销通知
	ReleasePenalized       = 3 // 被罚没
	ReleasePending         = 4 // 待解保
	ReleaseDone            = 5 // 已解保
)

// releaseExpr computes the 2.10 code of guarantee row g: released wins, then
// a penalty list, then a success/current list, else not requested. Items
// count only when both guarantee_no and serial_num match.
const releaseExpr = `CASE
	WHEN g.released_at <> 0 THEN 5
	WHEN EXISTS (SELECT 1 FROM revocation_items i WHERE i.guarantee_no = g.guarantee_no
		AND i.serial_num = g.serial_num AND i.list = 'penalty') THEN 3
	WHEN EXISTS (SELECT 1 FROM revocation_items i WHERE i.guarantee_no = g.guarantee_no
		AND i.serial_num = g.serial_num AND i.list IN ('success', 'current')) THEN 4
	ELSE 2 END`

const guaranteeCols = `g.guarantee_no, g.order_no, g.serial_num, g.block_number, g.block_name,
	g.principal, g.creditor, g.guarantor, g.pdf_sha256, g.pdf_size, g.out_guarantee_time,
	g.trans_no, g.pushed_at, g.released_at, g.release_date, g.created_at, g.updated_at, ` + releaseExpr + `, g.release_doubt`

func scanGuarantee(sc interface{ Scan(...any) error }, g *Guarantee, extra ...any) error {
	dst := []any{&g.GuaranteeNo, &g.OrderNo, &g.SerialNum, &g.BlockNumber, &g.BlockName,
		&g.Principal, &g.Creditor, &g.Guarantor, &g.PDFSHA256, &g.PDFSize, &g.OutGuaranteeTime,
		&g.TransNo, &g.PushedAt, &g.ReleasedAt, &g.ReleaseDate, &g.CreatedAt, &g.UpdatedAt, &g.ReleaseStatus, &g.ReleaseDoubtAt}
	return sc.Scan(append(dst, extra...)...)
}

func getGuarantee(ctx context.Context, q querier, where string, arg any, what string) (Guarantee, error) {
	var g Guarantee
	var fields string
	err := scanGuarantee(q.QueryRowContext(ctx, `SELECT `+guaranteeCols+`, g.fields FROM guarantees g WHERE `+where+` ORDER BY g.created_at LIMIT 1`, arg), &g, &fields)
	if err != nil {
		return Guarantee{}, notFound(err, what)
	}
	g.Fields = rawMsg(fields)
	return g, nil
}

// GetGuarantee reads one guarantee by guarantee_no; ErrNotFound if unknown.
func (s *Store) GetGuarantee(ctx context.Context, guaranteeNo string) (Guarantee, error) {
	return getGuarantee(ctx, s.r, `g.guarantee_no = ?`, guaranteeNo, "get guarantee "+guaranteeNo)
}

// GetGuarantee reads one guarantee inside the transaction.
func (t *Tx) GetGuarantee(guaranteeNo string) (Guarantee, error) {
	return getGuarantee(t.ctx, t.tx, `g.guarantee_no = ?`, guaranteeNo, "get guarantee "+guaranteeNo)
}

// GuaranteeBySerial reads the guarantee with this serial_num (保函序列号);
// ErrNotFound if none (or serial is empty).
func (s *Store) GuaranteeBySerial(ctx context.Context, serial string) (Guarantee, error) {
	if serial == "" {
		return Guarantee{}, fmt.Errorf("get guarantee by empty serial_num: %w", ErrNotFound)
	}
	return getGuarantee(ctx, s.r, `g.serial_num = ?`, serial, "get guarantee with serial_num "+serial)
}

// GuaranteeBySerial reads the guarantee with this serial_num inside the transaction.
func (t *Tx) GuaranteeBySerial(serial string) (Guarantee, error) {
	if serial == "" {
		return Guarantee{}, fmt.Errorf("get guarantee by empty serial_num: %w", ErrNotFound)
	}
	return getGuarantee(t.ctx, t.tx, `g.serial_num = ?`, serial, "get guarantee with serial_num "+serial)
}

// GuaranteesForOrder lists the guarantees issued for an order, oldest first
// (without Fields).
func (s *Store) GuaranteesForOrder(ctx context.Context, orderNo string) ([]Guarantee, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+guaranteeCols+` FROM guarantees g WHERE g.order_no = ? ORDER BY g.created_at, g.guarantee_no`, orderNo)
	if err != nil {
		return nil, fmt.Errorf("guarantees for order %s: %w", orderNo, err)
	}
	defer rows.Close()
	var out []Guarantee
	for rows.Next() {
		var g Guarantee
		if err := scanGuarantee(rows, &g); err != nil {
			return nil, fmt.Errorf("guarantees for order %s: %w", orderNo, err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("guarantees for order %s: %w", orderNo, err)
	}
	return out, nil
}

// PutGuarantee inserts the guarantee or updates the stored one: non-empty
// text and non-zero numbers replace stored values, empty/zero keep them;
// Fields is merged key by key; created_at is kept. ReleaseStatus is ignored.
// Typical use: record it before the 2.5 push (no SerialNum, PushedAt 0), then
// PutGuarantee{GuaranteeNo, SerialNum, PushedAt} once the platform answered.
func (t *Tx) PutGuarantee(g Guarantee) error {
	if g.GuaranteeNo == "" {
		return errors.New("put guarantee: empty guarantee_no")
	}
	var old string
	err := t.tx.QueryRowContext(t.ctx, `SELECT fields FROM guarantees WHERE guarantee_no = ?`, g.GuaranteeNo).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("put guarantee %s: %w", g.GuaranteeNo, err)
	}
	fields, err := mergeFields(old, g.Fields)
	if err != nil {
		return fmt.Errorf("put guarantee %s: %w", g.GuaranteeNo, err)
	}
	_, err = t.tx.ExecContext(t.ctx, `
INSERT INTO guarantees (guarantee_no, order_no, serial_num, block_number, block_name, principal,
	creditor, guarantor, pdf_sha256, pdf_size, out_guarantee_time, trans_no, pushed_at,
	released_at, release_date, fields, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (guarantee_no) DO UPDATE SET
	`+keepAll("order_no", "serial_num", "block_number", "block_name", "principal", "creditor",
		"guarantor", "pdf_sha256", "out_guarantee_time", "trans_no", "release_date")+`,
	`+keepInt("pdf_size")+`,
	`+keepInt("pushed_at")+`,
	`+keepInt("released_at")+`,
	fields = excluded.fields,
	updated_at = excluded.updated_at`,
		g.GuaranteeNo, g.OrderNo, g.SerialNum, g.BlockNumber, g.BlockName, g.Principal,
		g.Creditor, g.Guarantor, g.PDFSHA256, g.PDFSize, g.OutGuaranteeTime, g.TransNo, g.PushedAt,
		g.ReleasedAt, g.ReleaseDate, fields, t.now, t.now)
	if err != nil {
		return fmt.Errorf("put guarantee %s: %w", g.GuaranteeNo, err)
	}
	return nil
}

// MarkReleased records that the guarantee was released (2.9 accepted) with
// the remove_guarantee_date sent; released_at is the transaction's time.
// ErrNotFound if the guarantee is unknown.
func (t *Tx) MarkReleased(guaranteeNo, date string) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE guarantees SET released_at = ?, release_date = ?, release_doubt = 0, updated_at = ? WHERE guarantee_no = ?`,
		t.now, date, t.now, guaranteeNo)
	if err != nil {
		return fmt.Errorf("mark guarantee %s released: %w", guaranteeNo, err)
	}
	return affected(res, "mark guarantee "+guaranteeNo+" released")
}

// SetReleaseDoubt records (doubt true) that a 2.9 answer left the
// guarantee's release in doubt (解保结果不明, protocol.md 2.9), or (false)
// that a later answer settled it as refused. ErrNotFound if unknown.
func (t *Tx) SetReleaseDoubt(guaranteeNo string, doubt bool) error {
	at := int64(0)
	if doubt {
		at = t.now
	}
	res, err := t.tx.ExecContext(t.ctx, `UPDATE guarantees SET release_doubt = ?, updated_at = ? WHERE guarantee_no = ? AND released_at = 0`,
		at, t.now, guaranteeNo)
	if err != nil {
		return fmt.Errorf("mark guarantee %s release in doubt: %w", guaranteeNo, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		if _, err := t.GetGuarantee(guaranteeNo); err != nil {
			return err
		}
	}
	return nil
}

func releaseStatus(ctx context.Context, q querier, guaranteeNo, serialNum string) (int, string, error) {
	if guaranteeNo == "" || serialNum == "" {
		return ReleaseNoSuchGuarantee, "", nil
	}
	var code int
	var date string
	err := q.QueryRowContext(ctx, `SELECT `+releaseExpr+`, g.release_date FROM guarantees g
		WHERE g.guarantee_no = ? AND g.serial_num = ?`, guaranteeNo, serialNum).Scan(&code, &date)
	if errors.Is(err, sql.ErrNoRows) {
		return ReleaseNoSuchGuarantee, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("release status of guarantee %s: %w", guaranteeNo, err)
	}
	if code != ReleaseDone {
		date = ""
	}
	return code, date, nil
}

// ReleaseStatus answers manual 2.10 for a guarantee_no and serial_num:
// 1 此保函不存在 (no guarantee with that number and serial), 2 未收到请求撤销通知
// (in no revocation list), 3 被罚没 (in a penalty list), 4 待解保 (in a success
// or current list, not released), 5 已解保 (released; date is the
// remove_guarantee_date sent, else "").
func (s *Store) ReleaseStatus(ctx context.Context, guaranteeNo, serialNum string) (code int, date string, err error) {
	return releaseStatus(ctx, s.r, guaranteeNo, serialNum)
}

// ReleaseStatus is Store.ReleaseStatus inside the transaction.
func (t *Tx) ReleaseStatus(guaranteeNo, serialNum string) (code int, date string, err error) {
	return releaseStatus(t.ctx, t.tx, guaranteeNo, serialNum)
}

func guaranteeWhere(q GuaranteeQuery) (base []string, baseArgs []any, filter []string, fArgs []any) {
	if q.Filter != "" {
		p := likeArg(q.Filter)
		filter = append(filter, `(g.guarantee_no LIKE ? ESCAPE '\' OR g.order_no LIKE ? ESCAPE '\' OR g.serial_num LIKE ? ESCAPE '\'
			OR g.block_number LIKE ? ESCAPE '\' OR g.principal LIKE ? ESCAPE '\' OR g.creditor LIKE ? ESCAPE '\' OR g.block_name LIKE ? ESCAPE '\')`)
		fArgs = append(fArgs, p, p, p, p, p, p, p)
	}
	if q.Unreleased {
		base = append(base, `g.released_at = 0`)
	}
	if q.Released {
		base = append(base, `g.released_at > 0`)
	}
	base, baseArgs = q.Span.terms("g.created_at", base, baseArgs)
	return base, baseArgs, filter, fArgs
}

func collectGuarantees(rows *sql.Rows) ([]Guarantee, error) {
	var out []Guarantee
	for rows.Next() {
		var g Guarantee
		if err := scanGuarantee(rows, &g); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ListGuarantees returns one page of guarantees, newest first (without
// Fields), with ReleaseStatus filled, and the next page's cursor.
func (s *Store) ListGuarantees(ctx context.Context, q GuaranteeQuery) ([]Guarantee, Cursor, error) {
	base, baseArgs, filter, fArgs := guaranteeWhere(q)
	limit := limitOf(q.Limit)
	if q.After != "" {
		var at int64
		var no string
		if err := decodeCursor(q.After, &at, &no); err != nil {
			return nil, "", fmt.Errorf("list guarantees: %w", err)
		}
		base = append(base, `(g.created_at, g.guarantee_no) < (?, ?)`)
		baseArgs = append(baseArgs, at, no)
	}
	const order = ` ORDER BY g.created_at DESC, g.guarantee_no DESC`
	var out []Guarantee
	var err error
	if len(filter) > 0 {
		out, err = filteredPage(ctx, s.r, guaranteeCols, "guarantees", "g", base, baseArgs, filter, fArgs,
			order, ` ORDER BY +g.created_at DESC, +g.guarantee_no DESC`, limit, collectGuarantees)
	} else {
		out, err = queryCollect(ctx, s.r, collectGuarantees, `SELECT `+guaranteeCols+` FROM guarantees g`+whereSQL(base)+order+` LIMIT ?`,
			append(baseArgs, limit+1)...)
	}
	if err != nil {
		return nil, "", fmt.Errorf("list guarantees: %w", err)
	}
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].CreatedAt, out[limit-1].GuaranteeNo)
	}
	return out, next, nil
}

// CountGuarantees counts the guarantees matching q.
func (s *Store) CountGuarantees(ctx context.Context, q GuaranteeQuery) (int, error) {
	base, args, filter, fArgs := guaranteeWhere(q)
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM guarantees g`+whereSQL(append(base, filter...)), append(args, fArgs...)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count guarantees: %w", err)
	}
	return n, nil
}
