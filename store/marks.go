package store

import (
	"context"
	"fmt"
	"time"
)

// maxNewMarks bounds the 新 marks kept: the oldest go first.
const maxNewMarks = 5000

// MarkNew marks records (order or claim numbers) as new to the clerk: they
// arrived and were not opened yet. The marks survive a restart of the desk.
func (s *Store) MarkNew(ctx context.Context, refs ...string) error {
	if len(refs) == 0 {
		return nil
	}
	now := time.Now().UnixMilli()
	return s.Update(ctx, func(t *Tx) error {
		for _, r := range refs {
			if r == "" {
				continue
			}
			if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO new_marks (ref, marked) VALUES (?, ?) ON CONFLICT (ref) DO NOTHING`, r, now); err != nil {
				return fmt.Errorf("mark new %s: %w", r, err)
			}
		}
		_, err := t.tx.ExecContext(t.ctx, `DELETE FROM new_marks WHERE ref IN (SELECT ref FROM new_marks ORDER BY marked DESC, ref LIMIT -1 OFFSET ?)`, maxNewMarks)
		return err
	})
}

// ClearNew removes the 新 mark of a record (the clerk opened it).
func (s *Store) ClearNew(ctx context.Context, ref string) error {
	return s.Update(ctx, func(t *Tx) error {
		_, err := t.tx.ExecContext(t.ctx, `DELETE FROM new_marks WHERE ref = ?`, ref)
		return err
	})
}

// NewMarks lists the records marked new.
func (s *Store) NewMarks(ctx context.Context) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT ref FROM new_marks ORDER BY marked DESC LIMIT ?`, maxNewMarks)
	if err != nil {
		return nil, fmt.Errorf("read new marks: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out[r] = true
	}
	return out, rows.Err()
}
