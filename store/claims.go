package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// PutClaim inserts the claim or updates the stored one (by claim_no):
// non-empty text replaces stored values, empty keeps them (so a 3.3 answer
// without files keeps the guarantee_pdf_sha256); Status, when not empty,
// becomes the latest status and is added to the claim's status history (a
// status is recorded once, with when it was first seen); Fields is merged;
// Raw replaces when not empty; Attachments are added (an attachment with the
// same field and sha256 is kept once). received_at is kept.
func (t *Tx) PutClaim(c Claim) error {
	if c.ClaimNo == "" {
		return errors.New("put claim: empty claim_no")
	}
	var old string
	err := t.tx.QueryRowContext(t.ctx, `SELECT fields FROM claims WHERE claim_no = ?`, c.ClaimNo).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("put claim %s: %w", c.ClaimNo, err)
	}
	fields, err := mergeFields(old, c.Fields)
	if err != nil {
		return fmt.Errorf("put claim %s: %w", c.ClaimNo, err)
	}
	raw, err := rawText(c.Raw)
	if err != nil {
		return fmt.Errorf("put claim %s: %w", c.ClaimNo, err)
	}
	_, err = t.tx.ExecContext(t.ctx, `
INSERT INTO claims (claim_no, status, guarantee_no, block_number, block_name, principal, creditor,
	guarantor, out_guarantee, claim_amount, claim_reason, contact_person, contact_phone, contact_mail,
	guarantee_pdf_sha256, fields, raw, received_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (claim_no) DO UPDATE SET
	`+keepAll("status", "guarantee_no", "block_number", "block_name", "principal", "creditor",
		"guarantor", "out_guarantee", "claim_amount", "claim_reason", "contact_person", "contact_phone",
		"contact_mail", "guarantee_pdf_sha256", "raw")+`,
	fields = excluded.fields,
	updated_at = excluded.updated_at`,
		c.ClaimNo, c.Status, c.GuaranteeNo, c.BlockNumber, c.BlockName, c.Principal, c.Creditor,
		c.Guarantor, c.OutGuarantee, c.ClaimAmount, c.ClaimReason, c.ContactPerson, c.ContactPhone, c.ContactMail,
		c.GuaranteePDFSHA256, fields, raw, t.now, t.now)
	if err != nil {
		return fmt.Errorf("put claim %s: %w", c.ClaimNo, err)
	}
	if c.Status != "" {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO claim_statuses (claim_no, status, at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, c.ClaimNo, c.Status, t.now); err != nil {
			return fmt.Errorf("put claim %s: status %s: %w", c.ClaimNo, c.Status, err)
		}
	}
	for _, a := range c.Attachments {
		if !ValidSHA256(a.SHA256) {
			return fmt.Errorf("put claim %s: attachment %s: %w", c.ClaimNo, a.Field, ErrBadHash)
		}
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO claim_attachments (claim_no, field, name, size, sha256, unsafe, at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, c.ClaimNo, a.Field, a.Name, a.Size, a.SHA256, a.Unsafe, t.now); err != nil {
			return fmt.Errorf("put claim %s: attachment %s: %w", c.ClaimNo, a.Field, err)
		}
	}
	return nil
}

