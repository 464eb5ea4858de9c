import { SqliteEventStore, type Position, type StoredEvent } from '@peil/ledger';
import type { Observable } from 'rxjs';
import { StoreTailFeed, type LedgerFeed } from './ledger-feed';
import { MemoryReadStore } from './memory-read-store';
import { Projector } from './projector';
import { countingProjection, readCounts, testEvent } from './testing/counting.projection';

/** The store's own feed, recording what the projector asks of it. */
class RecordingFeed implements LedgerFeed {
  readonly subscribedAfter: Array<Position | null> = [];
  readonly reported: Position[] = [];
  private readonly inner: StoreTailFeed;
  constructor(store: SqliteEventStore) {
    this.inner = new StoreTailFeed(store);
  }
  events(afterPosition: Position | null): Observable<StoredEvent> {
    this.subscribedAfter.push(afterPosition);
    return this.inner.events(afterPosition);
  }
  applied(position: Position): void {
    this.reported.push(position);
  }
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Projector with a ledger feed as its live source', () => {
  it('catches up from the store, follows the feed from there, and reports each committed position to it', async () => {
    const store = new SqliteEventStore(':memory:', { pollIntervalMs: 10 });
    for (let n = 1; n <= 4; n++) await store.append(`s-${n}`, [testEvent('Alpha', n)], 'no_stream');
    const feed = new RecordingFeed(store);
    const readStore = new MemoryReadStore();
    const projector = new Projector(store, readStore, [countingProjection()], { liveBufferMs: 2, source: feed });

    await projector.start();
    expect(feed.subscribedAfter).toEqual([4]);
    for (let n = 5; n <= 9; n++) await store.append(`s-${n}`, [testEvent('Alpha', n)], 'no_stream');
    await until(async () => (await readStore.checkpoint('counting')) === 9, 'the live projector');
    await projector.stop();

    // Never more than was committed, and the last report is the checkpoint itself.
    expect(feed.reported[0]).toBe(4);
    expect(feed.reported.at(-1)).toBe(9);
    expect([...feed.reported].sort((a, b) => a - b)).toEqual(feed.reported);
    expect((await readCounts((fn) => readStore.read(fn))).totals).toMatchObject({ events: 9, outOfOrder: 0 });
    await store.close();
  });
});
