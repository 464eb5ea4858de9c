import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { LedgerTree, SqliteEventStore, SqliteTreeStore } from '@peil/ledger';
import { MemoryReadStore, replay, SqliteReadStore, type ReadStore } from '@peil/projections';
import { writeProgrammeLedger } from '@peil/testing';
import { allProjections } from '../reports/catalogue';
import { householdRefFunction } from './household-ref';
import { ReportEngine, type ReportQuery } from './report-engine';

// Reports asOf a position read from the SQLite read store's document history (decision 0075) must be
// byte-identical to the same reports replayed from zero, at any position, however the read models
// were committed — and the documents themselves must be those of a replay at every position.

const REPORTS: ReadonlyArray<{ name: string; query: ReportQuery }> = [
  { name: 'grant-statement', query: { period: '2026Q2' } },
  { name: 'asset-register', query: { format: 'csv' } },
  { name: 'beneficiaries', query: {} },
  { name: 'indicators', query: {} },
  { name: 'iati', query: {} },
  { name: 'ifr', query: { period: '2025Q4' } },
];
const iatiPublisher = { ref: 'LB-COA-1234', type: '22', name: 'René Moawad Foundation' };

describe('ReportEngine asOf from the read store’s document history', () => {
  let dir: string;
  let store: SqliteEventStore;
  let tree: LedgerTree;
  let head: number;
  let oneBatch: SqliteReadStore;
  let smallBatches: SqliteReadStore;
  const householdRef = householdRefFunction(randomBytes(32));
  const projections = allProjections(householdRef);
  const fromZero = () => new ReportEngine(store, new MemoryReadStore(), householdRef, { tree, iatiPublisher });
  const bytes = async (engine: ReportEngine, r: (typeof REPORTS)[number], asOf: string) => {
    const answer = await engine.report(r.name, { ...r.query, asOf });
    return JSON.stringify([answer.ledgerPosition, answer.contentType, answer.body]);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peil-asof-history-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    writeProgrammeLedger(store, 2_000);
    head = (await store.headPosition())!;
    tree = new LedgerTree(store, new SqliteTreeStore(join(dir, 'tree.sqlite')));
    await tree.catchUp();
    // The projector's catch-up: the whole ledger in one commit, every version inside one batch.
    oneBatch = new SqliteReadStore(join(dir, 'one-batch.sqlite'));
    await new ReportEngine(store, oneBatch, householdRef).rebuild();
    // Live-like: commits of 7 events, so versions also span commits.
    smallBatches = new SqliteReadStore(join(dir, 'small-batches.sqlite'));
    await replay(await store.readAll(null, 100_000), projections, smallBatches, { batchSize: 7 });
  });

  afterAll(async () => {
    await oneBatch.close();
    await smallBatches.close();
    tree.nodes.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds exactly the documents of a replay up to the position, at the first 100 and every 4th after (one batch and small batches)', async () => {
    const memory = new MemoryReadStore();
    const events = await store.readAll(null, 100_000);
    const collections = projections.flatMap((p) => [...p.collections]);
    const snapshot = (s: ReadStore, at?: number) => {
      const read = async (tx: Parameters<Parameters<ReadStore['read']>[0]>[0]) => JSON.stringify(await Promise.all(collections.map((c) => tx.all(c))));
      return at === undefined ? s.read(read) : s.readAt!(at, read);
    };
    for (const event of events) {
      await replay([event], projections, memory);
      if (event.position > 100 && event.position % 4 !== 0) continue;
      const expected = await snapshot(memory);
      expect(await snapshot(oneBatch, event.position)).toBe(expected);
      expect(await snapshot(smallBatches, event.position)).toBe(expected);
    }
  });

  it('gives the bytes of a replay from zero at random positions, tree sizes and times, without replaying', async () => {
    const reference = fromZero();
    const engine = new ReportEngine(store, smallBatches, householdRef, { tree, iatiPublisher });
    const times = (await store.readAll(null, 100_000)).map((e) => e.recordedAt);
    const asOf = fc.oneof(
      fc.integer({ min: 1, max: head }).map(String),
      fc.integer({ min: 1, max: head }).map((n) => `size:${n}`),
      fc.constantFrom(...times),
    );
    const replays = jest.spyOn(engine['replay'], 'replayedTo');
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: REPORTS.length - 1 }), asOf, async (i, at) => {
          expect(await bytes(engine, REPORTS[i]!, at)).toBe(await bytes(reference, REPORTS[i]!, at));
        }),
        { numRuns: 30, seed: 20261130 },
      );
      expect(replays).not.toHaveBeenCalled();
    } finally {
      replays.mockRestore();
    }
  });

  it('answers after a restart from the read store alone: the ledger is read only at single positions', async () => {
    const position = String(Math.floor(head / 3));
    const expected = await Promise.all(REPORTS.map((r) => bytes(fromZero(), r, position)));
    const reopened = new SqliteReadStore(join(dir, 'one-batch.sqlite'));
    const engine = new ReportEngine(store, reopened, householdRef, { tree, iatiPublisher });
    const reads = jest.spyOn(store, 'readAll');
    try {
      for (const [i, r] of REPORTS.entries()) expect(await bytes(engine, r, position)).toBe(expected[i]);
      // The event at the position (its time) and at the checkpoint (its hash): no page of a replay.
      expect(reads.mock.calls.length).toBeGreaterThan(0);
      expect(reads.mock.calls.every(([, limit]) => limit === 1)).toBe(true);
    } finally {
      reads.mockRestore();
      await reopened.close();
    }
  });

  it('replays instead where the read models keep no history, with the same bytes', async () => {
    const file = join(dir, 'no-history.sqlite');
    const legacy = new SqliteReadStore(file);
    await new ReportEngine(store, legacy, householdRef).rebuild();
    // A read store built before history was kept: its checkpoints stand, its history does not.
    const db = new Database(file);
    db.exec('DELETE FROM history; DELETE FROM versions');
    db.close();
    const engine = new ReportEngine(store, legacy, householdRef, { tree, iatiPublisher });
    const replays = jest.spyOn(engine['replay'], 'replayedTo');
    try {
      const position = String(head - 5);
      for (const r of REPORTS) expect(await bytes(engine, r, position)).toBe(await bytes(fromZero(), r, position));
      expect(replays).toHaveBeenCalledTimes(REPORTS.length);
    } finally {
      replays.mockRestore();
      await legacy.close();
    }
  });

  it('serves a report asked again from its rendered bytes, and never once the read models no longer stand on the ledger', async () => {
    const file = join(dir, 'cached.sqlite');
    const cachedStore = new SqliteReadStore(file);
    await new ReportEngine(store, cachedStore, householdRef).rebuild();
    const engine = new ReportEngine(store, cachedStore, householdRef, { tree, iatiPublisher, asOfCacheBytes: 64 * 2 ** 20 });
    const renders = jest.spyOn(cachedStore, 'readAt');
    const replays = jest.spyOn(engine['replay'], 'replayedTo');
    try {
      const position = String(Math.floor(head / 2));
      const expected = await Promise.all(REPORTS.map((r) => bytes(fromZero(), r, position)));
      for (const [i, r] of REPORTS.entries()) expect(await bytes(engine, r, position)).toBe(expected[i]);
      expect(renders).toHaveBeenCalledTimes(REPORTS.length);
      for (const [i, r] of REPORTS.entries()) expect(await bytes(engine, r, position)).toBe(expected[i]);
      expect(renders).toHaveBeenCalledTimes(REPORTS.length);
      // Another way of naming the position is another query: the report states what it was asked.
      await bytes(engine, REPORTS[0]!, `size:${position}`);
      expect(renders).toHaveBeenCalledTimes(REPORTS.length + 1);
      expect(replays).not.toHaveBeenCalled();

      // The read models' checkpoints no longer match the ledger (as after a rewrite): replayed, not served from the cache.
      const db = new Database(file);
      db.exec(`UPDATE checkpoints SET hash = '${'0'.repeat(64)}'`);
      db.close();
      for (const [i, r] of REPORTS.entries()) expect(await bytes(engine, r, position)).toBe(expected[i]);
      expect(replays).toHaveBeenCalledTimes(REPORTS.length);
    } finally {
      renders.mockRestore();
      replays.mockRestore();
      await cachedStore.close();
    }
  });
});
