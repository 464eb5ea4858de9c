import type { Observable } from 'rxjs';
import type { EventStore, Position, StoredEvent } from '@peil/ledger';

/**
 * Where a subscriber gets ledger events from: the store itself (tailing it) or the bus (Kafka
 * consumer groups, re-sequenced into ledger order). Either way the subscriber sees every event
 * after a position exactly once per subscription, in ledger order (docs/decisions/0015).
 */
export interface LedgerFeed {
  /** Every event after `afterPosition` (null: from the start), in ledger order: catch-up then live, until unsubscribed. */
  events(afterPosition: Position | null): Observable<StoredEvent>;
  /**
   * The subscriber has durably applied every event up to `position`. A feed that keeps its own
   * progress (Kafka: the group's committed offsets) may record it; it never records more, so a
   * crash replays, never skips. Subscribers that keep nothing durable never call it.
   */
  applied(position: Position): void;
}

/**
 * One feed per named reader. On Kafka each reader is its own consumer group, which must have a
 * single member: re-sequencing needs every partition of every topic in one process.
 */
export interface LedgerFeeds {
  feed(reader: string): LedgerFeed;
}

/** The embedded profile's feed: the store's own catch-up-then-live subscription; progress is the subscriber's alone. */
export class StoreTailFeed implements LedgerFeed {
  constructor(private readonly store: EventStore) {}

  events(afterPosition: Position | null): Observable<StoredEvent> {
    return this.store.subscribe(afterPosition);
  }

  applied(): void {
    // The store needs no bookkeeping: subscribers resume from their own checkpoints.
  }
}

export const storeTailFeeds = (store: EventStore): LedgerFeeds => ({ feed: () => new StoreTailFeed(store) });
