import { SqliteEventStore, type StoredEvent } from '@peil/ledger';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryReadStore } from './memory-read-store';
import { Projector } from './projector';
import { PROJECTIONS_META } from './read-model-names';
import { CheckpointMovedError, type ReadStore } from './read-store.port';
import { replay } from './replay';
import { countingProjection, readCounts, testEvent } from './testing/counting.projection';

const dirs: string[] = [];
const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const o of open) await o.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function ledger(): SqliteEventStore {
  const dir = mkdtempSync(join(tmpdir(), 'peil-projector-'));
  dirs.push(dir);
  const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollIntervalMs: 10 });
  open.push(store);
  return store;
}

/** Event n (1-based, = its position in a fresh ledger) has type Alpha, Beta, Alpha, Ignored, Alpha, … */
const TYPES = ['Alpha', 'Beta', 'Alpha', 'Ignored'] as const;
const typeOf = (n: number) => TYPES[(n - 1) % TYPES.length]!;
let appended = 0;

/** Appends events numbered from..to, in streams of up to 3 events. */
async function append(store: SqliteEventStore, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n += 3) {
    const ns = [n, n + 1, n + 2].filter((k) => k <= to);
    await store.append(`test-${++appended}`, ns.map((k) => testEvent(typeOf(k), k)), 'no_stream');
  }
}

/** What the counting projection must hold after applying events 1..n (unhandled types excluded). */
function expectedCounts(n: number, onlyType?: string) {
  const handled = Array.from({ length: n }, (_, i) => i + 1).filter((k) => typeOf(k) !== 'Ignored' && (onlyType === undefined || typeOf(k) === onlyType));
  const byType: Record<string, number> = {};
  for (const k of handled) byType[typeOf(k)] = (byType[typeOf(k)] ?? 0) + 1;
  const last = handled[handled.length - 1];
  return {
    byType,
    totals: last === undefined ? null : { events: handled.length, sumN: handled.reduce((s, k) => s + k, 0), lastPosition: last, outOfOrder: 0 },
  };
}

const counts = (readStore: ReadStore, name?: string) => readCounts((fn) => readStore.read(fn), name);

