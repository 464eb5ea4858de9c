import type Database from 'better-sqlite3';
import type { EventPrincipal, StoredEvent } from '../core/envelope';
import { CorruptEventError } from '../store/errors';

/** The columns of a StoredEvent, in StoredRow's order: every read returns rows as arrays of these. */
export const EVENT_COLUMNS = `position, stream_id, revision, event_id, type, schema_version, occurred_at, recorded_at, source, actor,
  correlation_id, causation_id, data, prev_hash, hash, principal_key_id, principal_role, principal_via`;

/** A row of EVENT_COLUMNS, in their order. */
export type StoredRow = [
  position: number, streamId: string, revision: number, eventId: string, type: string, schemaVersion: number,
  occurredAt: string, recordedAt: string, source: string, actor: string, correlationId: string, causationId: string | null,
  data: string, prevHash: string | null, hash: string,
  principalKeyId: string | null, principalRole: string | null, principalVia: string | null,
];

export function fromStoredRow(row: StoredRow | [...StoredRow, contentDigest: string]): StoredEvent {
  const event = rowEvent(row);
  // Assigned over the placeholder, so `data` keeps its place among the members (API bodies list them in order).
  event.data = parseJsonData(row[0], row[12]);
  return event;
}

/**
 * A row as the verifier hashes it: `dataJson` is the stored text, and `data` is parsed only when read
 * (the verifier asks only when a hash does not match, to tell altered data from data that no longer
 * parses). Parsing every row's data was most of the time a verification spent.
 */
export function hashableRow(row: StoredRow): { event: StoredEvent; dataJson: string } {
  const event = rowEvent(row);
  const dataJson = row[12];
  Object.defineProperty(event, 'data', { get: () => parseJsonData(row[0], dataJson), enumerable: true });
  return { event, dataJson };
}

/** The event of a row, with a placeholder `data` for the caller to fill. */
function rowEvent(row: StoredRow | [...StoredRow, contentDigest: string]): StoredEvent {
  const event: StoredEvent = {
    position: row[0],
    streamId: row[1],
    revision: row[2],
    eventId: row[3],
    type: row[4],
    schemaVersion: row[5],
    occurredAt: row[6],
    recordedAt: row[7],
    source: row[8],
    actor: row[9],
    correlationId: row[10],
    causationId: row[11],
    data: {},
    prevHash: row[13],
    hash: row[14],
  };
  const principal = principalOf(row);
  // Set only when recorded: an old event must come back without the member, to hash as it was written.
  if (principal) event.principal = principal;
  return event;
}

export function principalOf(row: StoredRow | [...StoredRow, contentDigest: string]): EventPrincipal | undefined {
  const [keyId, role, via] = [row[15], row[16], row[17]];
  if (keyId === null && role === null && via === null) return undefined;
  if (keyId === null || role === null || (via !== 'http' && via !== 'kafka' && via !== 'system')) {
    throw new CorruptEventError(row[0], 'stored principal is incomplete or has an unknown via');
  }
  return { keyId, role, via };
}

export function parseJsonData(position: number, data: string): StoredEvent['data'] {
  try {
    return JSON.parse(data);
  } catch {
    throw new CorruptEventError(position, 'stored data is not valid JSON');
  }
}

/** A range scan of the (category, position) index: one category's events cost what they are, not the ledger's size. */
export const CATEGORY_READ = `SELECT ${EVENT_COLUMNS} FROM events WHERE category = ? AND position > ? ORDER BY position LIMIT ?`;

/** How many LIMITs a connection keeps a statement for; others use the statement with LIMIT bound. */
const LIMITS_KEPT = 16;

/**
 * One prepared statement per LIMIT, the limit written into the SQL. With LIMIT bound as a parameter
 * a point read on this SQLite (a stream with no events yet, the one new event of a category) took
 * 25–35 µs instead of 4–5 µs, same plan (decision 0100); services run those reads for every event
 * they decide, and callers use a handful of page sizes.
 */
export class LimitedRead<P extends unknown[], R> {
  private readonly byLimit = new Map<number, Database.Statement<P, R>>();
  private readonly bound: Database.Statement<[...P, number], R>;

  /** `sql` ends with `LIMIT ?`. */
  constructor(private readonly db: Database.Database, private readonly sql: string, private readonly raw: boolean) {
    if (!sql.endsWith('LIMIT ?')) throw new Error(`LimitedRead needs SQL ending in LIMIT ?: ${sql}`);
    this.bound = this.prepare<[...P, number]>(sql);
  }

  all(limit: number, ...params: P): R[] {
    let statement = this.byLimit.get(limit);
    if (!statement && Number.isSafeInteger(limit) && limit > 0 && this.byLimit.size < LIMITS_KEPT) {
      statement = this.prepare<P>(`${this.sql.slice(0, -1)}${limit}`);
      this.byLimit.set(limit, statement);
    }
    return statement ? statement.all(...params) : this.bound.all(...params, limit);
  }

  private prepare<Q extends unknown[]>(sql: string): Database.Statement<Q, R> {
    const statement = this.db.prepare<Q, R>(sql);
    return this.raw ? statement.raw(true) : statement;
  }
}

/**
 * Reads, prepared on each connection that serves them. Rows come as arrays (EVENT_COLUMNS): building
 * a 17-key object per row costs more than SQLite's whole scan, and readAll is what every catch-up
 * and rebuild pages through.
 */
export function readStatements(db: Database.Database) {
  return {
    byEventId: db.prepare<[string], [...StoredRow, contentDigest: string]>(`SELECT ${EVENT_COLUMNS}, content_digest FROM events WHERE event_id = ?`).raw(true),
    stream: new LimitedRead<[string, number], StoredRow>(db, `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`, true),
    all: new LimitedRead<[number], StoredRow>(db, `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`, true),
    category: new LimitedRead<[string, number], StoredRow>(db, CATEGORY_READ, true),
    /** A position range, for the verifier: rows as stored, `data` left as text. */
    range: db.prepare<[number, number], StoredRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position`).raw(true),
    head: db.prepare<[], { p: number | null }>('SELECT max(position) AS p FROM events'),
    hashes: new LimitedRead<[number], { position: number; hash: string }>(db, 'SELECT position, hash FROM events WHERE position > ? ORDER BY position LIMIT ?', false),
  };
}
