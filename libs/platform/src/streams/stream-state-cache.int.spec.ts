import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type NewEvent, type StoredEvent } from '@peil/ledger';
import { countingReads, type ReadCounter } from '@peil/testing';
import { LedgerView } from './ledger-view';
import { StreamStateCache } from './stream-state-cache';
import type { StreamFold } from './stream-fold';

/** The ids folded, in order: a state that shows exactly which events went into it. */
const ids: StreamFold<string[]> = {
  initialState: () => [],
  evolve: (state, event: StoredEvent) => {
    state.push(event.eventId);
    return state;
  },
};

const event = (eventId = randomUUID()): NewEvent => ({
  eventId,
  type: 'Counted',
  schemaVersion: 1,
  occurredAt: '2026-03-01T09:00:00.000Z',
  recordedAt: '2026-03-01T09:00:00.000Z',
  source: 'spec',
  actor: 'spec',
  correlationId: eventId,
  causationId: null,
  data: { n: 1 },
  contentDigest: eventId,
});

describe('StreamStateCache on a SQLite ledger', () => {
  let dir: string;
  let sqlite: SqliteEventStore;
  let reads: ReadCounter;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peil-streams-'));
    sqlite = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    reads = countingReads(sqlite);
  });
  afterEach(async () => {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function appendMany(streamId: string, count: number): Promise<string[]> {
    const events = Array.from({ length: count }, () => event());
    for (let i = 0; i < events.length; i += 500) {
      await sqlite.append(streamId, events.slice(i, i + 500), i === 0 ? 'no_stream' : i - 1);
    }
    return events.map((e) => e.eventId);
  }

  it('folds a stream once, then reads only the last event folded and the new ones', async () => {
    const cache = new StreamStateCache(reads.store, ids, { pageSize: 100 });
    const first = await appendMany('counter-a', 1_234);
    expect(await cache.aggregateStream('counter-a')).toEqual({ state: first, revision: 1_233, expectedRevision: 1_233, streamExists: true });
    expect(reads.streamEvents).toBe(1_234);

    reads.reset();
    const [next] = await sqlite.append('counter-a', [event()], 1_233);
    const after = await cache.aggregateStream('counter-a');
    expect(after.state).toEqual([...first, next!.eventId]);
    expect(after.expectedRevision).toBe(1_234);
    // The event at the cached revision (to check it is still the one folded) and the new one.
    expect(reads.streamEvents).toBe(2);

    reads.reset();
    await cache.aggregateStream('counter-a');
    expect(reads.streamEvents).toBe(1);
  });

  it('answers a stream with no events as not existing, without keeping it', async () => {
    const cache = new StreamStateCache(reads.store, ids);
    expect(await cache.aggregateStream('counter-none')).toEqual({ state: [], revision: -1, expectedRevision: 'no_stream', streamExists: false });
    expect(cache.size).toBe(0);
  });

  it('folds again from the start when a rolled-back unit of work had been folded and its revisions were reused', async () => {
    const cache = new StreamStateCache(reads.store, ids);
    const [kept] = await sqlite.append('counter-b', [event()], 'no_stream');
    const rolledBack = event();
    await expect(
      sqlite.unitOfWork(async () => {
        await sqlite.append('counter-b', [rolledBack], 0);
        // Inside the unit, the cache reads (and folds) the unit's open append.
        expect((await cache.aggregateStream('counter-b')).state).toEqual([kept!.eventId, rolledBack.eventId]);
        throw new Error('unit fails');
      }),
    ).rejects.toThrow('unit fails');

    // Nothing appended since: the folded revision 1 is gone.
    expect(await cache.aggregateStream('counter-b')).toMatchObject({ state: [kept!.eventId], expectedRevision: 0 });

    // Fold the rolled-back event again inside a unit, roll it back, and let another event take revision 1.
    await expect(
      sqlite.unitOfWork(async () => {
        await sqlite.append('counter-b', [event()], 0);
        await cache.aggregateStream('counter-b');
        throw new Error('unit fails');
      }),
    ).rejects.toThrow('unit fails');
    const [other] = await sqlite.append('counter-b', [event()], 0);
    expect(other!.revision).toBe(1);
    expect(await cache.aggregateStream('counter-b')).toMatchObject({ state: [kept!.eventId, other!.eventId], expectedRevision: 1 });
  });

  it('keeps at most maxStreams streams, dropping the least recently read', async () => {
    const cache = new StreamStateCache(reads.store, ids, { maxStreams: 2 });
    for (const s of ['counter-1', 'counter-2', 'counter-3']) await sqlite.append(s, [event()], 'no_stream');
    await cache.aggregateStream('counter-1');
    await cache.aggregateStream('counter-2');
    await cache.aggregateStream('counter-1');
    await cache.aggregateStream('counter-3');
    expect(cache.size).toBe(2);
    reads.reset();
    await cache.aggregateStream('counter-1'); // kept: one event re-read
    await cache.aggregateStream('counter-2'); // dropped: folded again (one event)
    expect(reads.streamEvents).toBe(2);
  });

  it('serves concurrent reads of one stream with each event folded once', async () => {
    const cache = new StreamStateCache(reads.store, ids, { pageSize: 10 });
    const all = await appendMany('counter-c', 95);
    const results = await Promise.all([cache.aggregateStream('counter-c'), cache.aggregateStream('counter-c'), cache.aggregateStream('counter-c')]);
    for (const r of results) expect(r.revision).toBe(94);
    expect(results[2]!.state).toEqual(all);
  });

  it('lets the event loop run between pages of a long fold, so other requests are not held up', async () => {
    const cache = new StreamStateCache(reads.store, ids, { pageSize: 100 });
    await appendMany('counter-long', 2_000);
    const order: string[] = [];
    const fold = cache.aggregateStream('counter-long').then(() => order.push('fold done'));
    // Stands for another request: it runs on a later turn of the event loop.
    setImmediate(() => order.push('other work'));
    await fold;
    expect(order).toEqual(['other work', 'fold done']);
  });

  it('drops a stream whose evolve throws, so a later read does not build on a half-applied event', async () => {
    let failOn: string | undefined;
    const cache = new StreamStateCache(reads.store, {
      initialState: () => [] as string[],
      evolve: (state, e) => {
        if (e.eventId === failOn) throw new Error('bad event');
        return ids.evolve(state, e);
      },
    });
    const [a] = await sqlite.append('counter-d', [event()], 'no_stream');
    await cache.aggregateStream('counter-d');
    const [b] = await sqlite.append('counter-d', [event()], 0);
    failOn = b!.eventId;
    await expect(cache.aggregateStream('counter-d')).rejects.toThrow('bad event');
    expect(cache.size).toBe(0);
    failOn = undefined;
    expect((await cache.aggregateStream('counter-d')).state).toEqual([a!.eventId, b!.eventId]);
  });
});

