import type { NewEvent } from '../core/envelope';
import type { AppendedEvent, EventStore } from './event-store.port';

export interface AppendObserver {
  (streamId: string, events: readonly NewEvent[], appended: readonly AppendedEvent[], seconds: number): void;
}

/**
 * Calls `observer` after every successful append of `store` (for metrics), on the store instance
 * itself rather than through a wrapper object: callers check the adapter's class (`instanceof`) and
 * adapters carry methods beyond the port, both of which a wrapper would hide.
 */
export function observeAppends<S extends EventStore>(store: S, observer: AppendObserver): S {
  const append = store.append.bind(store);
  store.append = async (streamId, events, expectedRevision, options) => {
    const started = process.hrtime.bigint();
    const appended = await append(streamId, events, expectedRevision, options);
    observer(streamId, events, appended, Number(process.hrtime.bigint() - started) / 1e9);
    return appended;
  };
  return store;
}
