package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// States of a held callback.
const (
	HeldHeld      = "held"      // waits for the clerk; repeats are refused
	HeldAccepted  = "accepted"  // applied; repeats are answered 200
	HeldDismissed = "dismissed" // kept refusing
)

// HeldFile is a file that came with a held callback, kept in the file store.
type HeldFile struct {
	Field  string `json:"field"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Omitted: the file was over the listener's bound per file (or the
	// spool budget); only its name, size and SHA-256 are kept.
	Omitted bool `json:"omitted,omitempty"`
}

// Held is an authentic callback that failed a 假通知 check (protocol.md,
// "Repeats, conflicts and held callbacks"): stored apart from the records
// with the reason, its exact plaintext and its files.
type Held struct {
	ID         int64      `json:"id"`
	Method     string     `json:"method"`
	Key        string     `json:"key"` // content key: the fields but timestamp and sign
	Ref        string     `json:"ref"` // the number it is about
	Reason     string     `json:"reason"`
	Plaintext  string     `json:"plaintext"`
	Files      []HeldFile `json:"files"`
	State      string     `json:"state"`
	Repeats    int        `json:"repeats"`
	Note       string     `json:"note"`
	ReceivedAt int64      `json:"received_at"` // unix ms
	LastAt     int64      `json:"last_at"`     // unix ms of the latest repeat
	DecidedAt  int64      `json:"decided_at"`  // unix ms, 0 while held
}

const heldCols = `id, method, key, ref, reason, plaintext, files, state, repeats, note, received_at, last_at, decided_at`

func collectHeld(rows *sql.Rows) ([]Held, error) {
	defer rows.Close()
	out := []Held{}
	for rows.Next() {
		var h Held
		var files string
		if err := rows.Scan(&h.ID, &h.Method, &h.Key, &h.Ref, &h.Reason, &h.Plaintext, &files, &h.State,
			&h.Repeats, &h.Note, &h.ReceivedAt, &h.LastAt, &h.DecidedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(files), &h.Files); err != nil || h.Files == nil {
			h.Files = []HeldFile{}
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Hold stores an authentic callback that failed a check, or, when the same
// content (method, key) is held already, counts a repeat and updates its
// reason (a check may fail differently now). It returns the stored row.
func (t *Tx) Hold(h Held) (Held, error) {
	if h.Method == "" || h.Key == "" {
		return Held{}, errors.New("hold callback: empty method or key")
	}
	files := h.Files
	if files == nil {
		files = []HeldFile{}
	}
	fj, err := marshalNoEscape(files)
	if err != nil {
		return Held{}, fmt.Errorf("hold callback %s: %w", h.Method, err)
	}
	_, err = t.tx.ExecContext(t.ctx, `
INSERT INTO held (method, key, ref, reason, plaintext, files, received_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (method, key) DO UPDATE SET repeats = repeats + 1, last_at = excluded.last_at,
	reason = CASE WHEN state = 'held' THEN excluded.reason ELSE reason END`,
		h.Method, h.Key, h.Ref, h.Reason, h.Plaintext, fj, t.now, t.now)
	if err != nil {
		return Held{}, fmt.Errorf("hold callback %s %s: %w", h.Method, h.Ref, err)
	}
	return t.HeldByKey(h.Method, h.Key)
}

// HeldByKey reads the held callback of (method, key); ErrNotFound if none.
func (t *Tx) HeldByKey(method, key string) (Held, error) {
	out, err := queryCollect(t.ctx, t.tx, collectHeld, `SELECT `+heldCols+` FROM held WHERE method = ? AND key = ?`, method, key)
	if err != nil {
		return Held{}, fmt.Errorf("read held callback %s: %w", method, err)
	}
	if len(out) == 0 {
		return Held{}, fmt.Errorf("held callback %s %s: %w", method, key, ErrNotFound)
	}
	return out[0], nil
}

// GetHeld reads one held callback; ErrNotFound if unknown.
func (t *Tx) GetHeld(id int64) (Held, error) { return getHeld(t.ctx, t.tx, id) }

// GetHeld reads one held callback; ErrNotFound if unknown.
func (s *Store) GetHeld(ctx context.Context, id int64) (Held, error) { return getHeld(ctx, s.r, id) }

func getHeld(ctx context.Context, q querier, id int64) (Held, error) {
	out, err := queryCollect(ctx, q, collectHeld, `SELECT `+heldCols+` FROM held WHERE id = ?`, id)
	if err != nil {
		return Held{}, fmt.Errorf("read held callback %d: %w", id, err)
	}
	if len(out) == 0 {
		return Held{}, fmt.Errorf("held callback %d: %w", id, ErrNotFound)
	}
	return out[0], nil
}

// DecideHeld sets a held callback's state (HeldAccepted or HeldDismissed)
// with the clerk's note.
func (t *Tx) DecideHeld(id int64, state, note string) error {
	if state != HeldAccepted && state != HeldDismissed {
		return fmt.Errorf("decide held callback %d: bad state %q", id, state)
	}
	// Only a callback still held: a second decision (the desk and the CLI
	// at once) finds it decided and changes nothing.
	res, err := t.tx.ExecContext(t.ctx, `UPDATE held SET state = ?, note = ?, decided_at = ? WHERE id = ? AND state = ?`,
		state, note, t.now, id, HeldHeld)
	if err != nil {
		return fmt.Errorf("decide held callback %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	if _, err := t.GetHeld(id); err != nil {
		return err
	}
	return fmt.Errorf("decide held callback %d: %w", id, ErrDecided)
}

// ErrDecided: the held callback was decided already.
var ErrDecided = errors.New("held callback already decided")

// HeldQuery selects held callbacks, newest first.
type HeldQuery struct {
	State  string // "" all
	Filter string // substring of ref, method or reason
	Limit  int
}

// ListHeld lists held callbacks, newest first.
func (s *Store) ListHeld(ctx context.Context, q HeldQuery) ([]Held, error) {
	var where []string
	var args []any
	if q.State != "" {
		where = append(where, `state = ?`)
		args = append(args, q.State)
	}
	if f := strings.TrimSpace(q.Filter); f != "" {
		where = append(where, `(ref LIKE ? ESCAPE '\' OR method LIKE ? ESCAPE '\' OR reason LIKE ? ESCAPE '\')`)
		a := likeArg(f)
		args = append(args, a, a, a)
	}
	args = append(args, limitOf(q.Limit))
	out, err := queryCollect(ctx, s.r, collectHeld, `SELECT `+heldCols+` FROM held`+whereSQL(where)+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list held callbacks: %w", err)
	}
	return out, nil
}

// ---- 2.1 conflicts ----

// OrderConflict is a 2.1 for a known order_no whose content differs from the
// first version: kept beside it, with the fields that differ.
type OrderConflict struct {
	ID         int64       `json:"id"`
	OrderNo    string      `json:"order_no"`
	Key        string      `json:"key"`
	Plaintext  string      `json:"plaintext"`
	Diff       []FieldDiff `json:"diff"`
	ReceivedAt int64       `json:"received_at"`
	Repeats    int         `json:"repeats"`
	TakenAt    int64       `json:"taken_at"`
}

// FieldDiff is one field of a conflict: the first version's value and the new.
type FieldDiff struct {
	Field string `json:"field"`
	First string `json:"first"`
	New   string `json:"new"`
}

// AddOrderConflict keeps a differing 2.1 beside the first; a repeat of the
// same new version counts a repeat. It reports whether the version is new.
func (t *Tx) AddOrderConflict(c OrderConflict) (bool, error) {
	d, err := marshalNoEscape(c.Diff)
	if err != nil {
		return false, err
	}
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO order_conflicts (order_no, key, plaintext, diff, received_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (order_no, key) DO UPDATE SET repeats = repeats + 1`, c.OrderNo, c.Key, c.Plaintext, d, t.now)
	if err != nil {
		return false, fmt.Errorf("keep conflicting order %s: %w", c.OrderNo, err)
	}
	id, _ := res.LastInsertId()
	var repeats int
	if err := t.tx.QueryRowContext(t.ctx, `SELECT repeats FROM order_conflicts WHERE order_no = ? AND key = ?`, c.OrderNo, c.Key).Scan(&repeats); err != nil {
		return false, fmt.Errorf("keep conflicting order %s: %w", c.OrderNo, err)
	}
	return repeats == 0 && id > 0, nil
}

// OrderConflicts lists the versions kept beside an order's first 2.1.
func (s *Store) OrderConflicts(ctx context.Context, orderNo string) ([]OrderConflict, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, order_no, key, plaintext, diff, received_at, repeats, taken_at
		FROM order_conflicts WHERE order_no = ? ORDER BY id`, orderNo)
	if err != nil {
		return nil, fmt.Errorf("list conflicts of order %s: %w", orderNo, err)
	}
	defer rows.Close()
	out := []OrderConflict{}
	for rows.Next() {
		var c OrderConflict
		var d string
		if err := rows.Scan(&c.ID, &c.OrderNo, &c.Key, &c.Plaintext, &d, &c.ReceivedAt, &c.Repeats, &c.TakenAt); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(d), &c.Diff)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ErrTaken: the version of a 2.1 was taken already.
var ErrTaken = errors.New("version already taken")

// TakeOrderConflict marks version id of orderNo's 2.1 taken (its content is
// now the order's) and reports how many other versions still wait.
// ErrNotFound when the order has no such version; ErrTaken when it was
// taken already.
func (t *Tx) TakeOrderConflict(orderNo string, id int64) (OrderConflict, int, error) {
	var c OrderConflict
	var d string
	err := t.tx.QueryRowContext(t.ctx, `SELECT id, order_no, key, plaintext, diff, received_at, repeats, taken_at
		FROM order_conflicts WHERE id = ? AND order_no = ?`, id, orderNo).
		Scan(&c.ID, &c.OrderNo, &c.Key, &c.Plaintext, &d, &c.ReceivedAt, &c.Repeats, &c.TakenAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, 0, ErrNotFound
	}
	if err != nil {
		return c, 0, fmt.Errorf("read version %d of order %s: %w", id, orderNo, err)
	}
	_ = json.Unmarshal([]byte(d), &c.Diff)
	if c.TakenAt != 0 {
		return c, 0, ErrTaken
	}
	c.TakenAt = t.now
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE order_conflicts SET taken_at = ? WHERE id = ?`, t.now, id); err != nil {
		return c, 0, fmt.Errorf("take version %d of order %s: %w", id, orderNo, err)
	}
	var waiting int
	if err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM order_conflicts WHERE order_no = ? AND taken_at = 0`, orderNo).Scan(&waiting); err != nil {
		return c, 0, fmt.Errorf("take version %d of order %s: %w", id, orderNo, err)
	}
	return c, waiting, nil
}

// ---- inbound plaintext ----

// ---- orders to settle with 2.2 ----

// SettleOrder asks for the order to be fetched with 2.2 (from dueAt, unix
// ms), and flags it with reason so the clerk sees it meanwhile. An unknown
// order is created as a stub (as FlagOrder does).
func (t *Tx) SettleOrder(orderNo, reason string, dueAt int64) error {
	_, err := t.tx.ExecContext(t.ctx, `
INSERT INTO orders (order_no, flagged, flag_reason, settle_due, settle_flagged, stub, created_at, updated_at) VALUES (?, 1, ?, ?, 1, 1, ?, ?)
ON CONFLICT (order_no) DO UPDATE SET settle_due = excluded.settle_due, updated_at = excluded.updated_at,
	settle_flagged = CASE WHEN flagged = 0 THEN 1 ELSE settle_flagged END,
	flag_reason = CASE WHEN flagged = 0 OR settle_flagged = 1 THEN excluded.flag_reason ELSE flag_reason END,
	flagged = 1`, orderNo, reason, dueAt, t.now, t.now)
	if err != nil {
		return fmt.Errorf("settle order %s: %w", orderNo, err)
	}
	return nil
}

// SettledOrder records that the order was fetched with 2.2: no further
// fetch is due, and the flag goes if it was set for the fetch (a flag the
// clerk must see for another reason stays).
func (t *Tx) SettledOrder(orderNo string) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE orders SET settle_due = 0,
	flagged = CASE WHEN settle_flagged = 1 THEN 0 ELSE flagged END,
	flag_reason = CASE WHEN settle_flagged = 1 THEN '' ELSE flag_reason END,
	settle_flagged = 0, updated_at = ? WHERE order_no = ?`, t.now, orderNo)
	if err != nil {
		return fmt.Errorf("settled order %s: %w", orderNo, err)
	}
	return nil
}

// SettleDue lists the orders waiting for a 2.2 fetch due at or before now
// (unix ms), soonest first, at most limit.
func (s *Store) SettleDue(ctx context.Context, now int64, limit int) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT order_no FROM orders WHERE settle_due > 0 AND settle_due <= ? ORDER BY settle_due, order_no LIMIT ?`, now, limitOf(limit))
	if err != nil {
		return nil, fmt.Errorf("list orders to settle: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// PostponeSettle moves an order's 2.2 fetch to dueAt (a fetch failed).
func (s *Store) PostponeSettle(ctx context.Context, orderNo string, dueAt int64) error {
	return s.Update(ctx, func(t *Tx) error {
		_, err := t.tx.ExecContext(t.ctx, `UPDATE orders SET settle_due = ? WHERE order_no = ? AND settle_due > 0`, dueAt, orderNo)
		return err
	})
}

// ---- 2.4 transitions ----

// Transitions is how many 2.4 transitions were applied to the order (0 if
// unknown): with the state it tells a genuine revisit of a state from a
// repeat of the callback that first brought it.
func (t *Tx) Transitions(orderNo string) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(t.ctx, `SELECT transitions FROM orders WHERE order_no = ?`, orderNo).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read transitions of order %s: %w", orderNo, err)
	}
	return n, nil
}

