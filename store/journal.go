package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ---- events ----

// AddEvent appends an event and returns its id. At 0 means the
// transaction's time. Events are never changed or deleted.
func (t *Tx) AddEvent(e Event) (int64, error) {
	at := e.At
	if at == 0 {
		at = t.now
	}
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO events (at, kind, direction, method, ref, status, latency_ms, summary, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, at, e.Kind, e.Direction, e.Method, e.Ref, e.Status, e.LatencyMS, e.Summary, e.Detail)
	if err != nil {
		return 0, fmt.Errorf("add event %s %s: %w", e.Kind, e.Method, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add event %s %s: %w", e.Kind, e.Method, err)
	}
	return id, nil
}

// AddEvent appends an event in its own transaction and returns its id.
func (s *Store) AddEvent(ctx context.Context, e Event) (id int64, err error) {
	err = s.Update(ctx, func(t *Tx) error {
		id, err = t.AddEvent(e)
		return err
	})
	return id, err
}

const eventCols = `id, at, kind, direction, method, ref, status, latency_ms, summary, detail`

func collectEvents(rows *sql.Rows) ([]Event, error) {
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.At, &e.Kind, &e.Direction, &e.Method, &e.Ref, &e.Status, &e.LatencyMS, &e.Summary, &e.Detail); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EventsAfter returns up to limit events with id > afterID, oldest first:
// the desk's tail (poll DataVersion, then call this with the last id seen).
func (s *Store) EventsAfter(ctx context.Context, afterID int64, limit int) ([]Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventCols+` FROM events WHERE id > ? ORDER BY id LIMIT ?`, afterID, limitOf(limit))
	if err != nil {
		return nil, fmt.Errorf("read events after %d: %w", afterID, err)
	}
	out, err := collectEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("read events after %d: %w", afterID, err)
	}
	return out, nil
}

