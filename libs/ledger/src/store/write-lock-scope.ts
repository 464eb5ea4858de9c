import { AsyncLocalStorage } from 'node:async_hooks';

/** A store's hold on the ledger's write lock: `held` turns false when the store releases it. */
export interface WriteLockHold {
  held: boolean;
}

const holding = new AsyncLocalStorage<WriteLockHold>();

/**
 * Runs `work` as code under `hold`: the inside of a store's unit of work. Set by the store that takes
 * the lock (SqliteEventStore.unitOfWork), which clears `hold.held` when it releases the lock, so an
 * async context that outlives the unit (a timer started inside it) no longer counts as holding it.
 */
export function holdingWriteLock<T>(hold: WriteLockHold, work: () => T): T {
  return holding.run(hold, work);
}

/**
 * Whether the code running now holds the ledger's write lock. A call to another service from there
 * would wait for a process that may itself be waiting for that lock (the deadlock decision 0087
 * found): InternalClient refuses it at once, naming the fix, instead of stalling until a timeout.
 */
export function holdsWriteLock(): boolean {
  return holding.getStore()?.held === true;
}
