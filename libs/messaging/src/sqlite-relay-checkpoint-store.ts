import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { openSqliteFile, type Position } from '@peil/ledger';
import type { RelayCheckpointStore } from './relay-checkpoint.port';

/** The relay's own file in the data dir: not the ledger, which stays append-only events and nothing else. */
export const relayCheckpointFile = (dataDir: string): string => join(dataDir, 'relay.sqlite');

/**
 * Checkpoints in a tiny SQLite table (name → position), WAL and synchronous=FULL so that a saved
 * checkpoint survives a power cut. Losing one would not lose events — the relay would republish
 * from an older position — but it would turn one batch of duplicates into many.
 */
export class SqliteRelayCheckpointStore implements RelayCheckpointStore {
  private readonly db: Database.Database;
  private readonly selectStmt: Database.Statement<[string], { position: number }>;
  private readonly upsertStmt: Database.Statement<[string, number, string]>;

  constructor(readonly file: string) {
    // The shared opener: WAL, synchronous=FULL, owner-only modes.
    this.db = openSqliteFile(file, {
      busyTimeoutMs: 5000,
      schema: `CREATE TABLE IF NOT EXISTS relay_checkpoints (
      name       TEXT    PRIMARY KEY,
      position   INTEGER NOT NULL,
      updated_at TEXT    NOT NULL
    )`,
    });
    this.selectStmt = this.db.prepare('SELECT position FROM relay_checkpoints WHERE name = ?');
    this.upsertStmt = this.db.prepare(
      `INSERT INTO relay_checkpoints (name, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    );
  }

  async load(name: string): Promise<Position | null> {
    return this.selectStmt.get(name)?.position ?? null;
  }

  async save(name: string, position: Position): Promise<void> {
    this.upsertStmt.run(name, position, new Date().toISOString());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