/** Records every commit a read store is asked for (projection, expected, position). */
function spyCommits(readStore: ReadStore): Array<[string, number | null, number]> {
  const calls: Array<[string, number | null, number]> = [];
  const commit = readStore.commit.bind(readStore);
  readStore.commit = (projection, expected, position, fn, hash) => {
    calls.push([projection, expected, position]);
    return commit(projection, expected, position, fn, hash);
  };
  return calls;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Projector catch-up', () => {
  it('applies every event once, in batches, each batch committed with its last position as checkpoint', async () => {
    const store = ledger();
    await append(store, 1, 10);
    const readStore = new MemoryReadStore();
    const commits = spyCommits(readStore);

    expect(await new Projector(store, readStore, [countingProjection()], { batchSize: 3 }).catchUp()).toBe(10);

    expect(commits).toEqual([
      ['counting', null, 3],
      ['counting', 3, 6],
      ['counting', 6, 9],
      ['counting', 9, 10],
    ]);
    expect(await counts(readStore)).toEqual(expectedCounts(10));
    expect(await readStore.read((tx) => tx.get(PROJECTIONS_META, 'counting'))).toEqual({ version: 1 });
  });

  it('moves a projection’s checkpoint over events it does not handle', async () => {
    const store = ledger();
    await append(store, 1, 8); // event 8 is Ignored, event 7 Alpha
    const readStore = new MemoryReadStore();
    const betaOnly = countingProjection('beta', 1, { onlyType: 'Beta' });

    await new Projector(store, readStore, [betaOnly], { batchSize: 4 }).catchUp();

    expect(await readStore.checkpoint('beta')).toBe(8);
    // With the hash of the event at the checkpoint, so a ledger cut back or rewritten behind it shows.
    const [eighth] = await store.readAll(7, 1);
    expect(await readStore.checkpointMark('beta')).toEqual({ position: 8, hash: eighth!.hash });
    expect(await counts(readStore, 'beta')).toEqual(expectedCounts(8, 'Beta'));
  });

  it('stops at untilPosition and later goes on from there', async () => {
    const store = ledger();
    await append(store, 1, 12);
    const readStore = new MemoryReadStore();
    const projector = new Projector(store, readStore, [countingProjection()], { batchSize: 5 });

    expect(await projector.catchUp(7)).toBe(7);
    expect(await counts(readStore)).toEqual(expectedCounts(7));
    expect(await projector.catchUp()).toBe(12);
    expect(await counts(readStore)).toEqual(expectedCounts(12));
  });

  it('restarts from its checkpoint: nothing is applied twice, nothing is missed', async () => {
    const store = ledger();
    await append(store, 1, 9);
    const readStore = new MemoryReadStore();
    const commits = spyCommits(readStore);
    const projection = countingProjection();

    await new Projector(store, readStore, [projection], { batchSize: 4 }).catchUp();
    expect(await new Projector(store, readStore, [projection], { batchSize: 4 }).catchUp()).toBe(9);
    expect(commits).toHaveLength(3); // 4 + 4 + 1 events; the second run had nothing to do

    await append(store, 10, 14);
    expect(await new Projector(store, readStore, [projection], { batchSize: 4 }).catchUp()).toBe(14);
    expect(commits.slice(3)).toEqual([
      ['counting', 9, 13],
      ['counting', 13, 14],
    ]);
    expect(await counts(readStore)).toEqual(expectedCounts(14));
  });

  it('a batch that fails leaves nothing of itself behind; the next run redoes it exactly', async () => {
    const store = ledger();
    await append(store, 1, 10);
    const readStore = new MemoryReadStore();

    // Event 5 throws: the batch 4..6 fails after event 4 was applied to its (discarded) transaction.
    const failing = new Projector(store, readStore, [countingProjection('counting', 1, { failAt: 5 })], { batchSize: 3 });
    await expect(failing.catchUp()).rejects.toThrow('projection fails at position 5');
    expect(await readStore.checkpoint('counting')).toBe(3);
    expect(await counts(readStore)).toEqual(expectedCounts(3));

    await new Projector(store, readStore, [countingProjection()], { batchSize: 3 }).catchUp();
    expect(await counts(readStore)).toEqual(expectedCounts(10));
  });

  it('keeps each projection on its own checkpoint, reading the ledger once from the lowest', async () => {
    const store = ledger();
    await append(store, 1, 6);
    const readStore = new MemoryReadStore();
    await new Projector(store, readStore, [countingProjection('first')]).catchUp();
    await append(store, 7, 9);
    const readAll = jest.spyOn(store, 'readAll');

    const both = new Projector(store, readStore, [countingProjection('first'), countingProjection('second')]);
    expect(await both.catchUp()).toBe(9);

    expect(readAll.mock.calls.map(([after]) => after)).toEqual([null, 9]);
    expect(await counts(readStore, 'first')).toEqual(expectedCounts(9));
    expect(await counts(readStore, 'second')).toEqual(expectedCounts(9));
    readAll.mockRestore();
  });

  it('rebuilds a projection whose stored version differs from its code, and only that one', async () => {
    const store = ledger();
    await append(store, 1, 8);
    const readStore = new MemoryReadStore();
    await new Projector(store, readStore, [countingProjection('changing', 1), countingProjection('stable', 1)]).catchUp();
    const commits = spyCommits(readStore);

    // Version 2 counts only Alpha events: its documents must not keep anything version 1 counted.
    await new Projector(store, readStore, [countingProjection('changing', 2, { onlyType: 'Alpha' }), countingProjection('stable', 1)]).catchUp();

    expect(commits).toEqual([['changing', null, 8]]);
    expect(await counts(readStore, 'changing')).toEqual(expectedCounts(8, 'Alpha'));
    expect(await counts(readStore, 'stable')).toEqual(expectedCounts(8));
    expect(await readStore.read((tx) => tx.get(PROJECTIONS_META, 'changing'))).toEqual({ version: 2 });
  });

  it('rebuilds a projection that has a checkpoint but no version stamp (an interrupted reset)', async () => {
    const store = ledger();
    await append(store, 1, 4);
    const readStore = new MemoryReadStore();
    await new Projector(store, readStore, [countingProjection()]).catchUp();
    await readStore.commit('counting', 4, 4, async (tx) => tx.delete(PROJECTIONS_META, 'counting'));

    await new Projector(store, readStore, [countingProjection()]).catchUp();
    expect(await counts(readStore)).toEqual(expectedCounts(4));
  });

  it('two projectors sharing one read store never apply a batch twice', async () => {
    const store = ledger();
    await append(store, 1, 30);
    const readStore = new MemoryReadStore();
    const a = new Projector(store, readStore, [countingProjection()], { batchSize: 4 });
    const b = new Projector(store, readStore, [countingProjection()], { batchSize: 3 });
    await Promise.all([a.catchUp(), b.catchUp(), a.catchUp()]);
    expect(await counts(readStore)).toEqual(expectedCounts(30));
  });

  it('refuses projections that would share a name or a collection', () => {
    const store = ledger();
    const readStore = new MemoryReadStore();
    expect(() => new Projector(store, readStore, [countingProjection('x'), countingProjection('x')])).toThrow(/two projections are named x/);
    const squatter = { ...countingProjection('y'), collections: ['x_totals'] };
    expect(() => new Projector(store, readStore, [countingProjection('x'), squatter])).toThrow(/both own collection x_totals/);
    expect(() => new Projector(store, readStore, [{ ...squatter, collections: [PROJECTIONS_META] }])).toThrow(/reserved/);
  });
});

