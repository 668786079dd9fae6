package store

import (
	"context"
	"errors"
	"fmt"
)

// PutRevocation stores a 2.8 batch with its items, replacing a stored batch
// with the same revoke_no (its items are replaced; received_at is kept).
// ReceivedAt 0 means the transaction's time. Each item's List must be
// ListSuccess, ListCurrent or ListPenalty.
func (t *Tx) PutRevocation(r Revocation) error {
	if r.RevokeNo == "" {
		return errors.New("put revocation: empty revoke_no")
	}
	for _, it := range r.Items {
		switch it.List {
		case ListSuccess, ListCurrent, ListPenalty:
		default:
			return fmt.Errorf("put revocation %s: item %s: unknown list %q", r.RevokeNo, it.GuaranteeNo, it.List)
		}
	}
	raw, err := rawText(r.Raw)
	if err != nil {
		return fmt.Errorf("put revocation %s: %w", r.RevokeNo, err)
	}
	at := r.ReceivedAt
	if at == 0 {
		at = t.now
	}
	_, err = t.tx.ExecContext(t.ctx, `
INSERT INTO revocations (revoke_no, block_number, block_name, creditor, note, declare_file_sha256,
	declare_file_hash_claimed, data, raw, received_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (revoke_no) DO UPDATE SET
	block_number = excluded.block_number, block_name = excluded.block_name,
	creditor = excluded.creditor, note = excluded.note,
	declare_file_sha256 = excluded.declare_file_sha256,
	declare_file_hash_claimed = excluded.declare_file_hash_claimed,
	data = excluded.data, raw = excluded.raw, updated_at = excluded.updated_at`,
		r.RevokeNo, r.BlockNumber, r.BlockName, r.Creditor, r.Note, r.DeclareFileSHA256,
		r.DeclareFileHashClaimed, r.Data, raw, at, t.now)
	if err != nil {
		return fmt.Errorf("put revocation %s: %w", r.RevokeNo, err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM revocation_items WHERE revoke_no = ?`, r.RevokeNo); err != nil {
		return fmt.Errorf("put revocation %s: clear items: %w", r.RevokeNo, err)
	}
	for i, it := range r.Items {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO revocation_items (revoke_no, list, seq, guarantee_no, principal, serial_num)
			VALUES (?, ?, ?, ?, ?, ?)`, r.RevokeNo, it.List, i, it.GuaranteeNo, it.Principal, it.SerialNum); err != nil {
			return fmt.Errorf("put revocation %s: item %s: %w", r.RevokeNo, it.GuaranteeNo, err)
		}
	}
	return nil
}

const revocationCols = `r.revoke_no, r.block_number, r.block_name, r.creditor, r.note,
	r.declare_file_sha256, r.declare_file_hash_claimed, r.data, r.received_at`

func scanRevocation(sc interface{ Scan(...any) error }, r *Revocation, extra ...any) error {
	dst := []any{&r.RevokeNo, &r.BlockNumber, &r.BlockName, &r.Creditor, &r.Note,
		&r.DeclareFileSHA256, &r.DeclareFileHashClaimed, &r.Data, &r.ReceivedAt}
	return sc.Scan(append(dst, extra...)...)
}

