import type { Position } from '@peil/ledger';

/** A read-model document: plain JSON, keyed by (collection, id). */
export type Doc = { [key: string]: unknown };

/**
 * What a projection may do inside one batch. Reads see the batch's own writes. Everything a batch
 * writes, and the projection's checkpoint, commit together or not at all — that is what makes a
 * crash at any moment neither double-count nor skip.
 */
export interface ReadTx {
  get<T extends Doc = Doc>(collection: string, id: string): Promise<T | undefined>;
  put(collection: string, id: string, doc: Doc): Promise<void>;
  delete(collection: string, id: string): Promise<void>;
  /** Every document of a collection, ordered by id (so reports built from it are deterministic). */
  all<T extends Doc = Doc>(collection: string): Promise<Array<{ id: string; doc: T }>>;
}

/**
 * The transaction a store hands to commit(): a ReadTx that is also told which ledger event the
 * following writes come from, so a store that keeps document history can date each version.
 * Writes before the first at() belong to the commit's position.
 */
export interface CommitTx extends ReadTx {
  at(position: Position): void;
}

/**
 * A projection's checkpoint with the hash of the ledger event at that position, as the projection
 * saw it: a read model can then tell that the ledger behind it was cut back (no event there any
 * more) or rewritten (another event there). `hash` is null for checkpoints written before hashes were
 * recorded, and for commits that did not give one.
 */
export interface CheckpointMark {
  position: Position;
  hash: string | null;
}

export interface ReadStore {
  /**
   * Most events the store wants in one commit when a projector catches up (default 10,000). A
   * MongoDB transaction must stay well inside the server's time and size limits, so it asks for fewer.
   */
  readonly maxCatchUpBatch?: number;
  /** Position of the last event the named projection has applied, or null before the first. */
  checkpoint(projection: string): Promise<Position | null>;
  /** The checkpoint with the hash of the event at it, or null before the first commit. */
  checkpointMark(projection: string): Promise<CheckpointMark | null>;
  /**
   * Runs `fn` and then sets the projection's checkpoint to `position` (with `hash`, the hash of the
   * ledger event at that position), atomically. Refuses (throws CheckpointMovedError) when the stored
   * checkpoint is no longer `expected` — another projector instance got there first — so a batch is
   * never applied twice.
   */
  commit(projection: string, expected: Position | null, position: Position, fn: (tx: CommitTx) => Promise<void>, hash?: string): Promise<void>;
  /** Read-only access for queries (no checkpoint change). */
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /**
   * Stores that keep every version of every document with the ledger position it was written at
   * (SQLite): read-only access to the documents exactly as they were once the event at `position`
   * was applied — a report "as of" a position becomes a query instead of a replay. Exact for a
   * projection that keepsHistory() and whose checkpoint is at or beyond `position`.
   */
  readAt?<T>(position: Position, fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /**
   * Whether the projection's document versions are kept since its first commit (false for stores
   * without history, and for read models built before history was kept until they are rebuilt).
   */
  keepsHistory?(projection: string): Promise<boolean>;
  /**
   * Drops every document and checkpoint of the named projections (rebuild from zero), including their
   * version stamps in the reserved `_projections` collection (see PROJECTIONS_META).
   */
  reset(projections: readonly string[], collections: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export class CheckpointMovedError extends Error {
  constructor(readonly projection: string, readonly expected: Position | null, readonly actual: Position | null) {
    super(`projection ${projection}: checkpoint is ${actual ?? 'empty'}, expected ${expected ?? 'empty'}`);
  }
}
