import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, linkSync, openSync, rmSync, unlinkSync } from 'node:fs';
import { ensurePrivateDir, ensurePrivateFile, PRIVATE_FILE_MODE, restrictSqliteSidecars } from '@peil/ledger';
import { join } from 'node:path';
import { type Clock, systemClock } from '../clock/clock';
import { fsyncDir, loadMasterKey, MASTER_KEY_BYTES } from './master-key';

export const KEYSTORE_FILE = 'keystore.sqlite';
export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a household's key entry says; `destroyed` is kept for good so an erased household stays erased. */
export type KeyLookup =
  | { status: 'active'; key: Buffer }
  | { status: 'destroyed'; destroyedAt: string }
  | { status: 'unknown' };

/** The part of the key store that encrypting code needs; tests can pass an in-memory fake. */
export interface HouseholdKeys {
  getOrCreateKey(householdId: string): Buffer;
  lookupKey(householdId: string): KeyLookup;
  /** Keys created inside `work` are written in one transaction when it resolves (see HouseholdKeyStore). */
  unitOfWork?<T>(work: () => Promise<T>): Promise<T>;
}

/** Keys created inside one unit of work, not yet written. */
interface KeyUnit {
  pending: Map<string, { wrapped: Buffer; key: Buffer; createdAt: string }>;
  open: boolean;
}

/** The keystore cannot be used: wrong master key, or a row was altered. Never carries key material. */
export class KeystoreError extends Error {}

export class HouseholdKeyDestroyedError extends Error {
  constructor(readonly householdId: string, readonly destroyedAt: string) {
    super(`the data key of household ${householdId} was destroyed at ${destroyedAt}; its personal data is erased`);
  }
}

export interface HouseholdKeyStoreOptions {
  clock?: Clock;
  busyTimeoutMs?: number;
}

interface KeyRow {
  wrapped_key: Buffer | null;
  destroyed_at: string | null;
}

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

/** HKDF-SHA256 of the master key; empty salt is sound because the master key is uniformly random. */
function deriveKey(masterKey: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
}

/** The secret for content digests (ADR 0004); every process derives the same one, nothing is stored. */
export function deriveDigestKey(masterKey: Buffer): Buffer {
  return deriveKey(masterKey, 'peil-content-digest-v1');
}

/** The secret for ESSN id pseudonyms (see pseudonym.ts); its own HKDF label, so it is unrelated to the digest key. */
export function deriveEssnPseudonymKey(masterKey: Buffer): Buffer {
  return deriveKey(masterKey, 'peil-essn-pseudonym-v1');
}

/**
 * Per-household data keys (ADR 0007) in their own SQLite file beside, never inside, the ledger, so a
 * ledger export carries no keys and destroying a key (crypto-shredding) never touches the ledger.
 * Keys are not cached in memory: another process may destroy a key, and erasure must take effect
 * everywhere at once. An unwrap is one AES-GCM block operation and a primary-key read.
 */
export class HouseholdKeyStore implements HouseholdKeys {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly masterKey: Buffer;
  private readonly contentDigestKey: Buffer;
  private readonly essnKey: Buffer;
  private readonly clock: Clock;
  private readonly stmts: ReturnType<HouseholdKeyStore['prepare']>;
  private readonly unitScope = new AsyncLocalStorage<KeyUnit>();

  /** Loads the master key (PEIL_MASTER_KEY or `<dataDir>/master.key`) and opens the store. */
  static open(env: { PEIL_MASTER_KEY?: string }, dataDir: string, options: HouseholdKeyStoreOptions = {}): HouseholdKeyStore {
    const masterKey = loadMasterKey(env, dataDir);
    try {
      return new HouseholdKeyStore(dataDir, masterKey, options);
    } finally {
      masterKey.fill(0); // the store keeps its own copy
    }
  }

  constructor(dataDir: string, masterKey: Buffer, options: HouseholdKeyStoreOptions = {}) {
    if (masterKey.length !== MASTER_KEY_BYTES) throw new KeystoreError(`master key must be ${MASTER_KEY_BYTES} bytes`);
    this.masterKey = Buffer.from(masterKey);
    this.contentDigestKey = deriveDigestKey(this.masterKey);
    this.essnKey = deriveEssnPseudonymKey(this.masterKey);
    this.clock = options.clock ?? systemClock;
    this.file = join(dataDir, KEYSTORE_FILE);
    createDatabaseFile(dataDir, this.file);
    ensurePrivateFile(this.file); // a keystore written by an older version may be 0644
    this.db = new Database(this.file, { fileMustExist: true });
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    if (this.db.pragma('journal_mode', { simple: true }) !== 'wal') {
      this.db.close();
      throw new KeystoreError(`${this.file} is not in WAL mode; it was not created by HouseholdKeyStore`);
    }
    // A key acknowledged to a caller may already protect ledger data: it must survive power loss.
    this.db.pragma('synchronous = FULL');
    // Zero freed bytes, so a destroyed wrapped key does not linger in free pages.
    this.db.pragma('secure_delete = ON');
    this.stmts = this.prepare();
    this.checkMasterKey();
    restrictSqliteSidecars(this.file);
  }

