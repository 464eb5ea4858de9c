import type Database from 'better-sqlite3';
import { openSqliteFile, type Position } from '@peil/ledger';
import { ReadOnlyTx, runInOverlay, type BaseReader, type DocWrite } from './overlay-tx';
import { PROJECTIONS_META } from './read-model-names';
import { CheckpointMovedError, type CheckpointMark, type CommitTx, type Doc, type ReadStore, type ReadTx } from './read-store.port';

// WITHOUT ROWID: documents are clustered by (collection, id), so all() is one ordered range scan and
// get() one b-tree descent. TEXT compares with the BINARY collation, i.e. by UTF-8 bytes.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS documents (
  collection TEXT NOT NULL,
  id         TEXT NOT NULL,
  json       TEXT NOT NULL,
  PRIMARY KEY (collection, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  projection TEXT    PRIMARY KEY,
  position   INTEGER NOT NULL,
  hash       TEXT
);
CREATE TABLE IF NOT EXISTS versions (
  collection TEXT    NOT NULL,
  id         TEXT    NOT NULL,
  since      INTEGER NOT NULL,
  json       TEXT,
  PRIMARY KEY (collection, id, since)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history (
  projection TEXT PRIMARY KEY
);
`;

// The ids a collection ever held, by skipping through the versions index from one id to the next
// (one seek each, however many versions an id has), each with its latest version at or below @position
// (json null: deleted by then, or not written yet).
const ALL_AT = `
WITH RECURSIVE ids(id) AS (
  SELECT (SELECT min(id) FROM versions WHERE collection = @collection)
  UNION ALL
  SELECT (SELECT min(id) FROM versions WHERE collection = @collection AND id > ids.id) FROM ids WHERE ids.id IS NOT NULL
)
SELECT id, (SELECT json FROM versions v WHERE v.collection = @collection AND v.id = ids.id AND v.since <= @position ORDER BY v.since DESC LIMIT 1) AS json
FROM ids WHERE id IS NOT NULL ORDER BY id`;

export interface SqliteReadStoreOptions {
  busyTimeoutMs?: number;
}

/**
 * The embedded read store: its own SQLite file (never the ledger's, so a rebuild cannot touch the
 * ledger and report reads do not contend with appends). WAL, synchronous=FULL: a commit that returned
 * survives kill -9 and power loss, and its checkpoint with it. Several processes may share the file;
 * BEGIN IMMEDIATE serialises their commits and the checkpoint guard refuses the loser's batch.
 * Besides the current documents it keeps every earlier version, dated by the position of the event
 * that wrote it (`versions`), so readAt() answers "as of" any position the projections have passed
 * with a few index seeks per document instead of a replay.
 */
export class SqliteReadStore implements ReadStore {
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<SqliteReadStore['prepare']>;
  private readonly base: BaseReader;
  private closed = false;

  constructor(readonly file: string, options: SqliteReadStoreOptions = {}) {
    this.db = openSqliteFile(file, { schema: SCHEMA, busyTimeoutMs: options.busyTimeoutMs });
    addHashColumn(this.db);
    this.stmts = this.prepare();
    const { getDoc, allDocs } = this.stmts;
    this.base = {
      get: (collection, id) => {
        const row = getDoc.get(collection, id);
        return row ? (JSON.parse(row.json) as Doc) : undefined;
      },
      all: (collection) => allDocs.all(collection).map((row) => ({ id: row.id, doc: JSON.parse(row.json) as Doc })),
    };
  }

  private prepare() {
    const db = this.db;
    return {
      getDoc: db.prepare<[string, string], { json: string }>('SELECT json FROM documents WHERE collection = ? AND id = ?'),
      allDocs: db.prepare<[string], { id: string; json: string }>('SELECT id, json FROM documents WHERE collection = ? ORDER BY id'),
      putDoc: db.prepare<[string, string, string]>(
        'INSERT INTO documents (collection, id, json) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET json = excluded.json',
      ),
      deleteDoc: db.prepare<[string, string]>('DELETE FROM documents WHERE collection = ? AND id = ?'),
      deleteCollection: db.prepare<[string]>('DELETE FROM documents WHERE collection = ?'),
      getCheckpoint: db.prepare<[string], { position: number; hash: string | null }>('SELECT position, hash FROM checkpoints WHERE projection = ?'),
      setCheckpoint: db.prepare<[string, number, string | null]>(
        'INSERT INTO checkpoints (projection, position, hash) VALUES (?, ?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position, hash = excluded.hash',
      ),
      deleteCheckpoint: db.prepare<[string]>('DELETE FROM checkpoints WHERE projection = ?'),
      getDocAt: db.prepare<[string, string, number], { json: string | null }>(
        'SELECT json FROM versions WHERE collection = ? AND id = ? AND since <= ? ORDER BY since DESC LIMIT 1',
      ),
      allDocsAt: db.prepare<[{ collection: string; position: number }], { id: string; json: string | null }>(ALL_AT),
      putVersion: db.prepare<[string, string, number, string | null]>('INSERT INTO versions (collection, id, since, json) VALUES (?, ?, ?, ?)'),
      deleteVersions: db.prepare<[string]>('DELETE FROM versions WHERE collection = ?'),
      startHistory: db.prepare<[string]>('INSERT OR IGNORE INTO history (projection) VALUES (?)'),
      getHistory: db.prepare<[string], { projection: string }>('SELECT projection FROM history WHERE projection = ?'),
      deleteHistory: db.prepare<[string]>('DELETE FROM history WHERE projection = ?'),
    };
  }

  async checkpoint(projection: string): Promise<Position | null> {
    return this.stmts.getCheckpoint.get(projection)?.position ?? null;
  }

  async checkpointMark(projection: string): Promise<CheckpointMark | null> {
    const row = this.stmts.getCheckpoint.get(projection);
    return row ? { position: row.position, hash: row.hash } : null;
  }

  async commit(projection: string, expected: Position | null, position: Position, fn: (tx: CommitTx) => Promise<void>, hash?: string): Promise<void> {
    // Early refusal saves running a batch that cannot land; the check that counts is the one below.
    this.guard(projection, expected);
    const writes = await runInOverlay(this.base, fn, { position });
    this.db
      .transaction(() => {
        // Inside the write lock: no other process can move the checkpoint between this check and COMMIT.
        this.guard(projection, expected);
        // A projection's first commit starts its history: every version from its first event on is kept.
        if (expected === null) this.stmts.startHistory.run(projection);
        for (const write of writes) this.write(write);
        this.stmts.setCheckpoint.run(projection, position, hash ?? null);
      })
      .immediate();
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return fn(new ReadOnlyTx(this.base));
  }

  /**
   * Documents as of `position`: each one's latest version at or below it. Versions at or below a
   * checkpoint never change (later commits only add later ones), so no transaction is needed.
   */
  async readAt<T>(position: Position, fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    const { getDocAt, allDocsAt } = this.stmts;
    return fn(
      new ReadOnlyTx({
        get: (collection, id) => {
          const json = getDocAt.get(collection, id, position)?.json;
          return json == null ? undefined : (JSON.parse(json) as Doc);
        },
        all: (collection) => allDocsAt.all({ collection, position }).flatMap((row) => (row.json === null ? [] : [{ id: row.id, doc: JSON.parse(row.json) as Doc }])),
      }),
    );
  }

  async keepsHistory(projection: string): Promise<boolean> {
    return this.stmts.getHistory.get(projection) !== undefined;
  }

  async reset(projections: readonly string[], collections: readonly string[]): Promise<void> {
    this.db
      .transaction(() => {
        for (const collection of collections) {
          this.stmts.deleteCollection.run(collection);
          this.stmts.deleteVersions.run(collection);
        }
        for (const projection of projections) {
          this.stmts.deleteDoc.run(PROJECTIONS_META, projection);
          this.stmts.deleteCheckpoint.run(projection);
          this.stmts.deleteHistory.run(projection);
        }
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /**
   * One document's write, with each version that differs from the state before it: the overlay
   * compares a batch's states with each other, the first one is compared with the stored document
   * here. The version stamps (PROJECTIONS_META) have no history.
   */
  private write({ collection, id, json, versions }: DocWrite): void {
    const stored = this.stmts.getDoc.get(collection, id)?.json ?? null;
    let previous = stored;
    for (const version of collection === PROJECTIONS_META ? [] : versions ?? []) {
      if (version.json === previous) continue;
      this.stmts.putVersion.run(collection, id, version.since, version.json);
      previous = version.json;
    }
    if (json === stored) return;
    if (json === null) this.stmts.deleteDoc.run(collection, id);
    else this.stmts.putDoc.run(collection, id, json);
  }

  private guard(projection: string, expected: Position | null): void {
    const actual = this.stmts.getCheckpoint.get(projection)?.position ?? null;
    if (actual !== expected) throw new CheckpointMovedError(projection, expected, actual);
  }
}

/**
 * Read stores created before checkpoints carried the hash of their event get the column, empty: their
 * next commit fills it. ALTER TABLE … ADD COLUMN with no default rewrites nothing, so this is instant.
 */
function addHashColumn(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('checkpoints')").all();
  if (columns.some((c) => c.name === 'hash')) return;
  try {
    db.exec('ALTER TABLE checkpoints ADD COLUMN hash TEXT');
  } catch (err) {
    // Another process opening the same file added it first.
    if (!/duplicate column/i.test((err as Error).message)) throw err;
  }
}
