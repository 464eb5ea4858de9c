import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { openSqliteFile, openSqliteReader } from '@peil/ledger';
import type { Clock } from '../clock/clock';
import { AccessLog, checkedFields, nextEntry, type AccessLogEntry, type AccessRecord, type ChainItem } from './access-log';

export const ACCESS_LOG_FILE = 'access-log.sqlite';

// The triggers make the append-only rule part of the file: an UPDATE or DELETE through SQLite fails.
// Someone editing the bytes, or dropping the triggers, is what the hash chain is for.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS access_log (
  seq          INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  principal    TEXT NOT NULL,
  role         TEXT NOT NULL,
  request_id   TEXT NOT NULL,
  household_id TEXT NOT NULL,
  fields       TEXT NOT NULL,
  prev_hash    TEXT,
  hash         TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
`;

interface Row {
  seq: number;
  at: string;
  principal: string;
  role: string;
  request_id: string;
  household_id: string;
  fields: string;
  prev_hash: string | null;
  hash: string;
}

function toItem(row: Row): ChainItem {
  let fields: string[] | string;
  try {
    fields = checkedFields(JSON.parse(row.fields));
  } catch {
    fields = 'fields is not JSON';
  }
  if (typeof fields === 'string') return { seq: row.seq, unreadable: fields };
  return {
    seq: row.seq,
    at: row.at,
    principal: row.principal,
    role: row.role,
    requestId: row.request_id,
    householdId: row.household_id,
    fields,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function toEntry(row: Row): AccessLogEntry {
  const item = toItem(row);
  if ('unreadable' in item) throw new TypeError(`access log entry ${row.seq}: ${item.unreadable}`);
  return item;
}

/** The access log of the data dir: `<data dir>/access-log.sqlite`, shared by the processes of one machine. */
export function openSqliteAccessLog(dataDir: string, clock: Clock): SqliteAccessLog {
  return new SqliteAccessLog(join(dataDir, ACCESS_LOG_FILE), clock);
}

/** One SQLite file; appends are BEGIN IMMEDIATE, so processes sharing the file extend one chain. */
export class SqliteAccessLog extends AccessLog {
  private readonly db: Database.Database;
  private readonly reader: Database.Database;
  private readonly stmts: ReturnType<SqliteAccessLog['prepare']>;

  constructor(readonly file: string, private readonly clock: Clock) {
    super();
    this.db = openSqliteFile(file, { schema: SCHEMA });
    this.reader = openSqliteReader(file);
    this.stmts = this.prepare();
  }

  private prepare() {
    return {
      last: this.db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1'),
      insert: this.db.prepare<[number, string, string, string, string, string, string, string | null, string]>(
        'INSERT INTO access_log (seq, at, principal, role, request_id, household_id, fields, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      page: this.reader.prepare<[number, number], Row>('SELECT * FROM access_log WHERE seq > ? ORDER BY seq LIMIT ?'),
      all: this.reader.prepare<[], Row>('SELECT * FROM access_log ORDER BY seq'),
      one: this.reader.prepare<[number], Row>('SELECT * FROM access_log WHERE seq = ?'),
    };
  }

  async record(record: AccessRecord): Promise<AccessLogEntry> {
    return this.db
      .transaction(() => {
        const entry = nextEntry(this.stmts.last.get(), record, this.clock.now().toISOString());
        const { seq, at, principal, role, requestId, householdId, fields, prevHash, hash } = entry;
        this.stmts.insert.run(seq, at, principal, role, requestId, householdId, JSON.stringify(fields), prevHash, hash);
        return entry;
      })
      .immediate();
  }

  async page(after: number, limit: number): Promise<AccessLogEntry[]> {
    return this.stmts.page.all(after, limit).map(toEntry);
  }

  protected async entry(seq: number): Promise<ChainItem | undefined> {
    const row = this.stmts.one.get(seq);
    return row && toItem(row);
  }

  protected *entries(): Iterable<ChainItem> {
    for (const row of this.stmts.all.iterate()) yield toItem(row);
  }

  async close(): Promise<void> {
    if (this.reader.open) this.reader.close();
    if (this.db.open) this.db.close();
  }
}
