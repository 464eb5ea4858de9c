import type { EventStore } from '@peil/ledger';

/** Events a store returned from readStream and readAll, counted since the last reset. */
export interface ReadCounter {
  /** The store to hand to the code under test: the real one, with its reads counted. */
  readonly store: EventStore;
  readonly streamEvents: number;
  readonly allEvents: number;
  reset(): void;
}

/**
 * Counts the events read through a real store, so a test can say "this read cost two events" instead
 * of timing it. Every call goes to the store itself (bound to it: units of work and their async
 * context behave as without the counter).
 */
export function countingReads(target: EventStore): ReadCounter {
  const counts = { stream: 0, all: 0 };
  const store = new Proxy(target, {
    get(t, prop, receiver) {
      if (prop === 'readStream') {
        return async (...args: Parameters<EventStore['readStream']>) => {
          const events = await t.readStream(...args);
          counts.stream += events.length;
          return events;
        };
      }
      if (prop === 'readAll') {
        return async (...args: Parameters<EventStore['readAll']>) => {
          const events = await t.readAll(...args);
          counts.all += events.length;
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
    reset() {
      counts.stream = 0;
      counts.all = 0;
    },
  };
}
