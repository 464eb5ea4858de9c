import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request a piece of work belongs to, without passing it through every call: log lines
 * written while serving a request carry its id (the gateway's `x-request-id`), whatever code
 * writes them.
 */
const storage = new AsyncLocalStorage<{ requestId: string }>();

export function withRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
