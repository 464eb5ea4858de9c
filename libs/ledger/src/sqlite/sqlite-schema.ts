import type Database from 'better-sqlite3';

/**
 * The ledger's one table. `position` is the rowid (contiguous, assigned under the write lock); the
 * row is written once and never changed, which the triggers enforce.
 */
export const LEDGER_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position       INTEGER PRIMARY KEY,
  stream_id      TEXT    NOT NULL,
  category       TEXT    NOT NULL,
  revision       INTEGER NOT NULL,
  event_id       TEXT    NOT NULL UNIQUE,
  type           TEXT    NOT NULL,
  schema_version INTEGER NOT NULL,
  occurred_at    TEXT    NOT NULL,
  recorded_at    TEXT    NOT NULL,
  source         TEXT    NOT NULL,
  actor          TEXT    NOT NULL,
  correlation_id TEXT    NOT NULL,
  causation_id   TEXT,
  data           TEXT    NOT NULL,
  prev_hash      TEXT,
  hash           TEXT    NOT NULL,
  content_digest TEXT    NOT NULL,
  -- The authenticated principal (decision 0027): all three set, or all NULL for events recorded before principals were.
  principal_key_id TEXT,
  principal_role   TEXT,
  principal_via    TEXT,
  UNIQUE (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_by_category ON events (category, position);
-- The ledger is append-only: the store itself refuses to rewrite history.
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'ledger events are immutable'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'ledger events are immutable'); END;
`;

/**
 * Ledger files created before principals were recorded get the three columns, NULL in every old row
 * (an ALTER, not a rewrite: the rows and their hashes stay as written). Checked and added under the
 * write lock, as every service process opens the file at start.
 */
export function addPrincipalColumns(db: Database.Database): void {
  const wanted = ['principal_key_id', 'principal_role', 'principal_via'];
  const missing = () => {
    const columns = new Set(db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('events')").all().map((c) => c.name));
    return wanted.filter((c) => !columns.has(c));
  };
  // The usual case, without taking the write lock every service process would otherwise queue for at start.
  if (missing().length === 0) return;
  db.transaction(() => {
    for (const column of missing()) db.exec(`ALTER TABLE events ADD COLUMN ${column} TEXT`);
  }).immediate();
}
