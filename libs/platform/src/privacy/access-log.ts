import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { canonicalJson, openSqliteFile, openSqliteReader } from '@peil/ledger';
import type { Clock } from '../clock/clock';

export const ACCESS_LOG_FILE = 'access-log.sqlite';

/** Who read which household's personal data, and when. Never the data itself. */
export interface AccessRecord {
  /** The caller as the gateway forwarded it: `<role>:<api key id>`. */
  principal: string;
  role: string;
  requestId: string;
  householdId: string;
  /** Personal-data paths that were decrypted for this read, e.g. `participant.fullName`. */
  fields: string[];
}

export interface AccessLogEntry extends AccessRecord {
  seq: number;
  at: string;
  prevHash: string | null;
  hash: string;
}

export interface AccessLogVerification {
  ok: boolean;
  checkedEntries: number;
  lastSeq: number | null;
  firstFailure?: { seq: number; reason: 'hash_mismatch' | 'chain_broken' | 'sequence_gap' | 'unreadable'; detail: string };
}

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

/**
 * hash = SHA-256 of the canonical JSON of the entry without `hash`; `prevHash` is the previous
 * entry's hash, so changing, inserting or removing an entry breaks every later link.
 */
export function hashAccessEntry(entry: Omit<AccessLogEntry, 'hash'>): string {
  const { seq, at, principal, role, requestId, householdId, fields, prevHash } = entry;
  return createHash('sha256').update(canonicalJson({ seq, at, principal, role, requestId, householdId, fields, prevHash })).digest('hex');
}

/**
 * The personal-data access log: one hash-chained, append-only SQLite file in the data dir, shared by
 * the processes that decrypt (they append) and the ledger service (auditors read and verify it).
 * An entry is written and committed BEFORE the data is returned: a read that cannot be logged fails.
 */
export class AccessLog {
  private readonly db: Database.Database;
  private readonly reader: Database.Database;
  private readonly stmts: ReturnType<AccessLog['prepare']>;

  static open(dataDir: string, clock: Clock): AccessLog {
    return new AccessLog(join(dataDir, ACCESS_LOG_FILE), clock);
  }

  constructor(readonly file: string, private readonly clock: Clock) {
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

  /** Appends one entry (BEGIN IMMEDIATE: several processes append to one chain) and returns it. */
  record(record: AccessRecord): AccessLogEntry {
    return this.db
      .transaction(() => {
        const last = this.stmts.last.get();
        const entry: Omit<AccessLogEntry, 'hash'> = {
          seq: (last?.seq ?? 0) + 1,
          at: this.clock.now().toISOString(),
          principal: record.principal,
          role: record.role,
          requestId: record.requestId,
          householdId: record.householdId,
          fields: [...record.fields],
          prevHash: last?.hash ?? null,
        };
        const hash = hashAccessEntry(entry);
        this.stmts.insert.run(entry.seq, entry.at, entry.principal, entry.role, entry.requestId, entry.householdId, JSON.stringify(entry.fields), entry.prevHash, hash);
        return { ...entry, hash };
      })
      .immediate();
  }

  /** Entries after `after` (a seq), in order. */
  page(after: number, limit: number): AccessLogEntry[] {
    return this.stmts.page.all(after, limit).map(toEntry);
  }

  /** Recomputes every hash and checks every link and sequence number; reports the first failure. */
  verify(): AccessLogVerification {
    return checkChain(this.stmts.all.iterate(), null);
  }

  /**
   * The same checks over one page: its entries, and the link from its first entry to entry `after`.
   * Cheap enough to answer with every page; a whole-log check is verify().
   */
  verifyPage(after: number, entries: readonly AccessLogEntry[]): AccessLogVerification {
    if (after === 0) return checkChain(entries, null);
    const before = this.stmts.one.get(after);
    if (!before) {
      return { ok: false, checkedEntries: 0, lastSeq: null, firstFailure: { seq: after, reason: 'sequence_gap', detail: `entry ${after} is missing` } };
    }
    return checkChain(entries, { seq: before.seq, hash: before.hash });
  }

  close(): void {
    if (this.reader.open) this.reader.close();
    if (this.db.open) this.db.close();
  }

  /** Nest calls this on shutdown when the log is a provider. */
  onApplicationShutdown(): void {
    this.close();
  }
}

type Failure = NonNullable<AccessLogVerification['firstFailure']>;

/** Checks entries (rows or entries) in order, starting after `before` (null: the start of the log). */
function checkChain(items: Iterable<Row | AccessLogEntry>, before: { seq: number; hash: string } | null): AccessLogVerification {
  let previous = before?.hash ?? null;
  let lastSeq = before?.seq ?? 0;
  let checked = 0;
  const fail = (seq: number, reason: Failure['reason'], detail: string): AccessLogVerification => ({
    ok: false,
    checkedEntries: checked,
    lastSeq: lastSeq === 0 ? null : lastSeq,
    firstFailure: { seq, reason, detail },
  });
  for (const item of items) {
    let entry: AccessLogEntry;
    try {
      entry = 'request_id' in item ? toEntry(item) : item;
    } catch {
      return fail(item.seq, 'unreadable', 'fields is not a JSON array of strings');
    }
    if (entry.seq !== lastSeq + 1) return fail(entry.seq, 'sequence_gap', `expected entry ${lastSeq + 1}, found ${entry.seq}`);
    if (entry.prevHash !== previous) return fail(entry.seq, 'chain_broken', `prevHash does not match the hash of entry ${lastSeq}`);
    if (hashAccessEntry(entry) !== entry.hash) return fail(entry.seq, 'hash_mismatch', 'the entry does not match its hash (altered after it was written)');
    previous = entry.hash;
    lastSeq = entry.seq;
    checked += 1;
  }
  return { ok: true, checkedEntries: checked, lastSeq: lastSeq === 0 ? null : lastSeq };
}

function toEntry(row: Row): AccessLogEntry {
  const fields: unknown = JSON.parse(row.fields);
  if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string')) throw new TypeError('fields is not a JSON array of strings');
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
