// Package store keeps baohan's records: orders, guarantees, revocations,
// claims, the callback idempotency table, the append-only event journal,
// outbound call attempts and the access token, in one SQLite database
// (DIR/baohan.db), plus a content-addressed file store (DIR/files/).
//
// Durability: WAL with synchronous=FULL, so a committed transaction survives
// power loss; an acknowledged callback is committed first (see Callback).
// There is one writer connection per Store and every write runs in a BEGIN
// IMMEDIATE transaction; several processes may open the same directory (the
// desk and `baohan serve`), SQLite's locks and busy_timeout serialize them.
// Reads go through a separate read-only pool and never wait for the writer.
//
// Times are integers: unix milliseconds unless a field says seconds. Text the
// platform sent (amounts, dates, serial numbers) is kept verbatim as TEXT.
//
// The package imports nothing of the project.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DBName is the database file's name inside the store directory.
const DBName = "baohan.db"

// busyTimeoutMS is how long a connection waits for another one's lock.
const busyTimeoutMS = 10000

// Store is an open store directory. It is safe for concurrent use.
type Store struct {
	dir   string
	files string
	// sweptFiles and sweptBytes are the temp files Open removed.
	sweptFiles int
	sweptBytes int64

	w  *sql.DB // the writer: one connection, BEGIN IMMEDIATE
	r  *sql.DB // read pool: query_only
	dv *sql.DB // one long-lived read connection for PRAGMA data_version

	dvMu sync.Mutex

	closeOnce sync.Once
	closeErr  error
}

// dsn builds the modernc.org/sqlite DSN for path. Pragmas go in the DSN so
// that every pooled connection gets them (a PRAGMA run with Exec reaches only
// one connection).
func dsn(path string, readOnly bool) string {
	// Percent-encode the characters that mean something in a file: URI.
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
	q := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)", busyTimeoutMS)
	if readOnly {
		// Deferred: a reader never takes the write lock. query_only is applied
		// by the driver after every other pragma.
		q += "&_txlock=deferred&_query_only=1"
	} else {
		q += "&_txlock=immediate"
	}
	return "file:" + p + "?" + q
}

// whileBusy runs f again while it fails with SQLITE_BUSY, for as long as
// the busy timeout. Two processes opening a new data folder at once (the
// desk and `baohan serve`) meet while one turns the new database to WAL:
// SQLite then answers the other's BEGIN with SQLITE_BUSY at once, without
// its busy handler.
func whileBusy(f func() error) error {
	deadline := time.Now().Add(busyTimeoutMS * time.Millisecond)
	wait := 5 * time.Millisecond
	for {
		err := f()
		var se interface{ Code() int }
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqliteBusy || time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// sqliteBusy is SQLite's primary result code SQLITE_BUSY.
const sqliteBusy = 5

// Open opens (creating if needed) the store in dir: dir itself (mode 0700),
// dir/files/ and dir/baohan.db, and applies pending migrations.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open store: no directory given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	files := filepath.Join(abs, "files")
	for _, d := range []string{abs, files, filepath.Join(files, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("open store: create %s: %w", d, err)
		}
	}
	// Leftovers of a process that died (templock.go).
	sweptFiles, sweptBytes := SweepUnowned(filepath.Join(files, "tmp"))

	path := filepath.Join(abs, DBName)
	s := &Store{dir: abs, files: files, sweptFiles: sweptFiles, sweptBytes: sweptBytes}

	s.w, err = sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)

	ctx := context.Background()
	if err := whileBusy(func() error { return migrate(ctx, s.w) }); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}

	s.r, err = sql.Open("sqlite", dsn(path, true))
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open store %s (readers): %w", path, err)
	}
	n := runtime.GOMAXPROCS(0)
	n = max(2, min(n, 8))
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)

	s.dv, err = sql.Open("sqlite", dsn(path, true))
	if err != nil {
		s.w.Close()
		s.r.Close()
		return nil, fmt.Errorf("open store %s (change detector): %w", path, err)
	}
	s.dv.SetMaxOpenConns(1)
	s.dv.SetMaxIdleConns(1)
	s.dv.SetConnMaxLifetime(0)
	s.dv.SetConnMaxIdleTime(0)

	if err := s.r.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s (readers): %w", path, err)
	}
	if _, err := s.DataVersion(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database connections. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		for _, db := range []*sql.DB{s.dv, s.r, s.w} {
			if db != nil {
				errs = append(errs, db.Close())
			}
		}
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("close store %s: %w", s.dir, err)
		}
	})
	return s.closeErr
}

