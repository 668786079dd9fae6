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

// Download is a platform file downloaded into the file store.
type Download struct {
	FileID string `json:"file_id"`
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	At     int64  `json:"at"`
}

// RecordDownload remembers that the platform file fileID is in the file
// store (the latest download wins).
func (s *Store) RecordDownload(ctx context.Context, d Download) error {
	if d.FileID == "" || !ValidSHA256(d.SHA256) {
		return fmt.Errorf("record download: bad file_id %q or sha256 %q", d.FileID, d.SHA256)
	}
	return s.Update(ctx, func(t *Tx) error {
		_, err := t.tx.ExecContext(t.ctx, `INSERT INTO downloads (file_id, sha256, name, size, at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (file_id) DO UPDATE SET sha256 = excluded.sha256, name = excluded.name, size = excluded.size, at = excluded.at`,
			d.FileID, d.SHA256, d.Name, d.Size, t.now)
		return err
	})
}

// Downloads returns the recorded downloads among fileIDs.
func (s *Store) Downloads(ctx context.Context, fileIDs []string) (map[string]Download, error) {
	out := map[string]Download{}
	for len(fileIDs) > 0 {
		n := min(len(fileIDs), 500)
		args := make([]any, n)
		for i, id := range fileIDs[:n] {
			args[i] = id
		}
		fileIDs = fileIDs[n:]
		rows, err := s.r.QueryContext(ctx, `SELECT file_id, sha256, name, size, at FROM downloads WHERE file_id IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read downloads: %w", err)
		}
		for rows.Next() {
			var d Download
			if err := rows.Scan(&d.FileID, &d.SHA256, &d.Name, &d.Size, &d.At); err != nil {
				rows.Close()
				return nil, err
			}
			out[d.FileID] = d
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OrderFields returns the stored fields (JSON object, as received) of the
// orders among orderNos.
func (s *Store) OrderFields(ctx context.Context, orderNos []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for len(orderNos) > 0 {
		n := min(len(orderNos), 500)
		args := make([]any, n)
		for i, id := range orderNos[:n] {
			args[i] = id
		}
		orderNos = orderNos[n:]
		rows, err := s.r.QueryContext(ctx, `SELECT order_no, fields FROM order_docs WHERE order_no IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read order fields: %w", err)
		}
		for rows.Next() {
			var no string
			var f []byte
			if err := rows.Scan(&no, &f); err != nil {
				rows.Close()
				return nil, err
			}
			out[no] = f
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
