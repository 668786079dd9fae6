package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order, each in its own IMMEDIATE transaction;
// PRAGMA user_version holds how many have been applied. Never edit a released
// migration: append a new one.
var migrations = []string{
	// 1: the initial schema.
	`
CREATE TABLE orders (
	id                   INTEGER PRIMARY KEY,  -- stable rowid (survives VACUUM), keys orders_fts
	order_no             TEXT NOT NULL UNIQUE,
	order_status         TEXT NOT NULL DEFAULT '',
	block_number         TEXT NOT NULL DEFAULT '',
	block_name           TEXT NOT NULL DEFAULT '',
	principal            TEXT NOT NULL DEFAULT '',
	creditor             TEXT NOT NULL DEFAULT '',
	guarantee_amount     TEXT NOT NULL DEFAULT '',
	bid_deadline         TEXT NOT NULL DEFAULT '',  -- as sent, 'YYYY-MM-DD HH:MM'
	deadline_key         TEXT NOT NULL DEFAULT '~', -- bid_deadline zero-padded for sorting; '~' (last) if unknown
	valid_day            TEXT NOT NULL DEFAULT '',
	project_type         TEXT NOT NULL DEFAULT '',
	guarantee_start_date TEXT NOT NULL DEFAULT '',
	guarantee_end_date   TEXT NOT NULL DEFAULT '',
	order_amount         TEXT NOT NULL DEFAULT '',
	flagged              INTEGER NOT NULL DEFAULT 0,
	flag_reason          TEXT NOT NULL DEFAULT '',
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL
);
CREATE INDEX orders_deadline ON orders (deadline_key, order_no);
CREATE INDEX orders_status ON orders (order_status, deadline_key, order_no);
CREATE INDEX orders_updated ON orders (updated_at, order_no);
CREATE INDEX orders_flagged ON orders (updated_at) WHERE flagged = 1;

-- Substring search over the four columns the desk filters on (trigram: any
-- substring of 3 or more characters is found through the index).
CREATE VIRTUAL TABLE orders_fts USING fts5 (order_no, block_name, principal, creditor,
	content = 'orders', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER orders_fts_insert AFTER INSERT ON orders BEGIN
	INSERT INTO orders_fts (rowid, order_no, block_name, principal, creditor)
	VALUES (new.id, new.order_no, new.block_name, new.principal, new.creditor);
END;
CREATE TRIGGER orders_fts_delete AFTER DELETE ON orders BEGIN
	INSERT INTO orders_fts (orders_fts, rowid, order_no, block_name, principal, creditor)
	VALUES ('delete', old.id, old.order_no, old.block_name, old.principal, old.creditor);
END;
CREATE TRIGGER orders_fts_update AFTER UPDATE OF order_no, block_name, principal, creditor ON orders
WHEN old.order_no IS NOT new.order_no OR old.block_name IS NOT new.block_name
	OR old.principal IS NOT new.principal OR old.creditor IS NOT new.creditor
BEGIN
	INSERT INTO orders_fts (orders_fts, rowid, order_no, block_name, principal, creditor)
	VALUES ('delete', old.id, old.order_no, old.block_name, old.principal, old.creditor);
	INSERT INTO orders_fts (rowid, order_no, block_name, principal, creditor)
	VALUES (new.id, new.order_no, new.block_name, new.principal, new.creditor);
END;

-- The bulky JSON of an order lives beside it, so that scans of orders (filters,
-- counts) read narrow rows.
CREATE TABLE order_docs (
	order_no TEXT PRIMARY KEY REFERENCES orders (order_no) ON DELETE CASCADE,
	fields   TEXT NOT NULL DEFAULT '{}', -- JSON object, every field as received, merged
	raw      TEXT NOT NULL DEFAULT ''    -- last decrypted JSON from the platform
);

CREATE TABLE guarantees (
	guarantee_no       TEXT PRIMARY KEY,
	order_no           TEXT NOT NULL DEFAULT '',
	serial_num         TEXT NOT NULL DEFAULT '',   -- exact digits
	block_number       TEXT NOT NULL DEFAULT '',
	block_name         TEXT NOT NULL DEFAULT '',
	principal          TEXT NOT NULL DEFAULT '',
	creditor           TEXT NOT NULL DEFAULT '',
	guarantor          TEXT NOT NULL DEFAULT '',
	pdf_sha256         TEXT NOT NULL DEFAULT '',
	pdf_size           INTEGER NOT NULL DEFAULT 0,
	out_guarantee_time TEXT NOT NULL DEFAULT '',
	trans_no           TEXT NOT NULL DEFAULT '',
	pushed_at          INTEGER NOT NULL DEFAULT 0,
	released_at        INTEGER NOT NULL DEFAULT 0,
	release_date       TEXT NOT NULL DEFAULT '',   -- remove_guarantee_date sent (2.9)
	fields             TEXT NOT NULL DEFAULT '{}',
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL
);
CREATE INDEX guarantees_order ON guarantees (order_no);
CREATE INDEX guarantees_serial ON guarantees (serial_num);
CREATE INDEX guarantees_created ON guarantees (created_at, guarantee_no);

CREATE TABLE revocations (
	revoke_no                 TEXT PRIMARY KEY,
	block_number              TEXT NOT NULL DEFAULT '',
	block_name                TEXT NOT NULL DEFAULT '',
	creditor                  TEXT NOT NULL DEFAULT '',
	note                      TEXT NOT NULL DEFAULT '',
	declare_file_sha256       TEXT NOT NULL DEFAULT '', -- of the file received
	declare_file_hash_claimed TEXT NOT NULL DEFAULT '', -- revoke_guarantee_declare_file_hash as sent
	data                      TEXT NOT NULL DEFAULT '', -- revoke_guarantee_data as sent
	raw                       TEXT NOT NULL DEFAULT '',
	received_at               INTEGER NOT NULL,
	updated_at                INTEGER NOT NULL
);
CREATE INDEX revocations_received ON revocations (received_at, revoke_no);

CREATE TABLE revocation_items (
	revoke_no    TEXT NOT NULL REFERENCES revocations (revoke_no) ON DELETE CASCADE,
	list         TEXT NOT NULL CHECK (list IN ('success', 'current', 'penalty')),
	seq          INTEGER NOT NULL,
	guarantee_no TEXT NOT NULL DEFAULT '',
	principal    TEXT NOT NULL DEFAULT '',
	serial_num   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (revoke_no, list, seq)
);
CREATE INDEX revocation_items_guarantee ON revocation_items (guarantee_no, serial_num, list);

CREATE TABLE claims (
	claim_no             TEXT PRIMARY KEY,
	status               TEXT NOT NULL DEFAULT '',
	guarantee_no         TEXT NOT NULL DEFAULT '',
	block_number         TEXT NOT NULL DEFAULT '',
	block_name           TEXT NOT NULL DEFAULT '',
	principal            TEXT NOT NULL DEFAULT '',
	creditor             TEXT NOT NULL DEFAULT '',
	guarantor            TEXT NOT NULL DEFAULT '',
	out_guarantee        TEXT NOT NULL DEFAULT '',
	claim_amount         TEXT NOT NULL DEFAULT '',
	claim_reason         TEXT NOT NULL DEFAULT '',
	contact_person       TEXT NOT NULL DEFAULT '',
	contact_phone        TEXT NOT NULL DEFAULT '',
	contact_mail         TEXT NOT NULL DEFAULT '',
	guarantee_pdf_sha256 TEXT NOT NULL DEFAULT '',
	fields               TEXT NOT NULL DEFAULT '{}',
	raw                  TEXT NOT NULL DEFAULT '',
	received_at          INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL
);
CREATE INDEX claims_guarantee ON claims (guarantee_no);
CREATE INDEX claims_updated ON claims (updated_at, claim_no);
CREATE INDEX claims_status ON claims (status, received_at);

CREATE TABLE claim_statuses (
	claim_no TEXT NOT NULL REFERENCES claims (claim_no) ON DELETE CASCADE,
	status   TEXT NOT NULL,
	at       INTEGER NOT NULL,
	PRIMARY KEY (claim_no, status)
);

CREATE TABLE claim_attachments (
	claim_no TEXT NOT NULL REFERENCES claims (claim_no) ON DELETE CASCADE,
	field    TEXT NOT NULL,
	name     TEXT NOT NULL DEFAULT '',
	size     INTEGER NOT NULL DEFAULT 0,
	sha256   TEXT NOT NULL,
	at       INTEGER NOT NULL,
	PRIMARY KEY (claim_no, field, sha256)
);

CREATE TABLE claim_results (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	claim_no   TEXT NOT NULL REFERENCES claims (claim_no),
	do_type    INTEGER NOT NULL,
	status     INTEGER NOT NULL,
	note       TEXT NOT NULL DEFAULT '',
	attempt_id INTEGER NOT NULL DEFAULT 0,
	at         INTEGER NOT NULL
);
CREATE INDEX claim_results_claim ON claim_results (claim_no, id);

CREATE TABLE inbound (
	id          INTEGER PRIMARY KEY,
	method      TEXT NOT NULL,
	key         TEXT NOT NULL,
	answer      TEXT NOT NULL,  -- the exact JSON answered
	received_at INTEGER NOT NULL,
	remote      TEXT NOT NULL DEFAULT '',
	UNIQUE (method, key)
);

CREATE TABLE events (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	at         INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	direction  TEXT NOT NULL DEFAULT '' CHECK (direction IN ('in', 'out', '')),
	method     TEXT NOT NULL DEFAULT '',
	ref        TEXT NOT NULL DEFAULT '',
	status     INTEGER NOT NULL DEFAULT 0,
	latency_ms INTEGER NOT NULL DEFAULT 0,
	summary    TEXT NOT NULL DEFAULT '',
	detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_ref ON events (ref, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE token (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	access_token TEXT NOT NULL,
	expires_at   INTEGER NOT NULL,  -- unix seconds
	saved_at     INTEGER NOT NULL   -- unix ms
);

CREATE TABLE attempts (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	method      TEXT NOT NULL,
	ref         TEXT NOT NULL DEFAULT '',
	request     TEXT NOT NULL DEFAULT '',  -- masked JSON
	state       TEXT NOT NULL CHECK (state IN ('sending', 'ok', 'refused', 'failed', 'unknown')),
	status      INTEGER NOT NULL DEFAULT 0,
	msg         TEXT NOT NULL DEFAULT '',
	response    TEXT NOT NULL DEFAULT '',
	started_at  INTEGER NOT NULL,
	finished_at INTEGER NOT NULL DEFAULT 0,
	latency_ms  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attempts_unresolved ON attempts (id) WHERE state IN ('sending', 'unknown');
CREATE INDEX attempts_ref ON attempts (ref, id);

CREATE TABLE health (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	at INTEGER NOT NULL
);
`,
	// 2: held callbacks, 2.1 conflicts, orders to settle with 2.2, exact
	// plaintexts of callbacks and calls (protocol.md, "Repeats, conflicts
	// and held callbacks").
	`
CREATE TABLE held (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	method      TEXT NOT NULL,
	key         TEXT NOT NULL,              -- content key: SHA-256 of the fields but timestamp and sign
	ref         TEXT NOT NULL DEFAULT '',   -- claim, revoke or order number
	reason      TEXT NOT NULL,              -- Chinese, for the clerk
	plaintext   TEXT NOT NULL,              -- the exact decrypted plaintext
	files       TEXT NOT NULL DEFAULT '[]', -- JSON [{field, name, size, sha256}] in the file store
	state       TEXT NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'accepted', 'dismissed')),
	repeats     INTEGER NOT NULL DEFAULT 0,
	note        TEXT NOT NULL DEFAULT '',
	received_at INTEGER NOT NULL,
	last_at     INTEGER NOT NULL,
	decided_at  INTEGER NOT NULL DEFAULT 0,
	UNIQUE (method, key)
);
CREATE INDEX held_state ON held (state, received_at);

CREATE TABLE order_conflicts (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	order_no    TEXT NOT NULL,
	key         TEXT NOT NULL,  -- content key of the new version
	plaintext   TEXT NOT NULL,  -- the new version, exact
	diff        TEXT NOT NULL,  -- JSON [{field, first, new}]
	received_at INTEGER NOT NULL,
	repeats     INTEGER NOT NULL DEFAULT 0,
	taken_at    INTEGER NOT NULL DEFAULT 0,
	UNIQUE (order_no, key)
);

ALTER TABLE inbound ADD COLUMN plaintext TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN settle_due INTEGER NOT NULL DEFAULT 0; -- unix ms: fetch with 2.2 from then on; 0 none
ALTER TABLE orders ADD COLUMN settle_flagged INTEGER NOT NULL DEFAULT 0; -- the flag was set for the 2.2 (cleared with it)
ALTER TABLE orders ADD COLUMN transitions INTEGER NOT NULL DEFAULT 0; -- 2.4 transitions applied: tells a revisit of a state from a repeat
ALTER TABLE attempts ADD COLUMN plaintext TEXT NOT NULL DEFAULT ''; -- the exact plaintext sent, secrets masked
`,
	// 3: the orders' search covers 标段编号 (block_number); the desk's 新
	// marks (records that arrived and were not opened yet) survive a restart.
	`
DROP TRIGGER orders_fts_insert;
DROP TRIGGER orders_fts_delete;
DROP TRIGGER orders_fts_update;
DROP TABLE orders_fts;
CREATE VIRTUAL TABLE orders_fts USING fts5 (order_no, block_number, block_name, principal, creditor,
	content = 'orders', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER orders_fts_insert AFTER INSERT ON orders BEGIN
	INSERT INTO orders_fts (rowid, order_no, block_number, block_name, principal, creditor)
	VALUES (new.id, new.order_no, new.block_number, new.block_name, new.principal, new.creditor);
END;
CREATE TRIGGER orders_fts_delete AFTER DELETE ON orders BEGIN
	INSERT INTO orders_fts (orders_fts, rowid, order_no, block_number, block_name, principal, creditor)
	VALUES ('delete', old.id, old.order_no, old.block_number, old.block_name, old.principal, old.creditor);
END;
CREATE TRIGGER orders_fts_update AFTER UPDATE OF order_no, block_number, block_name, principal, creditor ON orders
WHEN old.order_no IS NOT new.order_no OR old.block_number IS NOT new.block_number OR old.block_name IS NOT new.block_name
	OR old.principal IS NOT new.principal OR old.creditor IS NOT new.creditor
BEGIN
	INSERT INTO orders_fts (orders_fts, rowid, order_no, block_number, block_name, principal, creditor)
	VALUES ('delete', old.id, old.order_no, old.block_number, old.block_name, old.principal, old.creditor);
	INSERT INTO orders_fts (rowid, order_no, block_number, block_name, principal, creditor)
	VALUES (new.id, new.order_no, new.block_number, new.block_name, new.principal, new.creditor);
END;
INSERT INTO orders_fts (orders_fts) VALUES ('rebuild');

-- Platform files (by file_id of guarantee_sign_files / attach_files)
-- downloaded into the file store.
CREATE TABLE downloads (
	file_id TEXT PRIMARY KEY,
	sha256  TEXT NOT NULL,
	name    TEXT NOT NULL DEFAULT '',
	size    INTEGER NOT NULL DEFAULT 0,
	at      INTEGER NOT NULL
);

CREATE TABLE new_marks (
	ref    TEXT PRIMARY KEY,   -- order or claim number
	marked INTEGER NOT NULL    -- unix ms
);
`,
	// 4: a release (2.9) whose answer leaves doubt about a guarantee
	// (解保结果不明, protocol.md 2.9) is kept until a later release settles it;
	// an order known only from a 2.4 is marked a stub, so that a 1101
	// removes it (protocol.md, "Settling with 2.2"); the access token is
	// tied to the account it was issued to, and its renewal is guarded so
	// that one process at a time renews it (protocol.md, 1.1); an order
	// keeps the states it has left, so that a transition back into one is
	// confirmed with 2.2 (protocol.md, 2.4).
	`
ALTER TABLE guarantees ADD COLUMN release_doubt INTEGER NOT NULL DEFAULT 0; -- unix ms a 2.9 answer left it in doubt; 0 none
ALTER TABLE orders ADD COLUMN stub INTEGER NOT NULL DEFAULT 0; -- known only from a callback about an unknown order (2.4): no 2.1, no 2.2 yet
ALTER TABLE token ADD COLUMN account TEXT NOT NULL DEFAULT ''; -- whose token: base_url and api_key (platform.Client)
ALTER TABLE token ADD COLUMN renew_until INTEGER NOT NULL DEFAULT 0; -- unix ms: a process renews the token until then (one at a time)
ALTER TABLE orders ADD COLUMN visited TEXT NOT NULL DEFAULT ''; -- ',A,B,': the states the order has left (a transition into one is confirmed with 2.2)
CREATE TRIGGER orders_visited AFTER UPDATE OF order_status ON orders
WHEN old.order_status <> '' AND old.order_status IS NOT new.order_status
	AND instr(old.visited, ',' || old.order_status || ',') = 0
BEGIN
	UPDATE orders SET visited = CASE WHEN visited = '' THEN ',' ELSE visited END || old.order_status || ','
	WHERE id = new.id;
END;
`,
	// 5: a claim attachment whose type the manual does not list, or whose
	// content does not match its name (platform/filetype), is kept and
	// flagged: the desk never opens it. A callback keeps the files of its
	// first delivery, so that a repeat with other files is held
	// (protocol.md, 3.1 same claim_no).
	`
ALTER TABLE claim_attachments ADD COLUMN unsafe INTEGER NOT NULL DEFAULT 0; -- 1: not a listed type with matching content
ALTER TABLE inbound ADD COLUMN files TEXT NOT NULL DEFAULT ''; -- JSON [HeldFile]: the files of the first delivery; '' unknown (before 5)
`,
}

// SchemaVersion is the schema version this program writes.
func SchemaVersion() int { return len(migrations) }

// migrate applies the pending migrations, each in its own IMMEDIATE
// transaction that re-reads user_version first, so that two processes opening
// the same store at once apply each migration exactly once.
func migrate(ctx context.Context, db *sql.DB) error {
	for {
		done, err := migrateOne(ctx, db)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

func migrateOne(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var v int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return false, fmt.Errorf("migrate: read user_version: %w", err)
	}
	if v > len(migrations) {
		return false, fmt.Errorf("migrate: database schema version %d is newer than this program's %d", v, len(migrations))
	}
	if v == len(migrations) {
		return true, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migrate: apply migration %d: %w", v+1, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
		return false, fmt.Errorf("migrate: set user_version %d: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate: commit migration %d: %w", v+1, err)
	}
	return false, nil
}
