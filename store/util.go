package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// querier is what *sql.DB (read pool) and *sql.Tx have in common, so that
// every read is written once and used both from the Store and inside a Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// mergeFields merges the JSON object add into the JSON object text old, key
// by key (a key in add replaces the same key in old), and returns the text
// to store. add may be empty (old is kept).
func mergeFields(old string, add json.RawMessage) (string, error) {
	if len(bytes.TrimSpace(add)) == 0 || string(bytes.TrimSpace(add)) == "null" {
		if old == "" {
			return "{}", nil
		}
		return old, nil
	}
	if old == "" || old == "{}" {
		// Nothing to merge with: keep the object exactly as received.
		t := bytes.TrimSpace(add)
		if t[0] != '{' || !json.Valid(t) {
			return "", errors.New("fields must be a JSON object")
		}
		return string(t), nil
	}
	var a map[string]json.RawMessage
	if err := json.Unmarshal(add, &a); err != nil {
		return "", fmt.Errorf("fields must be a JSON object: %w", err)
	}
	if a == nil {
		return "", errors.New("fields must be a JSON object")
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal([]byte(old), &m); err != nil || m == nil {
		m = map[string]json.RawMessage{}
	}
	for k, v := range a {
		m[k] = v
	}
	return marshalNoEscape(m)
}

// marshalNoEscape encodes v without HTML escaping, so that stored Chinese text
// and <>& stay readable.
func marshalNoEscape(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// rawText is the text stored for an optional JSON value.
func rawText(r json.RawMessage) (string, error) {
	t := bytes.TrimSpace(r)
	if len(t) == 0 {
		return "", nil
	}
	if !json.Valid(t) {
		return "", errors.New("raw is not valid JSON")
	}
	return string(t), nil
}

// rawMsg turns stored text back into a json.RawMessage (nil when empty, so
// that it marshals as null rather than failing).
func rawMsg(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// deadlineZone is UTC+8, the zone of every time the platform sends.
var deadlineZone = time.FixedZone("CST", 8*3600)

// ParseDeadline reads a bid_deadline in UTC+8: 'YYYY-MM-DD HH:MM' as the
// manual writes it, also with one-digit parts (its 'HH:m'), with seconds,
// or a date alone (midnight). It is the one reading of a bid_deadline: the
// store's sort key, the desk's countdown and the listener's checks use it
// (platform.ParseDeadline is this function).
func ParseDeadline(s string) (time.Time, error) {
	norm, ok := normDeadline(s)
	if !ok {
		return time.Time{}, errors.New("bid_deadline is not YYYY-MM-DD HH:MM")
	}
	return time.ParseInLocation("2006-01-02 15:04:05", norm, deadlineZone)
}

// normDeadline zero-pads a deadline into 'YYYY-MM-DD HH:MM:SS'.
func normDeadline(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, 'T'); i == 10 {
		// 2026-12-08T11:48 (protocol.md: a T is accepted); a zone after
		// the clock does not read.
		s = s[:i] + " " + s[i+1:]
	}
	date, clock, _ := strings.Cut(s, " ")
	dp := strings.Split(date, "-")
	if len(dp) != 3 || !allDigits(dp...) {
		return "", false
	}
	cp := []string{"0", "0", "0"}
	if clock = strings.TrimSpace(clock); clock != "" {
		parts := strings.Split(clock, ":")
		if len(parts) < 2 || len(parts) > 3 || !allDigits(parts...) {
			return "", false
		}
		copy(cp, parts)
	}
	return pad(dp[0], 4) + "-" + pad(dp[1], 2) + "-" + pad(dp[2], 2) + " " + pad(cp[0], 2) + ":" + pad(cp[1], 2) + ":" + pad(cp[2], 2), true
}

// deadlineKey normalises a bid_deadline into a zero-padded, sortable key
// ('YYYY-MM-DD HH:MM', seconds kept when sent). Empty -> "~" (sorts last);
// one that does not read is kept as sent.
func deadlineKey(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "~"
	}
	t, err := ParseDeadline(s)
	if err != nil {
		return s
	}
	if _, clock, _ := strings.Cut(s, " "); strings.Count(clock, ":") == 2 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04")
}

func allDigits(parts ...string) bool {
	for _, p := range parts {
		if p == "" {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

// affected returns ErrNotFound (wrapped with what) when res changed no row.
func affected(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// notFound maps sql.ErrNoRows to ErrNotFound, wrapping with what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// keepText is the SQL for an upsert column that keeps the stored value when
// the new one is empty.
func keepText(col string) string {
	return col + " = CASE WHEN excluded." + col + " <> '' THEN excluded." + col + " ELSE " + col + " END"
}

// keepInt is keepText for integer columns (0 = keep).
func keepInt(col string) string {
	return col + " = CASE WHEN excluded." + col + " <> 0 THEN excluded." + col + " ELSE " + col + " END"
}

// keepAll joins keepText for each column.
func keepAll(cols ...string) string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = keepText(c)
	}
	return strings.Join(s, ",\n\t")
}
