import type Database from 'better-sqlite3';
import { openSqliteFile, type Position } from '@peil/ledger';
import { ReadOnlyTx, runInOverlay, type BaseReader } from './overlay-tx';
import { PROJECTIONS_META } from './read-model-names';
import { CheckpointMovedError, type CheckpointMark, type Doc, type ReadStore, type ReadTx } from './read-store.port';

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
`;

export interface SqliteReadStoreOptions {
  busyTimeoutMs?: number;
}

/**
 * The embedded read store: its own SQLite file (never the ledger's, so a rebuild cannot touch the
 * ledger and report reads do not contend with appends). WAL, synchronous=FULL: a commit that returned
 * survives kill -9 and power loss, and its checkpoint with it. Several processes may share the file;
 * BEGIN IMMEDIATE serialises their commits and the checkpoint guard refuses the loser's batch.
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
    };
  }

  async checkpoint(projection: string): Promise<Position | null> {
    return this.stmts.getCheckpoint.get(projection)?.position ?? null;
  }

  async checkpointMark(projection: string): Promise<CheckpointMark | null> {
    const row = this.stmts.getCheckpoint.get(projection);
    return row ? { position: row.position, hash: row.hash } : null;
  }

  async commit(projection: string, expected: Position | null, position: Position, fn: (tx: ReadTx) => Promise<void>, hash?: string): Promise<void> {
    // Early refusal saves running a batch that cannot land; the check that counts is the one below.
    this.guard(projection, expected);
    const writes = await runInOverlay(this.base, fn);
    this.db
      .transaction(() => {
        // Inside the write lock: no other process can move the checkpoint between this check and COMMIT.
        this.guard(projection, expected);
        for (const { collection, id, json } of writes) {
          if (json === null) this.stmts.deleteDoc.run(collection, id);
          else this.stmts.putDoc.run(collection, id, json);
        }
        this.stmts.setCheckpoint.run(projection, position, hash ?? null);
      })
      .immediate();
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return fn(new ReadOnlyTx(this.base));
  }

  async reset(projections: readonly string[], collections: readonly string[]): Promise<void> {
    this.db
      .transaction(() => {
        for (const collection of collections) this.stmts.deleteCollection.run(collection);
        for (const projection of projections) {
          this.stmts.deleteDoc.run(PROJECTIONS_META, projection);
          this.stmts.deleteCheckpoint.run(projection);
        }
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
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
