import { AsyncLocalStorage } from 'node:async_hooks';
import { type Clock, systemClock } from '../clock/clock';
import { HouseholdKeyDestroyedError, KeystoreError, type HouseholdKeyStore, type KeyLookup, type KeyRow, type KeyRows } from './key-store';
import { MasterKeyWrap } from './key-wrap';

export interface KeyStoreOptions {
  clock?: Clock;
}

/** Keys created inside one unit of work, not yet written. */
interface KeyUnit {
  pending: Map<string, { wrapped: Buffer; key: Buffer; createdAt: string }>;
  open: boolean;
}

/**
 * The key store's rules over any KeyRows adapter. Keys are not cached in memory: another process may
 * destroy a key, and erasure must take effect everywhere at once. A lookup is one primary-key read
 * and one AES-GCM block operation.
 */
export class WrappedKeyStore implements HouseholdKeyStore {
  private readonly unitScope = new AsyncLocalStorage<KeyUnit>();
  private readonly clock: Clock;

  /**
   * Opens a store over `rows`. The master key's check value is stored on first open; a later open
   * with another master key fails here, at start, instead of on the first personal-data read.
   */
  static async open(rows: KeyRows, masterKey: Buffer, options: KeyStoreOptions = {}): Promise<WrappedKeyStore> {
    const wrap = new MasterKeyWrap(masterKey);
    try {
      const stored = await rows.claimCheckValue(wrap.checkValue());
      if (!wrap.matches(stored)) {
        throw new KeystoreError(
          `${rows.description} was created under a different master key; check PEIL_MASTER_KEY (or PEIL_MASTER_KEY_FILE, or master.key in the data directory)`,
        );
      }
    } catch (err) {
      wrap.destroy();
      await rows.close();
      throw err;
    }
    return new WrappedKeyStore(rows, wrap, options);
  }

  private constructor(private readonly rows: KeyRows, private readonly wrap: MasterKeyWrap, options: KeyStoreOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /**
   * The household's data key, created on first use. Concurrent callers (in several processes) race on
   * an insert-if-absent and read back the winner, so all get the same key. Throws
   * HouseholdKeyDestroyedError for an erased household: it never gets a fresh key.
   */
  async getOrCreateKey(householdId: string): Promise<Buffer> {
    checkId(householdId);
    const unit = this.currentUnit();
    const pending = unit?.pending.get(householdId);
    if (pending) return Buffer.from(pending.key);
    let row = await this.rows.read(householdId);
    // Re-checked after the read: a concurrent call in this unit may have created the key meanwhile,
    // and the unit may have ended (then the key is stored at once, like outside a unit).
    if (!row && unit?.open) {
      const raced = unit.pending.get(householdId);
      if (raced) return Buffer.from(raced.key);
      const { key, wrapped } = this.wrap.newKey(householdId);
      unit.pending.set(householdId, { key, wrapped, createdAt: this.clock.now().toISOString() });
      return Buffer.from(key);
    }
    if (!row) {
      const { key, wrapped } = this.wrap.newKey(householdId);
      key.fill(0); // the stored row is the truth: another process may have won the insert
      row = await this.rows.insertIfAbsent({ householdId, wrappedKey: wrapped, createdAt: this.clock.now().toISOString() });
      if (!row) throw new KeystoreError(`household ${householdId}: key row missing right after insert`);
    }
    const found = this.toLookup(householdId, row);
    if (found.status === 'destroyed') throw new HouseholdKeyDestroyedError(householdId, found.destroyedAt);
    if (found.status === 'unknown') throw new KeystoreError(`household ${householdId}: key row missing`);
    return found.key;
  }

  async getKey(householdId: string): Promise<Buffer | null> {
    const found = await this.lookupKey(householdId);
    return found.status === 'active' ? found.key : null;
  }

  async lookupKey(householdId: string): Promise<KeyLookup> {
    checkId(householdId);
    const pending = this.currentUnit()?.pending.get(householdId);
    if (pending) return { status: 'active', key: Buffer.from(pending.key) };
    const row = await this.rows.read(householdId);
    return row ? this.toLookup(householdId, row) : { status: 'unknown' };
  }

  /**
   * Group commit for key creation: keys created inside `work` are kept in memory (seen by lookups in
   * the same async context only) and written together — one transaction — when `work` resolves,
   * before the caller commits the events encrypted under them. Nothing stays locked across awaits, so
   * other writers (an erasure, another process) are never blocked by a batch. If another writer
   * created or destroyed one of these households' keys meanwhile, the unit fails instead of keeping
   * data under a key that was never stored; the caller's events must then not commit.
   */
  async unitOfWork<T>(work: () => Promise<T>): Promise<T> {
    if (this.currentUnit()) return work();
    const unit: KeyUnit = { pending: new Map(), open: true };
    try {
      const result = await this.unitScope.run(unit, work);
      if (unit.pending.size > 0) {
        await this.rows.insertAll([...unit.pending].map(([householdId, p]) => ({ householdId, wrappedKey: p.wrapped, createdAt: p.createdAt })));
      }
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

  /**
   * Crypto-shredding: the wrapped key is dropped and the row kept with destroyedAt, so the household
   * can never get a new key that would make old ciphertexts look merely "unreadable". A never-seen
   * household gets a tombstone. Idempotent: a second call keeps the first time.
   */
  async destroyKey(householdId: string, at: string): Promise<{ destroyedAt: string; alreadyDestroyed: boolean }> {
    checkId(householdId);
    if (Number.isNaN(Date.parse(at))) throw new RangeError('destroyKey: `at` must be an ISO timestamp');
    return this.rows.destroy(householdId, at);
  }

  digestKey(): Buffer {
    return this.wrap.digestKey();
  }

  essnPseudonymKey(): Buffer {
    return this.wrap.essnPseudonymKey();
  }

  ping(): Promise<void> {
    return this.rows.ping();
  }

  async close(): Promise<void> {
    this.wrap.destroy();
    await this.rows.close();
  }

  private toLookup(householdId: string, row: KeyRow): KeyLookup {
    if (row.destroyedAt !== null) return { status: 'destroyed', destroyedAt: row.destroyedAt };
    if (row.wrappedKey === null) throw new KeystoreError(`household ${householdId}: key row has neither key nor destroyed_at`);
    return { status: 'active', key: this.wrap.unwrap(householdId, row.wrappedKey) };
  }
}

function checkId(householdId: string): void {
  if (typeof householdId !== 'string' || householdId === '') throw new RangeError('household id must be a non-empty string');
}