// Transitions is Tx.Transitions outside a transaction: read before a 2.2
// fetch, compared inside the write that applies its answer.
func (s *Store) Transitions(ctx context.Context, orderNo string) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT transitions FROM orders WHERE order_no = ?`, orderNo).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read transitions of order %s: %w", orderNo, err)
	}
	return n, nil
}

// Revisits tells whether the order has been in state before and left it:
// a transition into it may be a late retry of an old transition
// (protocol.md, 2.4: applied, then confirmed with 2.2).
func (t *Tx) Revisits(orderNo, state string) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(t.ctx, `SELECT instr(visited, ',' || ? || ',') FROM orders WHERE order_no = ?`, state, orderNo).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read states of order %s: %w", orderNo, err)
	}
	return n > 0, nil
}

// ApplyTransition sets the order's state from a 2.4 and counts the
// transition; ErrNotFound if the order is unknown.
func (t *Tx) ApplyTransition(orderNo, status string) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE orders SET order_status = ?, transitions = transitions + 1, updated_at = ? WHERE order_no = ?`,
		status, t.now, orderNo)
	if err != nil {
		return fmt.Errorf("set order %s status %s: %w", orderNo, status, err)
	}
	return affected(res, fmt.Sprintf("set order %s status %s", orderNo, status))
}