describe('LedgerView on a SQLite ledger', () => {
  let dir: string;
  let sqlite: SqliteEventStore;
  let reads: ReadCounter;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peil-view-'));
    sqlite = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    reads = countingReads(sqlite);
  });
  afterEach(async () => {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads only the events after the last one seen (and that one, to check it)', async () => {
    const view = new LedgerView(reads.store, ids, { pageSize: 7 });
    const first = await Promise.all(Array.from({ length: 20 }, (_, i) => sqlite.append(`counter-${i}`, [event()], 'no_stream')));
    expect((await view.current()).state).toEqual(first.map(([e]) => e!.eventId));
    reads.reset();
    const [next] = await sqlite.append('counter-x', [event()], 'no_stream');
    expect(await view.current()).toMatchObject({ lastPositionSeen: next!.position });
    expect(reads.allEvents).toBe(2);
  });

  it('folds again when a rolled-back unit of work had been seen and its position was given to another event', async () => {
    const view = new LedgerView(reads.store, ids);
    const [kept] = await sqlite.append('counter-a', [event()], 'no_stream');
    await expect(
      sqlite.unitOfWork(async () => {
        await sqlite.append('counter-b', [event()], 'no_stream');
        expect((await view.current()).lastPositionSeen).toBe(2);
        throw new Error('unit fails');
      }),
    ).rejects.toThrow('unit fails');
    const [other] = await sqlite.append('counter-c', [event()], 'no_stream');
    expect(other!.position).toBe(2);
    expect(await view.current()).toEqual({ state: [kept!.eventId, other!.eventId], lastPositionSeen: 2 });
  });
});