// loadItems fills the Items of the given revocations (one query).
func loadItems(ctx context.Context, q querier, revs []Revocation) error {
	if len(revs) == 0 {
		return nil
	}
	idx := make(map[string]int, len(revs))
	args := make([]any, len(revs))
	for i := range revs {
		idx[revs[i].RevokeNo] = i
		args[i] = revs[i].RevokeNo
		revs[i].Items = []RevocationItem{}
	}
	rows, err := q.QueryContext(ctx, `SELECT revoke_no, list, guarantee_no, principal, serial_num FROM revocation_items
		WHERE revoke_no IN (`+placeholders(len(args))+`) ORDER BY revoke_no,
		CASE list WHEN 'success' THEN 0 WHEN 'current' THEN 1 ELSE 2 END, seq`, args...)
	if err != nil {
		return fmt.Errorf("read revocation items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var no string
		var it RevocationItem
		if err := rows.Scan(&no, &it.List, &it.GuaranteeNo, &it.Principal, &it.SerialNum); err != nil {
			return fmt.Errorf("read revocation items: %w", err)
		}
		if i, ok := idx[no]; ok {
			revs[i].Items = append(revs[i].Items, it)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read revocation items: %w", err)
	}
	return nil
}

func getRevocation(ctx context.Context, q querier, revokeNo string) (Revocation, error) {
	var r Revocation
	var raw string
	if err := scanRevocation(q.QueryRowContext(ctx, `SELECT `+revocationCols+`, r.raw FROM revocations r WHERE r.revoke_no = ?`, revokeNo), &r, &raw); err != nil {
		return Revocation{}, notFound(err, "get revocation "+revokeNo)
	}
	r.Raw = rawMsg(raw)
	revs := []Revocation{r}
	if err := loadItems(ctx, q, revs); err != nil {
		return Revocation{}, fmt.Errorf("get revocation %s: %w", revokeNo, err)
	}
	return revs[0], nil
}

// GetRevocation reads one batch with its items; ErrNotFound if unknown.
func (s *Store) GetRevocation(ctx context.Context, revokeNo string) (Revocation, error) {
	return getRevocation(ctx, s.r, revokeNo)
}

// GetRevocation reads one batch with its items inside the transaction.
func (t *Tx) GetRevocation(revokeNo string) (Revocation, error) {
	return getRevocation(t.ctx, t.tx, revokeNo)
}

// RevocationsForGuarantee lists the batches that name guaranteeNo in any of
// their lists, oldest first, with all their items (without Raw).
func (s *Store) RevocationsForGuarantee(ctx context.Context, guaranteeNo string) ([]Revocation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+revocationCols+` FROM revocations r
		WHERE r.revoke_no IN (SELECT revoke_no FROM revocation_items WHERE guarantee_no = ?)
		ORDER BY r.received_at, r.revoke_no`, guaranteeNo)
	if err != nil {
		return nil, fmt.Errorf("revocations for guarantee %s: %w", guaranteeNo, err)
	}
	revs, err := collectRevocations(rows)
	if err != nil {
		return nil, fmt.Errorf("revocations for guarantee %s: %w", guaranteeNo, err)
	}
	if err := loadItems(ctx, s.r, revs); err != nil {
		return nil, fmt.Errorf("revocations for guarantee %s: %w", guaranteeNo, err)
	}
	return revs, nil
}

func collectRevocations(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]Revocation, error) {
	defer rows.Close()
	var out []Revocation
	for rows.Next() {
		var r Revocation
		if err := scanRevocation(rows, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func revocationWhere(q RevocationQuery) ([]string, []any) {
	var where []string
	var args []any
	if q.Filter != "" {
		p := likeArg(q.Filter)
		where = append(where, `(r.revoke_no LIKE ? ESCAPE '\' OR r.block_number LIKE ? ESCAPE '\'
			OR r.block_name LIKE ? ESCAPE '\' OR r.creditor LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM revocation_items i WHERE i.revoke_no = r.revoke_no
				AND (i.guarantee_no LIKE ? ESCAPE '\' OR i.principal LIKE ? ESCAPE '\')))`)
		args = append(args, p, p, p, p, p, p)
	}
	where, args = q.Span.terms("r.received_at", where, args)
	return where, args
}

// ListRevocations returns one page of batches, newest first, with their items
// (without Raw), and the next page's cursor.
func (s *Store) ListRevocations(ctx context.Context, q RevocationQuery) ([]Revocation, Cursor, error) {
	where, args := revocationWhere(q)
	limit := limitOf(q.Limit)
	if q.After != "" {
		var at int64
		var no string
		if err := decodeCursor(q.After, &at, &no); err != nil {
			return nil, "", fmt.Errorf("list revocations: %w", err)
		}
		where = append(where, `(r.received_at, r.revoke_no) < (?, ?)`)
		args = append(args, at, no)
	}
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, `SELECT `+revocationCols+` FROM revocations r`+whereSQL(where)+
		` ORDER BY r.received_at DESC, r.revoke_no DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list revocations: %w", err)
	}
	out, err := collectRevocations(rows)
	if err != nil {
		return nil, "", fmt.Errorf("list revocations: %w", err)
	}
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ReceivedAt, out[limit-1].RevokeNo)
	}
	if err := loadItems(ctx, s.r, out); err != nil {
		return nil, "", fmt.Errorf("list revocations: %w", err)
	}
	return out, next, nil
}

// CountRevocations counts the batches matching q.
func (s *Store) CountRevocations(ctx context.Context, q RevocationQuery) (int, error) {
	where, args := revocationWhere(q)
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM revocations r`+whereSQL(where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count revocations: %w", err)
	}
	return n, nil
}
