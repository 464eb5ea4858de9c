/**
 * The household key store port (ADR 0007): one data key per household, stored only wrapped under the
 * master key, destroyed for good on erasure (crypto-shredding). Adapters: SQLite in the data dir
 * (sqlite-key-store.ts, the embedded profile) and MongoDB (mongo-key-store.ts, the distributed one);
 * both run key-store.contract.ts. The semantics live once, in WrappedKeyStore; an adapter only
 * stores rows (KeyRows).
 */

/** What a household's key entry says; `destroyed` is kept for good so an erased household stays erased. */
export type KeyLookup =
  | { status: 'active'; key: Buffer }
  | { status: 'destroyed'; destroyedAt: string }
  | { status: 'unknown' };

/** The part of the key store that encrypting code needs; tests can pass an in-memory one. */
export interface HouseholdKeys {
  getOrCreateKey(householdId: string): Promise<Buffer>;
  lookupKey(householdId: string): Promise<KeyLookup>;
  /** Keys created inside `work` are written together when it resolves (see WrappedKeyStore.unitOfWork). */
  unitOfWork?<T>(work: () => Promise<T>): Promise<T>;
}

export interface HouseholdKeyStore extends HouseholdKeys {
  /** The data key, or null when the household is unknown or its key was destroyed. */
  getKey(householdId: string): Promise<Buffer | null>;
  unitOfWork<T>(work: () => Promise<T>): Promise<T>;
  /** Crypto-shredding; idempotent (a second call keeps the first time). */
  destroyKey(householdId: string, at: string): Promise<{ destroyedAt: string; alreadyDestroyed: boolean }>;
  /** HMAC key for content digests, derived from the master key (the same in every process). */
  digestKey(): Buffer;
  /** HMAC key for ESSN id pseudonyms, derived from the master key. */
  essnPseudonymKey(): Buffer;
  /** Answers when the backing store is reachable (a health check); throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A household's stored entry: a wrapped key, or the time it was destroyed (never both). */
export interface KeyRow {
  wrappedKey: Buffer | null;
  destroyedAt: string | null;
}

export interface NewKeyRow {
  householdId: string;
  wrappedKey: Buffer;
  createdAt: string;
}

/**
 * What an adapter stores. Every method is atomic on its own; none keeps plain keys.
 * `insertAll` is all or nothing: it inserts the rows that are absent, then fails (storing none) if
 * any household's stored wrapped key is not the one given (created or destroyed by another writer).
 */
export interface KeyRows {
  /** Names the store in errors (a file, a database): never a secret. */
  readonly description: string;
  /** Stores `check` unless a check value is stored already; returns the stored one. */
  claimCheckValue(check: Buffer): Promise<Buffer | undefined>;
  read(householdId: string): Promise<KeyRow | undefined>;
  /** Inserts unless the household has a row, and returns the row stored afterwards (ours or the winner's). */
  insertIfAbsent(row: NewKeyRow): Promise<KeyRow | undefined>;
  insertAll(rows: readonly NewKeyRow[]): Promise<void>;
  /** Drops the wrapped key and sets destroyedAt, or writes a tombstone for an unknown household. */
  destroy(householdId: string, at: string): Promise<{ destroyedAt: string; alreadyDestroyed: boolean }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The keystore cannot be used: wrong master key, or a row was altered. Never carries key material. */
export class KeystoreError extends Error {}

export class HouseholdKeyDestroyedError extends Error {
  constructor(readonly householdId: string, readonly destroyedAt: string) {
    super(`the data key of household ${householdId} was destroyed at ${destroyedAt}; its personal data is erased`);
  }
}