describe('Projector live', () => {
  it('after catching up, applies what is appended until stopped, and resumes from its checkpoint', async () => {
    const store = ledger();
    await append(store, 1, 5);
    const readStore = new MemoryReadStore();
    const projector = new Projector(store, readStore, [countingProjection()], { liveBufferMs: 5 });

    await projector.start();
    expect(await readStore.checkpoint('counting')).toBe(5);
    await append(store, 6, 20);
    await until(async () => (await readStore.checkpoint('counting')) === 20, 'the live projector to reach 20');
    expect(await counts(readStore)).toEqual(expectedCounts(20));

    await projector.stop();
    await append(store, 21, 25);
    await new Promise((r) => setTimeout(r, 50));
    expect(await readStore.checkpoint('counting')).toBe(20);

    await projector.start();
    await append(store, 26, 27);
    await until(async () => (await readStore.checkpoint('counting')) === 27, 'the restarted projector to reach 27');
    await projector.stop();
    expect(await counts(readStore)).toEqual(expectedCounts(27));
  });

  it('stop() waits for the batch being committed', async () => {
    const store = ledger();
    const readStore = new MemoryReadStore();
    const projection = countingProjection();
    let entered!: () => void;
    const inBatch = new Promise<void>((r) => (entered = r));
    const slow = {
      ...projection,
      async apply(e: StoredEvent, tx: Parameters<typeof projection.apply>[1]) {
        entered();
        await new Promise((r) => setTimeout(r, 30));
        await projection.apply(e, tx);
      },
    };
    const projector = new Projector(store, readStore, [slow], { liveBufferMs: 1 });
    await projector.start();
    await append(store, 1, 1);
    await inBatch;
    await projector.stop();
    expect(await readStore.checkpoint('counting')).toBe(1);
    expect(await counts(readStore)).toEqual(expectedCounts(1));
  });

  it('a stop() while start() is still catching up means it never goes live', async () => {
    const store = ledger();
    await append(store, 1, 6);
    const readStore = new MemoryReadStore();
    const projector = new Projector(store, readStore, [countingProjection()], { liveBufferMs: 1 });
    const starting = projector.start();
    await projector.stop();
    await starting;
    expect(await readStore.checkpoint('counting')).toBe(6);
    await append(store, 7, 8);
    await new Promise((r) => setTimeout(r, 30));
    expect(await readStore.checkpoint('counting')).toBe(6);
    await expect(projector.start()).resolves.toBeUndefined();
    await until(async () => (await readStore.checkpoint('counting')) === 8, 'the second start');
    await projector.stop();
  });

  it('stops on a failing batch, reports it, and keeps the checkpoint before it', async () => {
    const store = ledger();
    await append(store, 1, 3);
    const readStore = new MemoryReadStore();
    const onError = jest.fn();
    const projector = new Projector(store, readStore, [countingProjection('counting', 1, { failAt: 5 })], { liveBufferMs: 1, onError });
    await projector.start();
    await append(store, 4, 4);
    await until(async () => (await readStore.checkpoint('counting')) === 4, 'event 4');
    await append(store, 5, 6);
    await until(async () => onError.mock.calls.length > 0, 'the failure');
    expect(String(projector.failure)).toMatch(/fails at position 5/);
    expect(await readStore.checkpoint('counting')).toBe(4);
    expect(await counts(readStore)).toEqual(expectedCounts(4));
    await projector.stop();
  });

  it('picks up after another writer moved its checkpoint (CheckpointMovedError) without double counting', async () => {
    const store = ledger();
    await append(store, 1, 4);
    const readStore = new MemoryReadStore();
    const live = new Projector(store, readStore, [countingProjection()], { liveBufferMs: 50 });
    await live.start();
    const moved = jest.fn();
    const commit = readStore.commit.bind(readStore);
    readStore.commit = (...args) => commit(...args).catch((err: unknown) => {
      if (err instanceof CheckpointMovedError) moved();
      throw err;
    });
    await append(store, 5, 12);
    // Another projector gets there first; the live one's next batch is refused and it re-reads.
    await new Projector(store, readStore, [countingProjection()]).catchUp();
    await append(store, 13, 15);
    await until(async () => (await readStore.checkpoint('counting')) === 15, 'both to reach 15');
    await live.stop();
    expect(moved).toHaveBeenCalled();
    expect(live.failure).toBeUndefined();
    expect(await counts(readStore)).toEqual(expectedCounts(15));
  });

  it('between() holds live batches back, so a read sees the documents at the checkpoint it states', async () => {
    const store = ledger();
    await append(store, 1, 4);
    const readStore = new MemoryReadStore();
    const projector = new Projector(store, readStore, [countingProjection()], { liveBufferMs: 1 });
    await projector.start();
    const seen = await projector.between(async () => {
      const before = await readStore.checkpoint('counting');
      await append(store, 5, 9);
      // Long enough for several live batches, had they not waited.
      await new Promise((r) => setTimeout(r, 60));
      return { before, after: await readStore.checkpoint('counting'), counts: await counts(readStore) };
    });
    expect(seen).toEqual({ before: 4, after: 4, counts: expectedCounts(4) });
    await until(async () => (await readStore.checkpoint('counting')) === 9, 'the held-back events');
    await projector.stop();
    expect(await counts(readStore)).toEqual(expectedCounts(9));
  });
});

describe('replay', () => {
  it('gives the same documents as the projector up to the same position, from an array or an async iterable', async () => {
    const store = ledger();
    await append(store, 1, 23);
    const events = await store.readAll(null, 1000);
    const viaProjector = new MemoryReadStore();
    await new Projector(store, viaProjector, [countingProjection()], { batchSize: 4 }).catchUp(17);

    const fromArray = new MemoryReadStore();
    expect(await replay(events, [countingProjection()], fromArray, { untilPosition: 17, batchSize: 5 })).toBe(17);
    async function* paged() {
      for (const e of events) yield e;
    }
    const fromIterable = new MemoryReadStore();
    expect(await replay(paged(), [countingProjection()], fromIterable, { untilPosition: 17 })).toBe(17);

    const expected = expectedCounts(17);
    expect(await counts(viaProjector)).toEqual(expected);
    expect(await counts(fromArray)).toEqual(expected);
    expect(await counts(fromIterable)).toEqual(expected);
  });

  it('refuses events out of position order', async () => {
    const store = ledger();
    await append(store, 1, 3);
    const [a, b] = await store.readAll(null, 2);
    await expect(replay([b!, a!], [countingProjection()], new MemoryReadStore())).rejects.toThrow(/follows position/);
  });
});
