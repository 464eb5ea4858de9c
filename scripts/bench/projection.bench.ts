import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerTree, SqliteEventStore, SqliteTreeStore } from '@peil/ledger';
import { SqliteReadStore } from '@peil/projections';
import { householdRefFunction, loadAsOfSnapshotsConfig, ReportEngine, type ReportQuery } from '@peil/reports';
import { writeProgrammeLedger } from '@peil/testing';
import { type BenchContext, type BenchRow, type BenchSection, msSince, percentile } from './harness';
import { TARGETS } from './targets';

/** The IATI report needs a publisher; the bench's is a stand-in. */
const BENCH_IATI_PUBLISHER = { ref: 'XX-BENCH-1', type: '22', name: 'Bench publisher' };

/**
 * Read models and reports (projection rebuild ≥ 100,000 ev/s; report reads p99 ≤ 50 ms
 * at 1,000,000 events), on programme ledgers of 100,000 and 1,000,000 events written straight to a
 * SqliteEventStore (PEIL_BENCH_REPORT_EVENTS=200000,500000 to choose other sizes; --quick: a tenth).
 */

const householdRef = householdRefFunction(randomBytes(32));
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const label = (events: number) => (events >= 1_000_000 && events % 1_000_000 === 0 ? `${events / 1_000_000}M` : events % 1000 === 0 ? `${events / 1000}k` : String(events));

function reportSizes(ctx: BenchContext): number[] {
  const configured = process.env.PEIL_BENCH_REPORT_EVENTS?.trim();
  const sizes = configured ? configured.split(',').map((s) => Number(s.trim())) : [100_000, 1_000_000];
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1_000)) throw new Error('PEIL_BENCH_REPORT_EVENTS: a comma-separated list of event counts, each at least 1000');
  return sizes.map((n) => ctx.scale(n));
}

interface ProgrammeLedger {
  store: SqliteEventStore;
  /** The persisted Merkle tree, as the service has it: the tree head a report cites is a few lookups. */
  tree: LedgerTree;
  events: number;
  head: number;
  writeMs: number;
}

/** The programme ledger of `events` events, written once per bench run (untimed for the figures). */
function programmeLedger(ctx: BenchContext, events: number): Promise<ProgrammeLedger> {
  return ctx.shared(`programme-${events}`, async () => {
    const store = new SqliteEventStore(join(ctx.dir, `programme-${events}.sqlite`));
    const start = process.hrtime.bigint();
    const written = writeProgrammeLedger(store, events);
    const writeMs = msSince(start);
    const head = (await store.headPosition()) ?? 0;
    const tree = new LedgerTree(store, new SqliteTreeStore(join(ctx.dir, `programme-${events}.tree.sqlite`)));
    await tree.catchUp();
    return {
      value: { store, tree, events: written, head, writeMs },
      close: async () => {
        tree.nodes.close();
        await store.close();
      },
    };
  });
}

interface ReadModels {
  readStore: SqliteReadStore;
  engine: ReportEngine;
  rebuildMs: number;
}

/** Every report read model rebuilt from zero over that ledger, in a fresh SQLite read store: timed. */
function readModels(ctx: BenchContext, ledger: ProgrammeLedger): Promise<ReadModels> {
  return ctx.shared(`read-models-${ledger.events}`, async () => {
    const readStore = new SqliteReadStore(join(ctx.dir, `read-models-${ledger.events}.sqlite`));
    // As the service runs it: asOf reports read the read store's document history (decision 0075).
    const engine = new ReportEngine(ledger.store, readStore, householdRef, { ...loadAsOfSnapshotsConfig(), tree: ledger.tree, iatiPublisher: BENCH_IATI_PUBLISHER });
    const start = process.hrtime.bigint();
    const reached = await engine.rebuild();
    const rebuildMs = msSince(start);
    if (reached !== ledger.head) throw new Error(`rebuild reached ${reached}, the ledger is at ${ledger.head}`);
    return { value: { readStore, engine, rebuildMs }, close: () => readStore.close() };
  });
}

export const rebuildBench: BenchSection = {
  name: 'rebuild',
  title: 'Projection rebuild (peil-ledger rebuild: every report read model from zero, SQLite read store)',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const size of reportSizes(ctx)) {
      const ledger = await programmeLedger(ctx, size);
      const models = await readModels(ctx, ledger);
      const bytes = statSync(join(ctx.dir, `read-models-${ledger.events}.sqlite`)).size;
      rows.push({
        metric: `projection rebuild, ${label(size)} events`,
        value: (ledger.events / models.rebuildMs) * 1000,
        unit: 'ev/s',
        target: TARGETS.projectionRebuild,
        note:
          `${fmtInt(ledger.events)} ev in ${(models.rebuildMs / 1000).toFixed(1)} s, 4 projections; read models ${(bytes / 2 ** 20).toFixed(1)} MiB; ` +
          `ledger written untimed at ${fmtInt((ledger.events / ledger.writeMs) * 1000)} ev/s`,
      });
    }
    return rows;
  },
};

const REPORTS: ReadonlyArray<{ name: string; query: ReportQuery; tag: string }> = [
  { name: 'grant-statement', query: { period: '2026Q2' }, tag: 'grant-statement' },
  { name: 'asset-register', query: {}, tag: 'asset-register' },
  { name: 'asset-register', query: { format: 'csv' }, tag: 'asset-register csv' },
  { name: 'beneficiaries', query: {}, tag: 'beneficiaries' },
  { name: 'indicators', query: {}, tag: 'indicators' },
  { name: 'iati', query: {}, tag: 'iati' },
];