  private prepare() {
    const db = this.db;
    return {
      meta: db.prepare<[string], { value: Buffer }>('SELECT value FROM keystore_meta WHERE name = ?'),
      insertMeta: db.prepare<[string, Buffer]>('INSERT OR IGNORE INTO keystore_meta (name, value) VALUES (?, ?)'),
      row: db.prepare<[string], KeyRow>('SELECT wrapped_key, destroyed_at FROM household_keys WHERE household_id = ?'),
      insert: db.prepare<[string, Buffer, string]>(
        'INSERT OR IGNORE INTO household_keys (household_id, wrapped_key, created_at) VALUES (?, ?, ?)',
      ),
      destroy: db.prepare<[string, string]>(
        'UPDATE household_keys SET wrapped_key = NULL, destroyed_at = ? WHERE household_id = ? AND destroyed_at IS NULL',
      ),
      tombstone: db.prepare<[string, string, string]>(
        'INSERT OR IGNORE INTO household_keys (household_id, wrapped_key, created_at, destroyed_at) VALUES (?, NULL, ?, ?)',
      ),
    };
  }

  /**
   * A key check value, derived from (not equal to) the master key, is stored on first open; a later
   * open with another master key fails here at start instead of on the first personal-data read.
   */
  private checkMasterKey(): void {
    const check = deriveKey(this.masterKey, 'peil-keystore-check-v1');
    const stored = this.db
      .transaction(() => {
        this.stmts.insertMeta.run('master_key_check', check);
        return this.stmts.meta.get('master_key_check')?.value;
      })
      .immediate();
    if (!stored || stored.length !== check.length || !timingSafeEqual(stored, check)) {
      this.db.close();
      throw new KeystoreError(
        `${this.file} was created under a different master key; check PEIL_MASTER_KEY or master.key in the data directory`,
      );
    }
  }

  /**
   * The household's data key, created on first use. Concurrent callers in several processes race
   * inside BEGIN IMMEDIATE with INSERT OR IGNORE and read back the winner, so all get the same key.
   * Throws HouseholdKeyDestroyedError for an erased household: it never gets a fresh key.
   */
  getOrCreateKey(householdId: string): Buffer {
    checkId(householdId);
    const unit = this.currentUnit();
    const pending = unit?.pending.get(householdId);
    if (pending) return Buffer.from(pending.key);
    let row = this.stmts.row.get(householdId);
    if (!row && unit) {
      const key = randomBytes(DATA_KEY_BYTES);
      unit.pending.set(householdId, { key, wrapped: this.wrap(householdId, Buffer.from(key)), createdAt: this.clock.now().toISOString() });
      return Buffer.from(key);
    }
    if (!row) {
      const wrapped = this.wrap(householdId, randomBytes(DATA_KEY_BYTES));
      const createdAt = this.clock.now().toISOString();
      row = this.db
        .transaction(() => {
          this.stmts.insert.run(householdId, wrapped, createdAt);
          return this.stmts.row.get(householdId);
        })
        .immediate();
      if (!row) throw new KeystoreError(`household ${householdId}: key row missing right after insert`);
    }
    const found = this.toLookup(householdId, row);
    if (found.status === 'destroyed') throw new HouseholdKeyDestroyedError(householdId, found.destroyedAt);
    if (found.status === 'unknown') throw new KeystoreError(`household ${householdId}: key row missing`);
    return found.key;
  }

  /** The data key, or null when the household is unknown or its key was destroyed. */
  getKey(householdId: string): Buffer | null {
    const found = this.lookupKey(householdId);
    return found.status === 'active' ? found.key : null;
  }

  lookupKey(householdId: string): KeyLookup {
    checkId(householdId);
    const pending = this.currentUnit()?.pending.get(householdId);
    if (pending) return { status: 'active', key: Buffer.from(pending.key) };
    const row = this.stmts.row.get(householdId);
    return row ? this.toLookup(householdId, row) : { status: 'unknown' };
  }

  /**
   * Group commit for key creation: keys created inside `work` are kept in memory (seen by lookups in
   * the same async context only) and written in ONE transaction — one fsync — when `work` resolves,
   * before the caller commits the events encrypted under them. No transaction stays open across
   * awaits, so other writers (an erasure, another process) are never blocked by a batch. If another
   * writer created or destroyed one of these households' keys meanwhile, the unit fails instead of
   * keeping data under a key that was never stored; the caller's events must then not commit.
   */
  async unitOfWork<T>(work: () => Promise<T>): Promise<T> {
    if (this.currentUnit()) return work();
    const unit: KeyUnit = { pending: new Map(), open: true };
    try {
      const result = await this.unitScope.run(unit, work);
      this.writePending(unit);
      return result;
    } finally {
      unit.open = false;
      for (const p of unit.pending.values()) p.key.fill(0);
    }
  }

