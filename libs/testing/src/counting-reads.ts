import type { EventStore, StoredEvent } from '@peil/ledger';

/** Events a store returned from readStream, readAll and readCategory, counted since the last reset. */
export interface ReadCounter {
  /** The store to hand to the code under test: the real one, with its reads counted. */
  readonly store: EventStore;
  readonly streamEvents: number;
  readonly allEvents: number;
  readonly categoryEvents: number;
  reset(): void;
}

/** The reads counted, and the counter each adds to. */
const COUNTED = { readStream: 'stream', readAll: 'all', readCategory: 'category' } as const;
type CountedRead = keyof typeof COUNTED;
const isCounted = (prop: string | symbol): prop is CountedRead => typeof prop === 'string' && Object.hasOwn(COUNTED, prop);

/**
 * Counts the events read through a real store, so a test can say "this read cost two events" instead
 * of timing it. Every call goes to the store itself (bound to it: units of work and their async
 * context behave as without the counter).
 */
export function countingReads(target: EventStore): ReadCounter {
  const counts = { stream: 0, all: 0, category: 0 };
  const store = new Proxy(target, {
    get(t, prop, receiver) {
      if (isCounted(prop)) {
        const read = t[prop].bind(t) as (...args: unknown[]) => Promise<StoredEvent[]>;
        return async (...args: unknown[]) => {
          const events = await read(...args);
          counts[COUNTED[prop]] += events.length;
          return events;
        };
      }
      const value = Reflect.get(t, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
  return {
    store,
    get streamEvents() {
      return counts.stream;
    },
    get allEvents() {
      return counts.all;
    },
    get categoryEvents() {
      return counts.category;
    },
    reset() {
      counts.stream = counts.all = counts.category = 0;
    },
  };
}