// InboundAnswer is the answer recorded for (method, key), if any.
func (t *Tx) InboundAnswer(method, key string) ([]byte, bool, error) {
	var a string
	err := t.tx.QueryRowContext(t.ctx, `SELECT answer FROM inbound WHERE method = ? AND key = ?`, method, key).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read inbound %s %s: %w", method, key, err)
	}
	return []byte(a), true, nil
}

// RecordInbound records a callback's answer and exact plaintext under (method, key).
func (t *Tx) RecordInbound(in Inbound, answer []byte) error {
	if _, err := t.tx.ExecContext(t.ctx,
		`INSERT INTO inbound (method, key, answer, received_at, remote, plaintext) VALUES (?, ?, ?, ?, ?, ?)`,
		in.Method, in.Key, string(answer), t.now, in.Remote, in.Plaintext); err != nil {
		return fmt.Errorf("record callback %s %s: %w", in.Method, in.Key, err)
	}
	return nil
}

// GuaranteesByPDF lists the guarantees whose kept PDF has this SHA-256.
func (s *Store) GuaranteesByPDF(ctx context.Context, sha string) ([]Guarantee, error) {
	return guaranteesByPDF(ctx, s.r, sha)
}

// GuaranteesByPDF is Store.GuaranteesByPDF inside the transaction.
func (t *Tx) GuaranteesByPDF(sha string) ([]Guarantee, error) {
	return guaranteesByPDF(t.ctx, t.tx, sha)
}

func guaranteesByPDF(ctx context.Context, q querier, sha string) ([]Guarantee, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+guaranteeCols+` FROM guarantees g WHERE g.pdf_sha256 = ? ORDER BY g.guarantee_no`, sha)
	if err != nil {
		return nil, fmt.Errorf("guarantees with pdf %s: %w", sha, err)
	}
	defer rows.Close()
	out, err := collectGuarantees(rows)
	if err != nil {
		return nil, fmt.Errorf("guarantees with pdf %s: %w", sha, err)
	}
	return out, nil
}