  private currentUnit(): KeyUnit | undefined {
    const unit = this.unitScope.getStore();
    return unit?.open ? unit : undefined;
  }

  private writePending(unit: KeyUnit): void {
    if (unit.pending.size === 0) return;
    this.db
      .transaction(() => {
        for (const [householdId, p] of unit.pending) this.stmts.insert.run(householdId, p.wrapped, p.createdAt);
        for (const [householdId, p] of unit.pending) {
          const row = this.stmts.row.get(householdId);
          if (!row?.wrapped_key || !row.wrapped_key.equals(p.wrapped)) {
            throw new KeystoreError(`household ${householdId}: its key was created or destroyed elsewhere during this batch; submit again`);
          }
        }
      })
      .immediate();
  }

  /**
   * Crypto-shredding: the wrapped key is overwritten with NULL and the row kept with destroyed_at, so
   * the household can never get a new key that would make old ciphertexts look merely "unreadable".
   * A never-seen household gets a tombstone row. Idempotent: a second call keeps the first time.
   */
  destroyKey(householdId: string, at: string): { destroyedAt: string; alreadyDestroyed: boolean } {
    checkId(householdId);
    if (Number.isNaN(Date.parse(at))) throw new RangeError('destroyKey: `at` must be an ISO timestamp');
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

  /** HMAC key for content digests, derived with HKDF-SHA256 (info 'peil-content-digest-v1'). */
  digestKey(): Buffer {
    return Buffer.from(this.contentDigestKey);
  }

  /** HMAC key for ESSN id pseudonyms, derived with HKDF-SHA256 (info 'peil-essn-pseudonym-v1'). */
  essnPseudonymKey(): Buffer {
    return Buffer.from(this.essnKey);
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.masterKey.fill(0);
    this.contentDigestKey.fill(0);
    this.essnKey.fill(0);
  }

  private toLookup(householdId: string, row: KeyRow): KeyLookup {
    if (row.destroyed_at !== null) return { status: 'destroyed', destroyedAt: row.destroyed_at };
    if (row.wrapped_key === null) throw new KeystoreError(`household ${householdId}: key row has neither key nor destroyed_at`);
    return { status: 'active', key: this.unwrap(householdId, row.wrapped_key) };
  }

  // AAD = household id: a wrapped key copied to another household's row does not unwrap.
  private wrap(householdId: string, dataKey: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(householdId, 'utf8'));
    const wrapped = Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
    dataKey.fill(0);
    return wrapped;
  }

  private unwrap(householdId: string, wrapped: Buffer): Buffer {
    if (wrapped.length !== IV_BYTES + DATA_KEY_BYTES + TAG_BYTES) {
      throw new KeystoreError(`household ${householdId}: wrapped key has the wrong length`);
    }
    const iv = wrapped.subarray(0, IV_BYTES);
    const body = wrapped.subarray(IV_BYTES, IV_BYTES + DATA_KEY_BYTES);
    const tag = wrapped.subarray(IV_BYTES + DATA_KEY_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(householdId, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new KeystoreError(
        `household ${householdId}: cannot unwrap the data key (wrong master key, or the keystore row was altered)`,
      );
    }
  }
}

/**
 * Switching a new SQLite file to WAL takes an exclusive lock, and when several processes start at once
 * the loser can get SQLITE_BUSY without its busy handler being consulted (SQLite's deadlock avoidance).
 * So the file is prepared privately (owner-only mode, WAL, schema) and hard-linked into place whole,
 * as master.key is: link() never replaces, and other processes only ever see a finished database.
 */
function createDatabaseFile(dataDir: string, file: string): void {
  ensurePrivateDir(dataDir);
  if (existsSync(file)) return;
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  // SQLite would create the file 0644; it gives -wal and -shm the mode of the main file.
  const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE); // exactly 0600, whatever the umask
  } finally {
    closeSync(fd);
  }
  try {
    const db = new Database(tmp);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
    } finally {
      db.close(); // checkpoints, so the main file is complete without its WAL
    }
    try {
      linkSync(tmp, file);
      fsyncDir(dataDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } finally {
    unlinkSync(tmp);
    rmSync(`${tmp}-wal`, { force: true });
    rmSync(`${tmp}-shm`, { force: true });
  }
}

function checkId(householdId: string): void {
  if (typeof householdId !== 'string' || householdId === '') throw new RangeError('household id must be a non-empty string');
}
