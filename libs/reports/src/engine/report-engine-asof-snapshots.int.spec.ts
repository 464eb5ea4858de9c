import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SqliteEventStore } from '@peil/ledger';
import { MemoryReadStore, PROJECTIONS_META, type Projection } from '@peil/projections';
import { allProjections } from '../reports/catalogue';
import { writeProgrammeLedger } from '@peil/testing';
import { householdRefFunction } from './household-ref';
import { ReportEngine, type ReportQuery } from './report-engine';

// Reports asOf a position computed from snapshots must be byte-identical to the same reports
// replayed from zero (decision 0020), at any position, in any order of asking.

// Six snapshot boundaries over the ledger; replays from zero are memoised (the reference never changes).
const EVERY = 300;
const REPORTS: ReadonlyArray<{ name: string; query: ReportQuery }> = [
  { name: 'grant-statement', query: { period: '2026Q2' } },
  { name: 'grant-statement', query: { period: '2025Q4' } },
  { name: 'asset-register', query: {} },
  { name: 'asset-register', query: { format: 'csv' } },
  { name: 'beneficiaries', query: {} },
  { name: 'indicators', query: {} },
  { name: 'iati', query: {} },
  { name: 'ifr', query: { period: '2025Q4' } },
  { name: 'ifr', query: { period: '2026Q2', format: 'csv' } },
];
// The IATI report is refused without a configured publisher.
const iatiPublisher = { ref: 'LB-COA-1234', type: '22', name: 'René Moawad Foundation' };

describe('ReportEngine asOf snapshots', () => {
  let dir: string;
  let store: SqliteEventStore;
  let head: number;
  const householdRef = householdRefFunction(randomBytes(32));
  const fromZero = () => new ReportEngine(store, new MemoryReadStore(), householdRef, { iatiPublisher });
  const withSnapshots = (kept = 40) => new ReportEngine(store, new MemoryReadStore(), householdRef, { asOfSnapshotEvery: EVERY, asOfSnapshotsKept: kept, iatiPublisher });
  const bytes = async (engine: ReportEngine, r: (typeof REPORTS)[number], position: number) => {
    const answer = await engine.report(r.name, { ...r.query, asOf: String(position) });
    return JSON.stringify([answer.ledgerPosition, answer.contentType, answer.body]);
  };
  const replayed = new Map<string, string>();
  /** A report replayed from zero, computed once per (report, position). */
  const fromZeroBytes = async (r: (typeof REPORTS)[number], position: number) => {
    const key = `${REPORTS.indexOf(r)}@${position}`;
    if (!replayed.has(key)) replayed.set(key, await bytes(fromZero(), r, position));
    return replayed.get(key)!;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peil-asof-snapshots-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    writeProgrammeLedger(store, 1_900);
    head = (await store.headPosition())!;
    expect(head).toBeGreaterThan(5 * EVERY);
  });

  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the bytes of a replay from zero at, just before and just after every snapshot boundary', async () => {
    const engine = withSnapshots();
    const positions: number[] = [1, head];
    for (let b = EVERY; b <= head; b += EVERY) positions.push(b - 1, b, b + 1);
    // Descending first (no snapshot below yet), then ascending (snapshots hit) — both must agree.
    for (const position of [...positions].sort((a, b) => b - a).concat(positions).filter((p) => p <= head)) {
      for (const r of REPORTS) expect(await bytes(engine, r, position)).toBe(await fromZeroBytes(r, position));
    }
    expect(engine.asOfSnapshotCount('grant-statement')).toBeGreaterThan(0);
  });

  it('holds exactly the documents and checkpoint of a replay from zero, for every projection, around every boundary', async () => {
    const engine = withSnapshots();
    const reference = fromZero();
    // Through the private method: the documents say more than the reports rendered from them.
    const state = async (e: ReportEngine, projection: Projection, position: number) => {
      const memory: MemoryReadStore = await e['replay'].replayedTo(projection, position);
      const docs = await memory.read(async (tx) => Promise.all([PROJECTIONS_META, ...projection.collections].map((c) => tx.all(c))));
      return JSON.stringify([await memory.checkpoint(projection.name), docs]);
    };
    const positions: number[] = [];
    for (let b = EVERY; b <= head; b += EVERY) positions.push(b + 1, b, b - 1);
    for (const projection of allProjections(householdRef)) {
      const references = new Map<number, string>();
      for (const position of positions.concat([...positions].reverse(), [head, 1]).filter((p) => p <= head)) {
        if (!references.has(position)) references.set(position, await state(reference, projection, position));
        expect(await state(engine, projection, position)).toBe(references.get(position));
      }
    }
  });

  it('gives the bytes of a replay from zero at random positions in any order, also when snapshots are dropped', async () => {
    const expected = (i: number, position: number) => fromZeroBytes(REPORTS[i]!, position);
    const engines = [withSnapshots(), withSnapshots(2)];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: REPORTS.length - 1 }), fc.integer({ min: 1, max: head }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 6 }),
        async (asks) => {
          for (const [i, position, e] of asks) {
            expect(await bytes(engines[e]!, REPORTS[i]!, position)).toBe(await expected(i, position));
          }
        },
      ),
      { numRuns: 20, seed: 20261130 },
    );
    expect(engines[1]!.asOfSnapshotCount('asset-register')).toBeLessThanOrEqual(2);
  });

  it('never changes a snapshot by a later report (asked twice, interleaved and concurrently)', async () => {
    const reference = fromZero();
    const engine = withSnapshots();
    const r = REPORTS.find((x) => x.name === 'asset-register')!;
    const low = 2 * EVERY + 7;
    const high = 3 * EVERY - 3;
    const first = await bytes(engine, r, low);
    const [a, b, c] = await Promise.all([bytes(engine, r, high), bytes(engine, r, low), bytes(engine, r, 2 * EVERY)]);
    const again = await bytes(engine, r, low);
    expect(first).toBe(await bytes(reference, r, low));
    expect(a).toBe(await bytes(reference, r, high));
    expect(b).toBe(first);
    expect(c).toBe(await bytes(reference, r, 2 * EVERY));
    expect(again).toBe(first);
    expect(a).not.toBe(first); // the positions differ in content, so a leak would show
  });

  it('reads only the events after the nearest snapshot once it is held', async () => {
    const engine = withSnapshots();
    const r = REPORTS[0]!;
    await bytes(engine, r, head);
    const reads = jest.spyOn(store, 'readAll');
    try {
      await bytes(engine, r, head);
      const nearest = Math.floor(head / EVERY) * EVERY;
      // The only other read is the event at the position itself (its recording time).
      for (const [after] of reads.mock.calls) expect(after === nearest || after === head - 1).toBe(true);
    } finally {
      reads.mockRestore();
    }
  });
});