// Dir is the store's directory (absolute).
func (s *Store) Dir() string { return s.dir }

// Tx is an open write transaction (BEGIN IMMEDIATE), valid only inside the
// function given to Update or Callback. Its methods use that call's context.
type Tx struct {
	tx  *sql.Tx
	ctx context.Context
	now int64 // unix ms when the transaction began
}

// Now is the transaction's timestamp (unix ms), used for every created_at,
// updated_at and at the transaction writes.
func (t *Tx) Now() int64 { return t.now }

// Update runs fn in one IMMEDIATE write transaction and commits if fn returns
// nil; otherwise (or on panic) it rolls back and returns fn's error unchanged.
// fn must not call the Store's own write methods (Update, Callback, AddEvent,
// ...): the single writer connection is held by this transaction and the call
// would wait for itself. Reads through the Store (read pool) do not see the
// transaction's uncommitted writes; use the Tx's own Get methods for that.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) (err error) {
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write transaction: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = sqlTx.Rollback()
		}
	}()
	t := &Tx{tx: sqlTx, ctx: ctx, now: time.Now().UnixMilli()}
	if err := fn(t); err != nil {
		done = true
		_ = sqlTx.Rollback()
		return err
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit write transaction: %w", err)
	}
	return nil
}

// Callback makes an inbound callback idempotent. In one IMMEDIATE transaction
// it looks up (method, key) in the inbound table: if found it returns the
// answer stored the first time with duplicate=true and writes nothing;
// otherwise it runs fn, stores fn's answer under (method, key) with remote,
// and commits, so that the answer is returned only once it is durable. If fn
// fails, everything is rolled back and fn's error returned: nothing is stored
// and a retry by the platform will run fn again. Concurrent calls with the same
// key (in this or another process) serialize: exactly one runs fn.
//
// Keys (protocol.md): 2.1 order_no; 2.4 order_no+"/"+order_status;
// 2.8 revoke_no; 3.1 claim_no+"/"+status. The same rules as for Update apply
// to fn.
func (s *Store) Callback(ctx context.Context, method, key, remote string, fn func(*Tx) (answer []byte, err error)) (answer []byte, duplicate bool, err error) {
	return s.CallbackWith(ctx, Inbound{Method: method, Key: key, Remote: remote}, fn, nil)
}

// Inbound names a callback for CallbackWith.
type Inbound struct {
	Method, Key, Remote string
	Plaintext           string // the exact decrypted plaintext, kept with the answer
	// Files are the files that came with the first delivery (name, size,
	// SHA-256), read back by CallbackFiles.
	Files []HeldFile
}

// CallbackFiles is what the first delivery of a callback brought: found is
// false when the key is unknown; files is nil (found true) when it was
// recorded before the files were kept (schema 5), empty when it had none.
func (s *Store) CallbackFiles(ctx context.Context, method, key string) (files []HeldFile, found bool, err error) {
	var js string
	err = s.r.QueryRowContext(ctx, `SELECT files FROM inbound WHERE method = ? AND key = ?`, method, key).Scan(&js)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("look up callback %s %s: %w", method, key, err)
	case js == "":
		return nil, true, nil
	}
	files = []HeldFile{}
	if err := json.Unmarshal([]byte(js), &files); err != nil {
		return nil, false, fmt.Errorf("look up callback %s %s: files: %w", method, key, err)
	}
	return files, true, nil
}

