import type { StoredEvent } from '@peil/ledger';
import type { ReadTx } from './read-store.port';

/**
 * A projection folds ledger events into read-model documents. `apply` must be deterministic (no
 * clock, no randomness, no I/O but the transaction): the same events always give the same
 * documents, which is what lets a rebuild, or a replay up to a past position, reproduce every byte.
 */
export interface Projection {
  /** Stable name; the checkpoint is stored under it. Bump `version` to rebuild after a change. */
  readonly name: string;
  readonly version: number;
  /** Collections this projection owns (dropped on rebuild). */
  readonly collections: readonly string[];
  /** Cheap filter so the runtime can skip events without opening the transaction's work. */
  handles(event: StoredEvent): boolean;
  apply(event: StoredEvent, tx: ReadTx): Promise<void>;
}
