import type Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable } from 'rxjs';
import { AsyncMutex } from '../core/async-mutex';
import { categoryOf, type EventPrincipal, type NewEvent, type Position, type StoredEvent } from '../core/envelope';
import { chain } from '../core/hash-chain';
import { ConditionFailedError, CorruptEventError, EventIdConflictError, WrongExpectedRevisionError } from '../store/errors';
import { openSqliteFile, openSqliteReader } from './open-sqlite-file';
import type {
  AppendedEvent,
  AppendOptions,
  EventStore,
  EventStoreCapabilities,
  ExpectedRevision,
} from '../store/event-store.port';

/** What an append needs of an event already stored under one of its eventIds. */
interface KnownRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  hash: string;
  content_digest: string;
}

/** The columns of a StoredEvent, in StoredRow's order: every read returns rows as arrays of these. */
const EVENT_COLUMNS = `position, stream_id, revision, event_id, type, schema_version, occurred_at, recorded_at, source, actor,
  correlation_id, causation_id, data, prev_hash, hash, principal_key_id, principal_role, principal_via`;

const SCHEMA = `
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

export interface SqliteEventStoreOptions {
  /** How often a live subscription looks for events written by other processes. */
  pollIntervalMs?: number;
  busyTimeoutMs?: number;
}

/**
 * The embedded ledger: one SQLite file in WAL mode shared by every service process.
 * Appends run in BEGIN IMMEDIATE transactions, so writers from several processes are serialised
 * by SQLite's write lock; synchronous=FULL makes an acknowledged append survive kill -9 and power loss.
 * Positions are rowids assigned inside that lock, hence contiguous.
 *
 * A unit of work (group commit) is one BEGIN IMMEDIATE … COMMIT around many appends, each append a
 * SAVEPOINT inside it. Reads made inside the unit's async context use the writing connection and
 * see its open appends; every other read uses a second, read-only connection, so it only ever sees
 * committed events (WAL snapshot) — never a unit that may still roll back.
 */
export class SqliteEventStore implements EventStore {
  readonly capabilities: EventStoreCapabilities = { contiguousPositions: true, atomicConditions: true };
  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly localAppends = new Set<() => void>();
  private readonly stmts: ReturnType<typeof writeStatements>;
  /** Reads inside a unit of work: the writing connection, which sees the unit's open appends. */
  private readonly unitReads: ReturnType<typeof readStatements>;
  /** Reads outside a unit of work; the writing connection itself for ':memory:', which has no second connection. */
  private readonly reader: Database.Database;
  private readonly committedReads: ReturnType<typeof readStatements>;
  private readonly writeLock = new AsyncMutex();
  private readonly unitScope = new AsyncLocalStorage<object>();
  /** The open unit of work; an async context carrying another (finished) unit is outside. */
  private openUnit: { appended: boolean } | undefined;
  private closed = false;

  constructor(readonly file: string, options: SqliteEventStoreOptions = {}) {
    this.db = openSqliteFile(file, { schema: SCHEMA, busyTimeoutMs: options.busyTimeoutMs });
    addPrincipalColumns(this.db);
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.stmts = writeStatements(this.db);
    this.unitReads = readStatements(this.db);
    this.reader = file === ':memory:' ? this.db : openSqliteReader(file, options.busyTimeoutMs);
    this.committedReads = this.reader === this.db ? this.unitReads : readStatements(this.reader);
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
    options: AppendOptions = {},
  ): Promise<AppendedEvent[]> {
    if (this.inUnit()) return this.appendSync(streamId, events, expectedRevision, options);
    // Outside any unit: wait until no unit of this process has a transaction open on the connection.
    const release = await this.writeLock.acquire();
    try {
      return this.appendSync(streamId, events, expectedRevision, options);
    } finally {
      release();
    }
  }

  async unitOfWork<T>(work: () => Promise<T>): Promise<T> {
    if (this.inUnit()) return work();
    const release = await this.writeLock.acquire();
    const unit = { appended: false };
    try {
      // Taken up front: reads inside the unit then decide on the state the commit will extend.
      this.stmts.begin.run();
      this.openUnit = unit;
      let result: T;
      try {
        result = await this.unitScope.run(unit, work);
        this.stmts.commit.run();
      } catch (err) {
        if (this.db.inTransaction) this.stmts.rollback.run();
        throw err;
      }
      if (unit.appended) this.localAppends.forEach((wake) => wake());
      return result;
    } finally {
      this.openUnit = undefined;
      release();
    }
  }

  private inUnit(): boolean {
    const unit = this.unitScope.getStore();
    return unit !== undefined && unit === this.openUnit;
  }

  /** Statements for a read: the unit's own connection inside it, the committed-only reader elsewhere. */
  private reads(): ReturnType<typeof readStatements> {
    return this.inUnit() ? this.unitReads : this.committedReads;
  }

  /** Synchronous core of append, also used by benchmarks and the CLI. */
  appendSync(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
    options: AppendOptions = {},
  ): AppendedEvent[] {
    if (events.length === 0) return [];
    const unit = this.inUnit() ? this.openUnit : undefined;
    if (!unit && this.openUnit) throw new Error('a unit of work is open on this ledger connection: append through append(), which waits for it');
    // Inside a unit this transaction is a SAVEPOINT (better-sqlite3 nests that way): a failing append rolls back alone.
    const result = this.db
      .transaction(() => {
        const existing = this.existing(events);
        if (existing) return existing;
        const last = this.stmts.last.get(streamId);
        checkExpected(streamId, expectedRevision, last?.revision);
        if (options.condition) {
          const { category, lastPositionSeen } = options.condition;
          const latest = this.stmts.lastInCategory.get(category)?.position;
          if (latest !== undefined && latest > (lastPositionSeen ?? 0)) {
            throw new ConditionFailedError(category, lastPositionSeen, latest);
          }
        }
        const category = categoryOf(streamId);
        return chain(streamId, events, last).map((e, i): AppendedEvent => {
          const info = this.stmts.insert.run({
            streamId: e.streamId,
            revision: e.revision,
            eventId: e.eventId,
            type: e.type,
            schemaVersion: e.schemaVersion,
            occurredAt: e.occurredAt,
            recordedAt: e.recordedAt,
            source: e.source,
            actor: e.actor,
            correlationId: e.correlationId,
            causationId: e.causationId,
            principalKeyId: e.principal?.keyId ?? null,
            principalRole: e.principal?.role ?? null,
            principalVia: e.principal?.via ?? null,
            prevHash: e.prevHash,
            hash: e.hash,
            category,
            data: e.dataJson,
            contentDigest: events[i]!.contentDigest,
          });
          return {
            eventId: e.eventId,
            status: 'appended',
            position: Number(info.lastInsertRowid),
            streamId,
            revision: e.revision,
            hash: e.hash,
          };
        });
      })
      .immediate();
    if (result[0]?.status === 'appended') {
      // Subscribers read committed events only: inside a unit, wake them when it commits.
      if (unit) unit.appended = true;
      else this.localAppends.forEach((wake) => wake());
    }
    return result;
  }

  /** All events already stored with equal content → their original answers; a mix or other content → conflict. */
  private existing(events: readonly NewEvent[]): AppendedEvent[] | undefined {
    const found = events.map((e) => this.stmts.known.get(e.eventId));
    if (found.every((row) => row === undefined)) return undefined;
    return found.map((row, i) => {
      const event = events[i]!;
      if (!row) throw new EventIdConflictError(event.eventId, -1);
      if (row.content_digest !== event.contentDigest) throw new EventIdConflictError(event.eventId, row.position);
      return {
        eventId: row.event_id,
        status: 'duplicate',
        position: row.position,
        streamId: row.stream_id,
        revision: row.revision,
        hash: row.hash,
      };
    });
  }

  async readStream(streamId: string, options: { fromRevision?: number; limit?: number } = {}): Promise<StoredEvent[]> {
    return this.reads()
      .stream.all(streamId, options.fromRevision ?? 0, options.limit ?? Number.MAX_SAFE_INTEGER)
      .map(fromStoredRow);
  }

  async readAll(afterPosition: Position | null, limit: number): Promise<StoredEvent[]> {
    return this.readAllSync(afterPosition, limit);
  }

  readAllSync(afterPosition: Position | null, limit: number): StoredEvent[] {
    return this.reads().all.all(afterPosition ?? 0, limit).map(fromStoredRow);
  }

  readAllStored(afterPosition: Position | null, limit: number): Array<{ event: StoredEvent; dataJson: string }> {
    return this.reads().all.all(afterPosition ?? 0, limit).map((row) => ({ event: fromStoredRow(row), dataJson: row[12] }));
  }

  readHashes(afterPosition: Position | null, limit: number): Array<{ position: Position; hash: string }> {
    return this.reads().hashes.all(afterPosition ?? 0, limit);
  }

  async findByEventId(eventId: string): Promise<(StoredEvent & { contentDigest: string }) | null> {
    const row = this.reads().byEventId.get(eventId);
    return row ? { ...fromStoredRow(row), contentDigest: row[18] } : null;
  }

  async headPosition(): Promise<Position | null> {
    return this.reads().head.get()?.p ?? null;
  }

  subscribe(afterPosition: Position | null): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      let cursor = afterPosition ?? 0;
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const pump = () => {
        timer = undefined;
        if (stopped || this.closed) return;
        try {
          for (;;) {
            const page = this.readAllSync(cursor, 1000);
            for (const event of page) {
              if (stopped) return;
              subscriber.next(event);
              cursor = event.position;
            }
            if (page.length < 1000) break;
          }
        } catch (err) {
          subscriber.error(err);
          return;
        }
        timer = setTimeout(pump, this.pollIntervalMs);
      };
      // Appends from this process wake the subscription at once; other processes are seen by polling.
      const wake = () => {
        if (timer) {
          clearTimeout(timer);
          timer = setTimeout(pump, 0);
        }
      };
      this.localAppends.add(wake);
      timer = setTimeout(pump, 0);
      return () => {
        stopped = true;
        this.localAppends.delete(wake);
        if (timer) clearTimeout(timer);
      };
    });
  }

  /** Raw access for the verifier's integrity check and for tests that tamper on purpose. */
  get database(): Database.Database {
    return this.db;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reader !== this.db) this.reader.close();
    this.db.close();
  }
}

function checkExpected(streamId: string, expected: ExpectedRevision, actual: number | undefined): void {
  if (expected === 'any') return;
  if (expected === 'no_stream') {
    if (actual !== undefined) throw new WrongExpectedRevisionError(streamId, expected, actual);
    return;
  }
  if (actual !== expected) throw new WrongExpectedRevisionError(streamId, expected, actual ?? 'no_stream');
}

/**
 * Ledger files created before principals were recorded get the three columns, NULL in every old row
 * (an ALTER, not a rewrite: the rows and their hashes stay as written). Checked and added under the
 * write lock, as every service process opens the file at start.
 */
function addPrincipalColumns(db: Database.Database): void {
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

/** A row of EVENT_COLUMNS, in their order. */
type StoredRow = [
  position: number, streamId: string, revision: number, eventId: string, type: string, schemaVersion: number,
  occurredAt: string, recordedAt: string, source: string, actor: string, correlationId: string, causationId: string | null,
  data: string, prevHash: string | null, hash: string,
  principalKeyId: string | null, principalRole: string | null, principalVia: string | null,
];

function fromStoredRow(row: StoredRow | [...StoredRow, contentDigest: string]): StoredEvent {
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
    data: parseJsonData(row[0], row[12]),
    prevHash: row[13],
    hash: row[14],
  };
  const principal = principalOf(row);
  // Set only when recorded: an old event must come back without the member, to hash as it was written.
  if (principal) event.principal = principal;
  return event;
}

function principalOf(row: StoredRow | [...StoredRow, contentDigest: string]): EventPrincipal | undefined {
  const [keyId, role, via] = [row[15], row[16], row[17]];
  if (keyId === null && role === null && via === null) return undefined;
  if (keyId === null || role === null || (via !== 'http' && via !== 'kafka' && via !== 'system')) {
    throw new CorruptEventError(row[0], 'stored principal is incomplete or has an unknown via');
  }
  return { keyId, role, via };
}

function parseJsonData(position: number, data: string): StoredEvent['data'] {
  try {
    return JSON.parse(data);
  } catch {
    throw new CorruptEventError(position, 'stored data is not valid JSON');
  }
}

/** Statements only the writing connection runs. */
function writeStatements(db: Database.Database) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    known: db.prepare<[string], KnownRow>('SELECT position, stream_id, revision, event_id, hash, content_digest FROM events WHERE event_id = ?'),
    last: db.prepare<[string], { revision: number; hash: string }>(
      'SELECT revision, hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    ),
    lastInCategory: db.prepare<[string], { position: number }>(
      'SELECT position FROM events WHERE category = ? ORDER BY position DESC LIMIT 1',
    ),
    insert: db.prepare(
      `INSERT INTO events (stream_id, category, revision, event_id, type, schema_version, occurred_at, recorded_at,
         source, actor, correlation_id, causation_id, data, prev_hash, hash, content_digest,
         principal_key_id, principal_role, principal_via)
       VALUES (@streamId, @category, @revision, @eventId, @type, @schemaVersion, @occurredAt, @recordedAt,
         @source, @actor, @correlationId, @causationId, @data, @prevHash, @hash, @contentDigest,
         @principalKeyId, @principalRole, @principalVia)`,
    ),
  };
}

/**
 * Reads, prepared on each connection that serves them. Rows come as arrays (EVENT_COLUMNS): building
 * a 17-key object per row costs more than SQLite's whole scan, and readAll is what every catch-up
 * and rebuild pages through.
 */
function readStatements(db: Database.Database) {
  return {
    byEventId: db.prepare<[string], [...StoredRow, contentDigest: string]>(`SELECT ${EVENT_COLUMNS}, content_digest FROM events WHERE event_id = ?`).raw(true),
    stream: db
      .prepare<[string, number, number], StoredRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`)
      .raw(true),
    all: db.prepare<[number, number], StoredRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true),
    head: db.prepare<[], { p: number | null }>('SELECT max(position) AS p FROM events'),
    hashes: db.prepare<[number, number], { position: number; hash: string }>('SELECT position, hash FROM events WHERE position > ? ORDER BY position LIMIT ?'),
  };
}
