package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// deadlineKey normalises a bid_deadline ('YYYY-MM-DD HH:MM', the manual also
// allows 'HH:m') into a zero-padded, sortable key. Unknown -> "~" (sorts last).
func deadlineKey(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "~"
	}
	date, clock, _ := strings.Cut(s, " ")
	dp := strings.Split(date, "-")
	if len(dp) != 3 || !allDigits(dp...) {
		return s
	}
	out := pad(dp[0], 4) + "-" + pad(dp[1], 2) + "-" + pad(dp[2], 2)
	clock = strings.TrimSpace(clock)
	if clock == "" {
		return out + " 00:00"
	}
	cp := strings.Split(clock, ":")
	if len(cp) < 2 || !allDigits(cp...) {
		return s
	}
	out += " " + pad(cp[0], 2) + ":" + pad(cp[1], 2)
	if len(cp) > 2 {
		out += ":" + pad(cp[2], 2)
	}
	return out
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
