import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { openSqliteFile } from '@peil/ledger';
import { KeystoreError, type HouseholdKeyStore, type KeyRow, type KeyRows, type NewKeyRow } from './key-store';
import { loadMasterKey, type MasterKeySource } from './master-key';
import { WrappedKeyStore, type KeyStoreOptions } from './wrapped-key-store';

export const KEYSTORE_FILE = 'keystore.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS keystore_meta (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS household_keys (
  household_id TEXT PRIMARY KEY,
  wrapped_key  BLOB,          -- iv(12) || ciphertext(32) || tag(16), AES-256-GCM under the master key
  created_at   TEXT NOT NULL,
  destroyed_at TEXT,
  CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
`;

interface Row {
  wrapped_key: Buffer | null;
  destroyed_at: string | null;
}

const toKeyRow = (row: Row | undefined): KeyRow | undefined => row && { wrappedKey: row.wrapped_key, destroyedAt: row.destroyed_at };

/**
 * The embedded profile's key store: `<data dir>/keystore.sqlite`, beside, never inside, the ledger,
 * so a ledger export carries no keys and destroying a key never touches the ledger. Shared by the
 * service processes of one machine: every write is one BEGIN IMMEDIATE transaction, fsynced
 * (synchronous = FULL: a key acknowledged to a caller may already protect ledger data).
 */
export async function openSqliteKeyStore(dataDir: string, masterKey: Buffer, options: KeyStoreOptions = {}): Promise<HouseholdKeyStore> {
  return WrappedKeyStore.open(new SqliteKeyRows(join(dataDir, KEYSTORE_FILE)), masterKey, options);
}

/** Loads the master key (see loadMasterKey) and opens the SQLite key store of the data dir. */
export async function openSqliteKeyStoreFromEnv(env: MasterKeySource, dataDir: string, options: KeyStoreOptions = {}): Promise<HouseholdKeyStore> {
  const masterKey = loadMasterKey(env, dataDir);
  try {
    return await openSqliteKeyStore(dataDir, masterKey, options);
  } finally {
    masterKey.fill(0); // the store keeps its own copy
  }
}

export class SqliteKeyRows implements KeyRows {
  readonly description: string;
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<SqliteKeyRows['prepare']>;

  constructor(readonly file: string) {
    this.description = file;
    // openSqliteFile makes the file and its sidecars 0600 and survives several processes opening it at once.
    this.db = openSqliteFile(file, { schema: SCHEMA });
    // Zero freed bytes, so a destroyed wrapped key does not linger in free pages.
    this.db.pragma('secure_delete = ON');
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      meta: db.prepare<[string], { value: Buffer }>('SELECT value FROM keystore_meta WHERE name = ?'),
      insertMeta: db.prepare<[string, Buffer]>('INSERT OR IGNORE INTO keystore_meta (name, value) VALUES (?, ?)'),
      row: db.prepare<[string], Row>('SELECT wrapped_key, destroyed_at FROM household_keys WHERE household_id = ?'),
      insert: db.prepare<[string, Buffer, string]>('INSERT OR IGNORE INTO household_keys (household_id, wrapped_key, created_at) VALUES (?, ?, ?)'),
      destroy: db.prepare<[string, string]>(
        'UPDATE household_keys SET wrapped_key = NULL, destroyed_at = ? WHERE household_id = ? AND destroyed_at IS NULL',
      ),
      tombstone: db.prepare<[string, string, string]>(
        'INSERT OR IGNORE INTO household_keys (household_id, wrapped_key, created_at, destroyed_at) VALUES (?, NULL, ?, ?)',
      ),
    };
  }

  async claimCheckValue(check: Buffer): Promise<Buffer | undefined> {
    return this.db
      .transaction(() => {
        this.stmts.insertMeta.run('master_key_check', check);
        return this.stmts.meta.get('master_key_check')?.value;
      })
      .immediate();
  }

  async read(householdId: string): Promise<KeyRow | undefined> {
    return toKeyRow(this.stmts.row.get(householdId));
  }

  async insertIfAbsent(row: NewKeyRow): Promise<KeyRow | undefined> {
    return this.db
      .transaction(() => {
        this.stmts.insert.run(row.householdId, row.wrappedKey, row.createdAt);
        return toKeyRow(this.stmts.row.get(row.householdId));
      })
      .immediate();
  }

  async insertAll(rows: readonly NewKeyRow[]): Promise<void> {
    this.db
      .transaction(() => {
        for (const r of rows) this.stmts.insert.run(r.householdId, r.wrappedKey, r.createdAt);
        for (const r of rows) {
          const stored = this.stmts.row.get(r.householdId);
          if (!stored?.wrapped_key || !stored.wrapped_key.equals(r.wrappedKey)) {
            throw new KeystoreError(`household ${r.householdId}: its key was created or destroyed elsewhere during this batch; submit again`);
          }
        }
      })
      .immediate();
  }

  async destroy(householdId: string, at: string): Promise<{ destroyedAt: string; alreadyDestroyed: boolean }> {
    const result = this.db
      .transaction(() => {
        const row = this.stmts.row.get(householdId);
        if (row?.destroyed_at) return { destroyedAt: row.destroyed_at, alreadyDestroyed: true };
        if (row) this.stmts.destroy.run(at, householdId);
        else this.stmts.tombstone.run(householdId, at, at);
        return { destroyedAt: at, alreadyDestroyed: false };
      })
      .immediate();
    // The old page image still sits in the WAL until a checkpoint; truncate it now. Best effort: a
    // reader in another process can hold the checkpoint back, and the next checkpoint finishes the job.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return result;
  }

  async ping(): Promise<void> {
    this.stmts.meta.get('master_key_check');
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