// AddClaimResult records what we sent with 3.2 for an existing claim and
// returns its id. At 0 means the transaction's time.
func (t *Tx) AddClaimResult(r ClaimResult) (int64, error) {
	at := r.At
	if at == 0 {
		at = t.now
	}
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO claim_results (claim_no, do_type, status, note, attempt_id, at)
		VALUES (?, ?, ?, ?, ?, ?)`, r.ClaimNo, r.DoType, r.Status, r.Note, r.AttemptID, at)
	if err != nil {
		return 0, fmt.Errorf("add claim result for %s: %w", r.ClaimNo, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add claim result for %s: %w", r.ClaimNo, err)
	}
	return id, nil
}

const claimCols = `c.claim_no, c.status, c.guarantee_no, c.block_number, c.block_name, c.principal,
	c.creditor, c.guarantor, c.out_guarantee, c.claim_amount, c.claim_reason, c.contact_person,
	c.contact_phone, c.contact_mail, c.guarantee_pdf_sha256, c.received_at, c.updated_at`

func scanClaim(sc interface{ Scan(...any) error }, c *Claim, extra ...any) error {
	dst := []any{&c.ClaimNo, &c.Status, &c.GuaranteeNo, &c.BlockNumber, &c.BlockName, &c.Principal,
		&c.Creditor, &c.Guarantor, &c.OutGuarantee, &c.ClaimAmount, &c.ClaimReason, &c.ContactPerson,
		&c.ContactPhone, &c.ContactMail, &c.GuaranteePDFSHA256, &c.ReceivedAt, &c.UpdatedAt}
	return sc.Scan(append(dst, extra...)...)
}

// loadAttachments fills the Attachments of the given claims (one query).
func loadAttachments(ctx context.Context, q querier, claims []Claim) error {
	if len(claims) == 0 {
		return nil
	}
	idx := make(map[string]int, len(claims))
	args := make([]any, len(claims))
	for i := range claims {
		idx[claims[i].ClaimNo] = i
		args[i] = claims[i].ClaimNo
		claims[i].Attachments = []ClaimAttachment{}
	}
	rows, err := q.QueryContext(ctx, `SELECT claim_no, field, name, size, sha256, unsafe FROM claim_attachments
		WHERE claim_no IN (`+placeholders(len(args))+`) ORDER BY claim_no, at, field, sha256`, args...)
	if err != nil {
		return fmt.Errorf("read claim attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var no string
		var a ClaimAttachment
		if err := rows.Scan(&no, &a.Field, &a.Name, &a.Size, &a.SHA256, &a.Unsafe); err != nil {
			return fmt.Errorf("read claim attachments: %w", err)
		}
		if i, ok := idx[no]; ok {
			claims[i].Attachments = append(claims[i].Attachments, a)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read claim attachments: %w", err)
	}
	return nil
}

func getClaim(ctx context.Context, q querier, claimNo string) (Claim, error) {
	var c Claim
	var fields, raw string
	if err := scanClaim(q.QueryRowContext(ctx, `SELECT `+claimCols+`, c.fields, c.raw FROM claims c WHERE c.claim_no = ?`, claimNo), &c, &fields, &raw); err != nil {
		return Claim{}, notFound(err, "get claim "+claimNo)
	}
	c.Fields, c.Raw = rawMsg(fields), rawMsg(raw)
	cs := []Claim{c}
	if err := loadAttachments(ctx, q, cs); err != nil {
		return Claim{}, fmt.Errorf("get claim %s: %w", claimNo, err)
	}
	c = cs[0]

	rows, err := q.QueryContext(ctx, `SELECT status, at FROM claim_statuses WHERE claim_no = ? ORDER BY at, rowid`, claimNo)
	if err != nil {
		return Claim{}, fmt.Errorf("get claim %s statuses: %w", claimNo, err)
	}
	for rows.Next() {
		var st ClaimStatus
		if err := rows.Scan(&st.Status, &st.At); err != nil {
			rows.Close()
			return Claim{}, fmt.Errorf("get claim %s statuses: %w", claimNo, err)
		}
		c.Statuses = append(c.Statuses, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Claim{}, fmt.Errorf("get claim %s statuses: %w", claimNo, err)
	}

	rows, err = q.QueryContext(ctx, `SELECT id, claim_no, do_type, status, note, attempt_id, at FROM claim_results WHERE claim_no = ? ORDER BY id`, claimNo)
	if err != nil {
		return Claim{}, fmt.Errorf("get claim %s results: %w", claimNo, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ClaimResult
		if err := rows.Scan(&r.ID, &r.ClaimNo, &r.DoType, &r.Status, &r.Note, &r.AttemptID, &r.At); err != nil {
			return Claim{}, fmt.Errorf("get claim %s results: %w", claimNo, err)
		}
		c.Results = append(c.Results, r)
	}
	if err := rows.Err(); err != nil {
		return Claim{}, fmt.Errorf("get claim %s results: %w", claimNo, err)
	}
	return c, nil
}

// GetClaim reads one claim with its attachments, status history and the
// results we sent; ErrNotFound if unknown.
func (s *Store) GetClaim(ctx context.Context, claimNo string) (Claim, error) {
	return getClaim(ctx, s.r, claimNo)
}

// GetClaim reads one claim inside the transaction.
func (t *Tx) GetClaim(claimNo string) (Claim, error) {
	return getClaim(t.ctx, t.tx, claimNo)
}

func collectClaims(rows *sql.Rows) ([]Claim, error) {
	defer rows.Close()
	var out []Claim
	for rows.Next() {
		var c Claim
		if err := scanClaim(rows, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClaimsForGuarantee lists the claims on a guarantee, oldest first, with
// attachments (without Fields, Raw, Statuses, Results).
func (s *Store) ClaimsForGuarantee(ctx context.Context, guaranteeNo string) ([]Claim, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+claimCols+` FROM claims c WHERE c.guarantee_no = ? ORDER BY c.received_at, c.claim_no`, guaranteeNo)
	if err != nil {
		return nil, fmt.Errorf("claims for guarantee %s: %w", guaranteeNo, err)
	}
	out, err := collectClaims(rows)
	if err == nil {
		err = loadAttachments(ctx, s.r, out)
	}
	if err != nil {
		return nil, fmt.Errorf("claims for guarantee %s: %w", guaranteeNo, err)
	}
	return out, nil
}

func claimWhere(q ClaimQuery) ([]string, []any) {
	var where []string
	var args []any
	if q.Filter != "" {
		p := likeArg(q.Filter)
		where = append(where, `(c.claim_no LIKE ? ESCAPE '\' OR c.guarantee_no LIKE ? ESCAPE '\'
			OR c.block_number LIKE ? ESCAPE '\' OR c.block_name LIKE ? ESCAPE '\'
			OR c.principal LIKE ? ESCAPE '\' OR c.creditor LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p, p, p, p)
	}
	where, args = q.Span.terms("c.received_at", where, args)
	if len(q.Status) > 0 {
		where = append(where, `c.status IN (`+placeholders(len(q.Status))+`)`)
		for _, st := range q.Status {
			args = append(args, st)
		}
	}
	return where, args
}

