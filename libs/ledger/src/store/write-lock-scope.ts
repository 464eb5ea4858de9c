import { AsyncLocalStorage } from 'node:async_hooks';

const holding = new AsyncLocalStorage<boolean>();

/**
 * Runs `work` as code that holds the ledger's write lock: the inside of a store's unit of work. Set
 * by the store that takes the lock (SqliteEventStore.unitOfWork), so it is true exactly where the
 * lock is held, whoever opened the unit.
 */
export function holdingWriteLock<T>(work: () => T): T {
  return holding.run(true, work);
}

/**
 * Whether the code running now holds the ledger's write lock. A call to another service from there
 * would wait for a process that may itself be waiting for that lock (the deadlock decision 0087
 * found): InternalClient refuses it at once, naming the fix, instead of stalling until a timeout.
 */
export function holdsWriteLock(): boolean {
  return holding.getStore() === true;
}
