import type Database from 'better-sqlite3';
import { categoryOf, type NewEvent } from '../core/envelope';
import { chain } from '../core/hash-chain';
import { ConditionFailedError, EventIdConflictError } from '../store/errors';
import { checkExpected } from '../store/expected-revision';
import type { AppendedEvent, AppendOptions, ExpectedRevision } from '../store/event-store.port';

/** What an append needs of an event already stored under one of its eventIds. */
interface KnownRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  hash: string;
  content_digest: string;
}

const KNOWN_COLUMNS = 'position, stream_id, revision, event_id, hash, content_digest';

/** Statements only the writing connection runs. */
export function writeStatements(db: Database.Database) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    known: db.prepare<[string], KnownRow>(`SELECT ${KNOWN_COLUMNS} FROM events WHERE event_id = ?`),
    // A batch's eventIds in one statement (a JSON array): one round trip into SQLite instead of one per event.
    knownAmong: db.prepare<[string], KnownRow>(`SELECT ${KNOWN_COLUMNS} FROM events WHERE event_id IN (SELECT value FROM json_each(?))`),
    last: db.prepare<[string], { revision: number; hash: string }>(
      'SELECT revision, hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    ),
    lastInCategory: db.prepare<[string], { position: number }>(
      'SELECT position FROM events WHERE category = ? ORDER BY position DESC LIMIT 1',
    ),
    // Positional parameters: binding 19 named ones means 19 property lookups on a fresh object per row.
    insert: db.prepare<unknown[]>(
      `INSERT INTO events (stream_id, category, revision, event_id, type, schema_version, occurred_at, recorded_at,
         source, actor, correlation_id, causation_id, data, prev_hash, hash, content_digest,
         principal_key_id, principal_role, principal_via)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
  };
}

export type WriteStatements = ReturnType<typeof writeStatements>;

/**
 * The body of one append, run inside its transaction (or savepoint): idempotency, the expected
 * revision and the condition checked, then the events chained and inserted. Throws to roll back.
 */
export function appendRows(
  stmts: WriteStatements,
  streamId: string,
  events: readonly NewEvent[],
  expectedRevision: ExpectedRevision,
  options: AppendOptions,
): AppendedEvent[] {
  const existing = existingAnswers(stmts, events);
  if (existing) return existing;
  const last = stmts.last.get(streamId);
  checkExpected(streamId, expectedRevision, last?.revision);
  if (options.condition) {
    const { category, lastPositionSeen } = options.condition;
    const latest = stmts.lastInCategory.get(category)?.position;
    if (latest !== undefined && latest > (lastPositionSeen ?? 0)) {
      throw new ConditionFailedError(category, lastPositionSeen, latest);
    }
  }
  const category = categoryOf(streamId);
  const chained = chain(streamId, events, last);
  const results = new Array<AppendedEvent>(chained.length);
  for (let i = 0; i < chained.length; i++) {
    const e = chained[i]!;
    const p = e.principal;
    const info = stmts.insert.run(
      streamId, category, e.revision, e.eventId, e.type, e.schemaVersion, e.occurredAt, e.recordedAt,
      e.source, e.actor, e.correlationId, e.causationId, e.dataJson, e.prevHash, e.hash, events[i]!.contentDigest,
      p?.keyId ?? null, p?.role ?? null, p?.via ?? null,
    );
    results[i] = { eventId: e.eventId, status: 'appended', position: Number(info.lastInsertRowid), streamId, revision: e.revision, hash: e.hash };
  }
  return results;
}

/** All events already stored with equal content → their original answers; a mix or other content → conflict. */
function existingAnswers(stmts: WriteStatements, events: readonly NewEvent[]): AppendedEvent[] | undefined {
  const rows =
    events.length === 1
      ? [stmts.known.get(events[0]!.eventId)].filter((r): r is KnownRow => r !== undefined)
      : stmts.knownAmong.all(JSON.stringify(events.map((e) => e.eventId)));
  if (rows.length === 0) return undefined;
  const byId = new Map(rows.map((row) => [row.event_id, row]));
  return events.map((event): AppendedEvent => {
    const row = byId.get(event.eventId);
    if (!row) throw new EventIdConflictError(event.eventId, -1);
    if (row.content_digest !== event.contentDigest) throw new EventIdConflictError(event.eventId, row.position);
    return { eventId: row.event_id, status: 'duplicate', position: row.position, streamId: row.stream_id, revision: row.revision, hash: row.hash };
  });
}
