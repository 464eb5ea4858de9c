import type Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable } from 'rxjs';
import { AsyncMutex } from '../core/async-mutex';
import type { NewEvent, Position, StoredEvent } from '../core/envelope';
import { openSqliteFile, openSqliteReader } from './open-sqlite-file';
import { appendRows, writeStatements } from './sqlite-append';
import { fromStoredRow, hashableRow, readStatements, type StoredRow } from './sqlite-rows';
import { addPrincipalColumns, LEDGER_SCHEMA } from './sqlite-schema';
import { holdingWriteLock } from '../store/write-lock-scope';
import type {
  AppendedEvent,
  AppendOptions,
  EventStore,
  EventStoreCapabilities,
  ExpectedRevision,
} from '../store/event-store.port';

export interface SqliteEventStoreOptions {
  /** How often a live subscription looks for events written by other processes. */
  pollIntervalMs?: number;
  busyTimeoutMs?: number;
  /**
   * How long append and unitOfWork wait for SQLite's write lock, held by another process, before
   * failing with SQLITE_BUSY (default 60 s). They wait without blocking the event loop (decision 0100).
   */
  writeWaitMs?: number;
}

/** After a unit that held the write lock this long, this connection lets others take it first. */
const LONG_HOLD_MS = 20;
/** How long it leaves the lock free then: longer than another process's poll interval below. */
const HANDOVER_MS = 2;
const POLL_MS = 1;

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
  readonly capabilities: EventStoreCapabilities = { contiguousPositions: true, atomicConditions: true, atomicUnits: true };
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
  private readonly writeWaitMs: number;
  private readonly busyTimeoutMs: number;
  /** When this connection last released a write lock it had held for LONG_HOLD_MS or more. */
  private longHoldEndedAt = -Infinity;

  constructor(readonly file: string, options: SqliteEventStoreOptions = {}) {
    this.db = openSqliteFile(file, { schema: LEDGER_SCHEMA, busyTimeoutMs: options.busyTimeoutMs });
    addPrincipalColumns(this.db);
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.stmts = writeStatements(this.db);
    this.writeWaitMs = options.writeWaitMs ?? 60_000;
    this.busyTimeoutMs = this.db.pragma('busy_timeout', { simple: true }) as number;
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
    // Outside any unit: a unit of its own, so the write lock is waited for as a unit's is.
    return this.unitOfWork(async () => this.appendSync(streamId, events, expectedRevision, options));
  }

  async unitOfWork<T>(work: () => Promise<T>): Promise<T> {
    if (this.inUnit()) return work();
    const release = await this.writeLock.acquire();
    const unit = { appended: false, held: false };
    let heldSince = 0;
    try {
      // Taken up front: reads inside the unit then decide on the state the commit will extend.
      await this.beginImmediate();
      heldSince = Date.now();
      unit.held = true;
      this.openUnit = unit;
      let result: T;
      try {
        result = await this.unitScope.run(unit, () => holdingWriteLock(unit, work));
        this.stmts.commit.run();
      } catch (err) {
        if (this.db.inTransaction) this.stmts.rollback.run();
        throw err;
      }
      if (unit.appended) this.localAppends.forEach((wake) => wake());
      return result;
    } finally {
      if (heldSince > 0 && Date.now() - heldSince >= LONG_HOLD_MS) this.longHoldEndedAt = Date.now();
      unit.held = false;
      this.openUnit = undefined;
      release();
    }
  }

  /**
   * BEGIN IMMEDIATE without SQLite's busy handler, which sleeps inside the call: a process waiting
   * for another's write lock would stop serving everything else (health, reads, other requests) for
   * up to its busy timeout, and, polling every 100 ms, would keep losing the lock to a process that
   * commits unit after unit. Here the wait is asynchronous, polls every millisecond, and a
   * connection that just held the lock for a long unit leaves it free for HANDOVER_MS first, so
   * writers of several processes take turns instead of one starving (decision 0100).
   */
  private async beginImmediate(): Promise<void> {
    const handover = this.longHoldEndedAt + HANDOVER_MS - Date.now();
    if (handover > 0) await sleep(handover);
    const deadline = Date.now() + this.writeWaitMs;
    for (;;) {
      const busy = this.tryBegin();
      if (!busy) return;
      if (Date.now() >= deadline) throw busy;
      await sleep(POLL_MS);
    }
  }

  /** Undefined once the transaction is open; the SQLITE_BUSY error while another connection writes. */
  private tryBegin(): Error | undefined {
    // Not a prepared statement: SQLite applies this pragma when it compiles it, not when it runs.
    this.db.pragma('busy_timeout = 0');
    try {
      this.stmts.begin.run();
      return undefined;
    } catch (err) {
      // SQLITE_BUSY and its extended codes (another connection recovering the WAL, for one).
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return err as Error;
      throw err;
    } finally {
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
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
    const result = this.db.transaction(() => appendRows(this.stmts, streamId, events, expectedRevision, options)).immediate();
    if (result[0]?.status === 'appended') {
      // Subscribers read committed events only: inside a unit, wake them when it commits.
      if (unit) unit.appended = true;
      else this.localAppends.forEach((wake) => wake());
    }
    return result;
  }

  async readStream(streamId: string, options: { fromRevision?: number; limit?: number } = {}): Promise<StoredEvent[]> {
    return this.reads()
      .stream.all(options.limit ?? Number.MAX_SAFE_INTEGER, streamId, options.fromRevision ?? 0)
      .map(fromStoredRow);
  }

  async readAll(afterPosition: Position | null, limit: number): Promise<StoredEvent[]> {
    return this.readAllSync(afterPosition, limit);
  }

  readAllSync(afterPosition: Position | null, limit: number): StoredEvent[] {
    return this.reads().all.all(limit, afterPosition ?? 0).map(fromStoredRow);
  }

  async readCategory(category: string, afterPosition: Position | null, limit: number): Promise<StoredEvent[]> {
    // SQLite reads LIMIT -1 as "no limit"; the port reads it as nothing.
    if (!(limit > 0)) return [];
    return this.reads().category.all(limit, category, afterPosition ?? 0).map(fromStoredRow);
  }

  readAllStored(afterPosition: Position | null, limit: number): Array<{ event: StoredEvent; dataJson: string }> {
    return this.reads().all.all(limit, afterPosition ?? 0).map(hashableRow);
  }

  /** Rows in (afterPosition, throughPosition] as stored, `data` still text: what the parallel verifier hashes. */
  readRows(afterPosition: Position, throughPosition: Position): StoredRow[] {
    return this.reads().range.all(afterPosition, throughPosition);
  }

  readHashes(afterPosition: Position | null, limit: number): Array<{ position: Position; hash: string }> {
    return this.reads().hashes.all(limit, afterPosition ?? 0);
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