// CallbackWith is Callback keeping the callback's exact plaintext, and
// running repeat (when not nil) in the same transaction when the key is
// known, with the plaintext kept the first time; what repeat writes is
// committed (a conflict kept beside the first version).
func (s *Store) CallbackWith(ctx context.Context, in Inbound, fn func(*Tx) (answer []byte, err error), repeat func(tx *Tx, first string) error) (answer []byte, duplicate bool, err error) {
	method, key, remote := in.Method, in.Key, in.Remote
	err = s.Update(ctx, func(t *Tx) error {
		var prev, first string
		err := t.tx.QueryRowContext(ctx, `SELECT answer, plaintext FROM inbound WHERE method = ? AND key = ?`, method, key).Scan(&prev, &first)
		switch {
		case err == nil:
			answer, duplicate = []byte(prev), true
			if repeat != nil {
				return repeat(t, first)
			}
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("look up callback %s %s: %w", method, key, err)
		}
		a, err := fn(t)
		if err != nil {
			return err
		}
		files := in.Files
		if files == nil {
			files = []HeldFile{}
		}
		fj, err := json.Marshal(files)
		if err != nil {
			return fmt.Errorf("record callback %s %s: %w", method, key, err)
		}
		if _, err := t.tx.ExecContext(ctx,
			`INSERT INTO inbound (method, key, answer, received_at, remote, plaintext, files) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			method, key, string(a), t.now, remote, in.Plaintext, string(fj)); err != nil {
			return fmt.Errorf("record callback %s %s: %w", method, key, err)
		}
		answer = a
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return answer, duplicate, nil
}

// Writable checks that the store can take a write now: it commits a tiny
// write to the database (which also advances DataVersion for other
// connections) and creates and removes a file in the file store's temp
// folder. For GET /healthz.
func (s *Store) Writable(ctx context.Context) error {
	err := s.Update(ctx, func(t *Tx) error {
		_, err := t.tx.ExecContext(ctx,
			`INSERT INTO health (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`, t.now)
		return err
	})
	if err != nil {
		return fmt.Errorf("store write probe: %w", err)
	}
	f, err := CreateOwned(filepath.Join(s.files, "tmp"), "probe-*")
	if err != nil {
		return fmt.Errorf("store file probe: %w", err)
	}
	name := f.Name()
	_, werr := f.Write([]byte("ok"))
	var rerr error
	if renameOpen {
		rerr = os.Remove(name) // while locked
	}
	cerr := f.Close()
	if !renameOpen {
		rerr = os.Remove(name)
	}
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return fmt.Errorf("store file probe: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of the database to dest with VACUUM INTO,
// while other connections keep writing. It refuses if dest exists. The file
// store (DIR/files) is not included; copy it separately (its files never
// change once written).
func (s *Store) Backup(ctx context.Context, dest string) error {
	if dest == "" {
		return errors.New("backup: no destination given")
	}
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("backup to %s: destination exists", dest)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	// VACUUM INTO is refused on a query_only connection, and on the writer it
	// would hold up every write: use a connection of its own, which reads one
	// snapshot (WAL) while the writer goes on.
	db, err := sql.Open("sqlite", dsn(filepath.Join(s.dir, DBName), false))
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	f, err := os.OpenFile(dest, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("backup to %s: reopen to sync: %w", dest, err)
	}
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("backup to %s: sync: %w", dest, err)
	}
	syncDir(filepath.Dir(dest))
	return nil
}

// DataVersion returns SQLite's PRAGMA data_version as seen from one
// long-lived read connection: the value changes whenever any other
// connection (in this process or another) commits. Cheap; poll it, and read
// EventsAfter only when it changed.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	s.dvMu.Lock()
	defer s.dvMu.Unlock()
	var v int64
	if err := s.dv.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read data version: %w", err)
	}
	return v, nil
}