/** Latencies of `read`, sorted: `min` runs at least, more until `budgetMs` is spent or `max` reached. */
async function sample(read: () => Promise<number>, warmUp: boolean, min: number, max: number, budgetMs: number): Promise<{ latencies: number[]; bytes: number }> {
  if (warmUp) await read(); // statement caches, JIT
  const latencies: number[] = [];
  let bytes = 0;
  const begun = process.hrtime.bigint();
  while (latencies.length < min || (latencies.length < max && msSince(begun) < budgetMs)) {
    const start = process.hrtime.bigint();
    bytes = await read();
    latencies.push(msSince(start));
  }
  return { latencies: latencies.sort((a, b) => a - b), bytes };
}

/**
 * asOf at uniformly random positions: the first read of each report after a restart (a fresh engine
 * on the read store reopened from its file: nothing in memory), then random positions on the running
 * engine. Both read the documents' history in the read store; neither replays the ledger.
 */
async function asOfRandom(ctx: BenchContext, ledger: ProgrammeLedger, engine: ReportEngine): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  let seed = 20;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (const { name, query, tag } of REPORTS.filter((r) => r.tag !== 'asset-register csv')) {
    const reopened = new SqliteReadStore(join(ctx.dir, `read-models-${ledger.events}.sqlite`));
    const cold = new ReportEngine(ledger.store, reopened, householdRef, { tree: ledger.tree, iatiPublisher: BENCH_IATI_PUBLISHER });
    const start = process.hrtime.bigint();
    await cold.report(name, { ...query, asOf: String(1 + Math.floor(random() * ledger.head)) });
    const coldMs = msSince(start);
    await reopened.close();
    const { latencies } = await sample(
      async () => (await engine.report(name, { ...query, asOf: String(1 + Math.floor(random() * ledger.head)) })).body.length,
      false,
      5,
      100,
      ctx.budgetMs(3_000),
    );
    rows.push({
      metric: `report asOf random position ${tag}, ${label(ledger.events)} events`,
      value: percentile(latencies, 99),
      unit: 'ms',
      better: 'lower',
      target: TARGETS.reportReadP99Ms,
      note: `p99 of ${latencies.length} reads from the read store's history; p50 ${fmtMs(percentile(latencies, 50))} ms; first read after a restart ${fmtMs(coldMs)} ms`,
    });
  }
  return rows;
}

/**
 * The same report and query asked again at one position, on an engine that keeps rendered reports
 * (PEIL_ASOF_CACHE_MB, as the service does): what a publisher pinned to a signed checkpoint costs.
 */
async function asOfRepeated(ctx: BenchContext, ledger: ProgrammeLedger, readStore: SqliteReadStore): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const engine = new ReportEngine(ledger.store, readStore, householdRef, { tree: ledger.tree, iatiPublisher: BENCH_IATI_PUBLISHER, asOfCacheBytes: 64 * 2 ** 20 });
  const asOf = `size:${Math.floor(ledger.head * 0.75)}`;
  for (const { name, query, tag } of REPORTS.filter((r) => r.tag === 'iati' || r.tag === 'asset-register')) {
    const start = process.hrtime.bigint();
    await engine.report(name, { ...query, asOf });
    const firstMs = msSince(start);
    const { latencies } = await sample(async () => (await engine.report(name, { ...query, asOf })).body.length, false, 20, 500, ctx.budgetMs(1_000));
    rows.push({
      metric: `report asOf a repeated checkpoint ${tag}, ${label(ledger.events)} events`,
      value: percentile(latencies, 99),
      unit: 'ms',
      better: 'lower',
      target: TARGETS.reportReadP99Ms,
      note: `p99 of ${latencies.length} reads of asOf=${asOf} kept rendered; p50 ${fmtMs(percentile(latencies, 50))} ms; its first read ${fmtMs(firstMs)} ms`,
    });
  }
  return rows;
}

export const reportsBench: BenchSection = {
  name: 'reports',
  title: 'Report latency (ReportEngine.report: live from the read store; asOf the head, then asOf random positions, from the read store\'s document history as the service does)',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const size of reportSizes(ctx)) {
      const ledger = await programmeLedger(ctx, size);
      const { engine, readStore } = await readModels(ctx, ledger);
      for (const mode of ['live', 'asOf'] as const) {
        for (const { name, query, tag } of REPORTS) {
          const q = mode === 'live' ? query : { ...query, asOf: String(ledger.head) };
          const { latencies, bytes } = await sample(async () => (await engine.report(name, q)).body.length, mode === 'live', 20, 500, ctx.budgetMs(2_000));
          rows.push({
            metric: `report ${mode} ${tag}, ${label(size)} events`,
            value: percentile(latencies, 99),
            unit: 'ms',
            better: 'lower',
            target: TARGETS.reportReadP99Ms,
            note: `p99 of ${latencies.length} read${latencies.length === 1 ? '' : 's'}; p50 ${fmtMs(percentile(latencies, 50))} ms; ${fmtInt(bytes / 1024)} KiB`,
          });
        }
      }
      rows.push(...(await asOfRandom(ctx, ledger, engine)));
      rows.push(...(await asOfRepeated(ctx, ledger, readStore)));
    }
    return rows;
  },
};