// ListEvents returns one page of events, newest first. For the next (older)
// page pass the last returned event's ID as Before.
func (s *Store) ListEvents(ctx context.Context, q EventQuery) ([]Event, error) {
	var where []string
	var args []any
	if q.Before > 0 {
		where = append(where, `id < ?`)
		args = append(args, q.Before)
	}
	if q.Ref != "" {
		where = append(where, `ref = ?`)
		args = append(args, q.Ref)
	}
	if q.Kind != "" {
		where = append(where, `kind = ?`)
		args = append(args, q.Kind)
	}
	if q.Filter != "" {
		p := likeArg(q.Filter)
		where = append(where, `(method LIKE ? ESCAPE '\' OR ref LIKE ? ESCAPE '\' OR summary LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p)
	}
	args = append(args, limitOf(q.Limit))
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventCols+` FROM events`+whereSQL(where)+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	out, err := collectEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

// LastEventID is the id of the newest event (0 if none).
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("read last event id: %w", err)
	}
	return id, nil
}

// ---- access token (1.1) ----

// SaveToken stores the access token and its expiry (unix seconds), replacing
// the previous one.
func (t *Tx) SaveToken(token string, expiresAt int64) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO token (id, access_token, expires_at, saved_at) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET access_token = excluded.access_token, expires_at = excluded.expires_at, saved_at = excluded.saved_at`,
		token, expiresAt, t.now)
	if err != nil {
		return fmt.Errorf("save access token: %w", err)
	}
	return nil
}

// AccountToken returns the stored access token of account (whose it is:
// the client's base_url and api_key) and its expiry (unix seconds);
// ErrNotFound if none was saved for that account.
func (s *Store) AccountToken(ctx context.Context, account string) (token string, expiresAt int64, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT access_token, expires_at FROM token WHERE id = 1 AND account = ? AND access_token <> ''`, account).Scan(&token, &expiresAt)
	if err != nil {
		return "", 0, notFound(err, "read access token")
	}
	return token, expiresAt, nil
}

// SaveAccountToken stores account's access token, replacing any other, and
// ends a renewal in progress.
func (s *Store) SaveAccountToken(ctx context.Context, account, token string, expiresAt int64) error {
	return s.Update(ctx, func(t *Tx) error {
		_, err := t.tx.ExecContext(t.ctx, `INSERT INTO token (id, access_token, expires_at, saved_at, account, renew_until) VALUES (1, ?, ?, ?, ?, 0)
		ON CONFLICT (id) DO UPDATE SET access_token = excluded.access_token, expires_at = excluded.expires_at,
			saved_at = excluded.saved_at, account = excluded.account, renew_until = 0`, token, expiresAt, t.now, account)
		if err != nil {
			return fmt.Errorf("save access token: %w", err)
		}
		return nil
	})
}

// ClaimTokenRenewal takes the right to renew the access token until until
// (unix ms), unless another process holds it still: one process at a time
// asks the platform for a token (protocol.md, 1.1). It reports whether the
// right was taken.
func (s *Store) ClaimTokenRenewal(ctx context.Context, account string, until int64) (bool, error) {
	var n int64
	err := s.Update(ctx, func(t *Tx) error {
		res, err := t.tx.ExecContext(t.ctx, `INSERT INTO token (id, access_token, expires_at, saved_at, account, renew_until) VALUES (1, '', 0, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET renew_until = excluded.renew_until WHERE token.renew_until < ?`, t.now, account, until, t.now)
		if err != nil {
			return fmt.Errorf("claim access token renewal: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n > 0, err
}

// EndTokenRenewal gives back the right to renew (the renewal failed), so
// that the next try need not wait for it to lapse.
func (s *Store) EndTokenRenewal(ctx context.Context) error {
	return s.Update(ctx, func(t *Tx) error {
		_, err := t.tx.ExecContext(t.ctx, `UPDATE token SET renew_until = 0 WHERE id = 1`)
		return err
	})
}

// SaveToken stores the access token in its own transaction.
func (s *Store) SaveToken(ctx context.Context, token string, expiresAt int64) error {
	return s.Update(ctx, func(t *Tx) error { return t.SaveToken(token, expiresAt) })
}

func readToken(ctx context.Context, q querier) (string, int64, error) {
	var tok string
	var exp int64
	err := q.QueryRowContext(ctx, `SELECT access_token, expires_at FROM token WHERE id = 1`).Scan(&tok, &exp)
	if err != nil {
		return "", 0, notFound(err, "read access token")
	}
	return tok, exp, nil
}

// Token returns the stored access token and its expiry (unix seconds);
// ErrNotFound if none was ever saved. Whether it is still fresh is the
// caller's decision.
func (s *Store) Token(ctx context.Context) (token string, expiresAt int64, err error) {
	return readToken(ctx, s.r)
}

// Token reads the stored access token inside the transaction (use it to
// renew the token under the write lock, so two processes do not both renew).
func (t *Tx) Token() (token string, expiresAt int64, err error) {
	return readToken(t.ctx, t.tx)
}

// ---- outbound attempts ----

// StartAttempt records an outbound call before it is sent (state "sending")
// and returns its id. request is the masked request JSON.
func (t *Tx) StartAttempt(method, ref, request string) (int64, error) {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO attempts (method, ref, request, state, started_at) VALUES (?, ?, ?, 'sending', ?)`,
		method, ref, request, t.now)
	if err != nil {
		return 0, fmt.Errorf("record attempt %s %s: %w", method, ref, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("record attempt %s %s: %w", method, ref, err)
	}
	return id, nil
}

// FinishAttempt records the outcome of attempt id: state is one of
// AttemptOK, AttemptRefused, AttemptFailed, AttemptUnknown; status and msg
// are the platform's (0/"" if none); response is the answer text. finished_at
// is the transaction's time and latency is measured from started_at.
// ErrNotFound if there is no such attempt.
func (t *Tx) FinishAttempt(id int64, state string, status int, msg, response string) error {
	switch state {
	case AttemptOK, AttemptRefused, AttemptFailed, AttemptUnknown, AttemptSending:
	default:
		return fmt.Errorf("finish attempt %d: unknown state %q", id, state)
	}
	res, err := t.tx.ExecContext(t.ctx, `UPDATE attempts SET state = ?, status = ?, msg = ?, response = ?,
		finished_at = ?, latency_ms = max(0, ? - started_at) WHERE id = ?`, state, status, msg, response, t.now, t.now, id)
	if err != nil {
		return fmt.Errorf("finish attempt %d: %w", id, err)
	}
	return affected(res, fmt.Sprintf("finish attempt %d", id))
}

// FinishAttemptSent is FinishAttempt keeping also the exact plaintext that
// was sent (secrets masked by the caller).
func (t *Tx) FinishAttemptSent(id int64, state string, status int, msg, response, plaintext string) error {
	if err := t.FinishAttempt(id, state, status, msg, response); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE attempts SET plaintext = ? WHERE id = ?`, plaintext, id); err != nil {
		return fmt.Errorf("finish attempt %d: %w", id, err)
	}
	return nil
}

// StartAttempt records an outbound call in its own transaction.
func (s *Store) StartAttempt(ctx context.Context, method, ref, request string) (id int64, err error) {
	err = s.Update(ctx, func(t *Tx) error {
		id, err = t.StartAttempt(method, ref, request)
		return err
	})
	return id, err
}

// FinishAttempt records an attempt's outcome in its own transaction.
func (s *Store) FinishAttempt(ctx context.Context, id int64, state string, status int, msg, response string) error {
	return s.Update(ctx, func(t *Tx) error { return t.FinishAttempt(id, state, status, msg, response) })
}

const attemptCols = `id, method, ref, request, state, status, msg, response, started_at, finished_at, latency_ms, plaintext`

func collectAttempts(rows *sql.Rows) ([]Attempt, error) {
	defer rows.Close()
	var out []Attempt
	for rows.Next() {
		var a Attempt
		if err := rows.Scan(&a.ID, &a.Method, &a.Ref, &a.Request, &a.State, &a.Status, &a.Msg, &a.Response,
			&a.StartedAt, &a.FinishedAt, &a.LatencyMS, &a.Plaintext); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// GetAttempt reads one attempt; ErrNotFound if unknown.
func (s *Store) GetAttempt(ctx context.Context, id int64) (Attempt, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE id = ?`, id)
	if err != nil {
		return Attempt{}, fmt.Errorf("get attempt %d: %w", id, err)
	}
	out, err := collectAttempts(rows)
	if err != nil {
		return Attempt{}, fmt.Errorf("get attempt %d: %w", id, err)
	}
	if len(out) == 0 {
		return Attempt{}, fmt.Errorf("get attempt %d: %w", id, ErrNotFound)
	}
	return out[0], nil
}

// Unresolved lists attempts whose outcome is not known (state "sending" or
// "unknown"), oldest first: calls that may or may not have reached the
// platform and need reconciling.
func (s *Store) Unresolved(ctx context.Context) ([]Attempt, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE state IN ('sending', 'unknown') ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list unresolved attempts: %w", err)
	}
	out, err := collectAttempts(rows)
	if err != nil {
		return nil, fmt.Errorf("list unresolved attempts: %w", err)
	}
	return out, nil
}

// AttemptsFor lists the attempts about ref (an order, guarantee or claim
// number), newest first, at most limit.
func (s *Store) AttemptsFor(ctx context.Context, ref string, limit int) ([]Attempt, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE ref = ? ORDER BY id DESC LIMIT ?`, ref, limitOf(limit))
	if err != nil {
		return nil, fmt.Errorf("list attempts for %s: %w", ref, err)
	}
	out, err := collectAttempts(rows)
	if err != nil {
		return nil, fmt.Errorf("list attempts for %s: %w", ref, err)
	}
	return out, nil
}

// ---- inbound ----

// InboundAnswer returns the answer stored for a callback key, and whether
// there is one (for diagnostics; Callback does the idempotency itself).
func (s *Store) InboundAnswer(ctx context.Context, method, key string) ([]byte, bool, error) {
	var a string
	err := s.r.QueryRowContext(ctx, `SELECT answer FROM inbound WHERE method = ? AND key = ?`, method, key).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read inbound %s %s: %w", method, key, err)
	}
	return []byte(a), true, nil
}
