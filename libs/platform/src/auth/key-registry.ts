import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { openSqliteFile } from '@peil/ledger';
import { isRole, type Role } from './roles';
import { ApiKeyVerifier, sha256Hex, type Caller } from './api-key.verifier';
import { KEY_NAME, type ApiKey } from './api-key';

export const KEY_REGISTRY_FILE_NAME = 'key-registry.sqlite';

/** A key as the registry knows it: never the key itself, only its SHA-256. */
export interface RegisteredKey {
  id: string;
  name: string;
  role: Role;
  /** Where it came from: `generated` (first start), `cli`, `api-keys.json`, `PEIL_API_KEYS`, `PEIL_API_KEYS_FILE`. */
  origin: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A request the registry refuses (a name taken, a key unknown): the CLI reports it as a usage error. */
export class KeyRegistryError extends Error {}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL,
  key_sha256 TEXT NOT NULL UNIQUE,
  origin     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
-- A name identifies one live key; revoked keys keep theirs, so the ledger's key ids stay explained.
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;
CREATE TABLE IF NOT EXISTS registry_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Keys are never deleted (events name them by id) and a revocation is final.
CREATE TRIGGER IF NOT EXISTS api_keys_no_delete BEFORE DELETE ON api_keys
  BEGIN SELECT RAISE(ABORT, 'API keys are revoked, never deleted'); END;
CREATE TRIGGER IF NOT EXISTS api_keys_revoke_only BEFORE UPDATE ON api_keys
  WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL OR NEW.id IS NOT OLD.id OR NEW.name IS NOT OLD.name
    OR NEW.role IS NOT OLD.role OR NEW.key_sha256 IS NOT OLD.key_sha256 OR NEW.origin IS NOT OLD.origin OR NEW.created_at IS NOT OLD.created_at
  BEGIN SELECT RAISE(ABORT, 'an API key can only be revoked, once'); END;
`;

interface Row {
  id: string;
  name: string;
  role: string;
  key_sha256: string;
  origin: string;
  created_at: string;
  revoked_at: string | null;
}

/**
 * The gateway's API keys, in `<data dir>/key-registry.sqlite` (mode 0600): SHA-256 digests only,
 * so that the file (or a backup of it) does not let anyone call the API. A plain SHA-256 suffices
 * because the keys are random — generated ones carry 256 bits; declared ones must have at least 24
 * characters and should be generated too: a slow password hash protects guessable secrets, and it
 * would cost milliseconds on every request (docs/decisions/0028).
 *
 * The gateway checks every request against an in-memory map of the live digests, refreshed when
 * SQLite's data_version says another connection (the `peil-ledger keys` CLI) committed a change: a
 * revocation is refused from the next request on, without a restart, for one PRAGMA per request.
 */
export class KeyRegistry {
  private readonly db: Database.Database;
  private readonly dataVersion: Database.Statement<[], number>;
  private seenVersion = -1;
  private verifier = new ApiKeyVerifier([]);

  private constructor(readonly file: string) {
    createPrivateFile(file);
    this.db = openSqliteFile(file, { schema: SCHEMA });
    this.dataVersion = this.db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  static open(file: string): KeyRegistry {
    return new KeyRegistry(file);
  }

  static inDataDir(dataDir: string): KeyRegistry {
    return new KeyRegistry(join(dataDir, KEY_REGISTRY_FILE_NAME));
  }

  /** The caller a presented key authenticates, or null (unknown or revoked). */
  verify(presented: string): Caller | null {
    const version = this.dataVersion.get()!;
    if (version !== this.seenVersion) this.reload(version);
    return this.verifier.verify(presented);
  }

  list(): RegisteredKey[] {
    return this.db.prepare<[], Row>('SELECT * FROM api_keys ORDER BY created_at, id').all().map(toRegistered);
  }

  /** Registers a key under a new name; the key itself is not kept. */
  add(key: ApiKey, origin: string, createdAt: string): RegisteredKey {
    this.db.transaction(() => this.insert(key, origin, createdAt)).immediate();
    this.seenVersion = -1;
    return this.byId(key.id)!;
  }

  /** Revokes the live key with this name, or the key with this id; revoking a revoked key is refused. */
  revoke(idOrName: string, at: string): RegisteredKey {
    const revoked = this.db
      .transaction(() => {
        const row =
          this.db.prepare<[string], Row>('SELECT * FROM api_keys WHERE name = ? AND revoked_at IS NULL').get(idOrName) ??
          this.db.prepare<[string], Row>('SELECT * FROM api_keys WHERE id = ?').get(idOrName);
        if (!row) throw new KeyRegistryError(`no key with id or name ${idOrName}`);
        if (row.revoked_at !== null) throw new KeyRegistryError(`key ${row.id} (${row.name}) was already revoked at ${row.revoked_at}`);
        this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(at, row.id);
        return row.id;
      })
      .immediate();
    this.seenVersion = -1;
    return this.byId(revoked)!;
  }

  /**
   * Once per data dir: the keys of the first start (or of an api-keys.json from before the registry)
   * are imported, and the file is never read for authentication again. Returns false when that was
   * already done, without calling `keys`.
   */
  importInitial(keys: () => { keys: ApiKey[]; origin: string }, at: string): boolean {
    const imported = this.db
      .transaction(() => {
        if (this.db.prepare('SELECT 1 FROM registry_meta WHERE name = ?').get('initial_import')) return false;
        const { keys: initial, origin } = keys();
        for (const key of initial) this.insert(key, origin, at);
        this.db.prepare('INSERT INTO registry_meta (name, value) VALUES (?, ?)').run('initial_import', `${origin} ${at}`);
        return true;
      })
      .immediate();
    this.seenVersion = -1;
    return imported;
  }

  /**
   * Keys declared by configuration (PEIL_API_KEYS, PEIL_API_KEYS_FILE) at this start: new ones are
   * registered; a declared key already registered keeps its state (a revoked key stays refused);
   * a live key declared by this origin before and no longer is, is revoked — removing a key from
   * the configuration withdraws it.
   */
  syncDeclared(keys: readonly ApiKey[], origin: string, at: string): { added: number; withdrawn: number; stillRevoked: string[] } {
    const result = this.db
      .transaction(() => {
        const declared = new Set(keys.map((k) => sha256Hex(k.key)));
        let withdrawn = 0;
        for (const row of this.db.prepare<[string], Row>('SELECT * FROM api_keys WHERE origin = ? AND revoked_at IS NULL').all(origin)) {
          if (declared.has(row.key_sha256)) continue;
          this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(at, row.id);
          withdrawn += 1;
        }
        let added = 0;
        const stillRevoked: string[] = [];
        for (const key of keys) {
          const known = this.db.prepare<[string], Row>('SELECT * FROM api_keys WHERE key_sha256 = ?').get(sha256Hex(key.key));
          if (!known) {
            this.insert(key, origin, at);
            added += 1;
          } else if (known.revoked_at !== null) {
            stillRevoked.push(`${known.name} (${known.id})`);
          }
        }
        return { added, withdrawn, stillRevoked };
      })
      .immediate();
    this.seenVersion = -1;
    return result;
  }

  activeCount(): number {
    return this.db.prepare<[], number>('SELECT count(*) FROM api_keys WHERE revoked_at IS NULL').pluck().get()!;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }

  private insert(key: ApiKey, origin: string, createdAt: string): void {
    if (!KEY_NAME.test(key.name)) throw new KeyRegistryError(`key name "${key.name}" must be 1–64 letters, digits and . _ @ - (starting with a letter or digit)`);
    const digest = sha256Hex(key.key);
    if (this.db.prepare('SELECT 1 FROM api_keys WHERE key_sha256 = ?').get(digest)) throw new KeyRegistryError(`that key is already registered`);
    if (this.db.prepare('SELECT 1 FROM api_keys WHERE name = ? AND revoked_at IS NULL').get(key.name)) {
      throw new KeyRegistryError(`a live key is already named ${key.name}; revoke it first or choose another name`);
    }
    if (this.byId(key.id)) throw new KeyRegistryError(`key id ${key.id} is taken: generate another key`);
    this.db
      .prepare('INSERT INTO api_keys (id, name, role, key_sha256, origin, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.id, key.name, key.role, digest, origin, createdAt);
  }

  private byId(id: string): RegisteredKey | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM api_keys WHERE id = ?').get(id);
    return row ? toRegistered(row) : undefined;
  }

  private reload(version: number): void {
    const rows = this.db.prepare<[], Row>('SELECT * FROM api_keys WHERE revoked_at IS NULL').all();
    this.verifier = new ApiKeyVerifier(
      rows.filter((r) => isRole(r.role)).map((r) => ({ sha256: r.key_sha256, caller: { role: r.role as Role, keyId: r.id } })),
    );
    this.seenVersion = version;
  }
}

function toRegistered(row: Row): RegisteredKey {
  return { id: row.id, name: row.name, role: row.role as Role, origin: row.origin, createdAt: row.created_at, revokedAt: row.revoked_at };
}

/** Created owner-only before SQLite opens it; SQLite gives its -wal and -shm files the same mode. */
function createPrivateFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