// ListClaims returns one page of claims, most recently changed first, with
// attachments (without Fields, Raw, Statuses, Results), and the next page's
// cursor.
func (s *Store) ListClaims(ctx context.Context, q ClaimQuery) ([]Claim, Cursor, error) {
	where, args := claimWhere(q)
	limit := limitOf(q.Limit)
	if q.After != "" {
		var at int64
		var no string
		if err := decodeCursor(q.After, &at, &no); err != nil {
			return nil, "", fmt.Errorf("list claims: %w", err)
		}
		where = append(where, `(c.updated_at, c.claim_no) < (?, ?)`)
		args = append(args, at, no)
	}
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, `SELECT `+claimCols+` FROM claims c`+whereSQL(where)+
		` ORDER BY c.updated_at DESC, c.claim_no DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list claims: %w", err)
	}
	out, err := collectClaims(rows)
	if err != nil {
		return nil, "", fmt.Errorf("list claims: %w", err)
	}
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].UpdatedAt, out[limit-1].ClaimNo)
	}
	if err := loadAttachments(ctx, s.r, out); err != nil {
		return nil, "", fmt.Errorf("list claims: %w", err)
	}
	return out, next, nil
}

// CountClaims counts the claims matching q.
func (s *Store) CountClaims(ctx context.Context, q ClaimQuery) (int, error) {
	where, args := claimWhere(q)
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM claims c`+whereSQL(where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count claims: %w", err)
	}
	return n, nil
}
