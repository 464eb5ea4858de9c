import type { PublishedView } from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { StreamStateCache, type AggregatedStream, type StreamStateCacheOptions } from './stream-state-cache';
import { viewFold } from './typed-fold';

/**
 * Another context's published view, read from the ledger: each stream kept folded and caught up
 * before every answer (O(new events)). What a context knows of another comes through here, never
 * through the other context's code.
 */
export class PublishedReader<State, E extends { type: string; data: unknown } = { type: string; data: unknown }> {
  private readonly cache: StreamStateCache<State>;

  constructor(
    store: EventStore,
    private readonly view: PublishedView<State, E>,
    options?: StreamStateCacheOptions,
  ) {
    this.cache = new StreamStateCache(store, viewFold(view), options);
  }

  /** The view of `key`'s stream folded up to its newest event. */
  aggregate(key = ''): Promise<AggregatedStream<State>> {
    return this.cache.aggregateStream(this.view.streamId(key));
  }

  async read(key = ''): Promise<State> {
    return (await this.aggregate(key)).state;
  }
}
