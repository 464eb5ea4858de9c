import type { SqliteEventStore } from '@peil/ledger';
import { eventBatch, freshHousehold } from '@peil/testing';
import { type BenchContext, type BenchRow, type BenchSection, msSince, percentile } from './harness';
import { TARGETS } from './targets';

interface AppendRun {
  events: number;
  calls: number;
  /** Time spent inside appendSync only; building the events is left out. */
  ms: number;
  /** Per-call latencies, sorted. */
  latencies: number[];
  /** Rates over the first and the last quarter of the calls: shows whether appends slow down as the ledger grows. */
  firstQuarterRate: number;
  lastQuarterRate: number;
  capped: boolean;
}

/**
 * Appends `calls` times `batch` events, each call to a new household stream ('no_stream'), so every
 * call is one BEGIN IMMEDIATE transaction and one WAL fsync (synchronous=FULL). Stops early when
 * `budgetMs` of append time is spent (slow disks: the figure stays valid, the count is shown).
 */
function appendRun(store: SqliteEventStore, batch: number, calls: number, warmupCalls: number, budgetMs: number): AppendRun {
  const latencies: number[] = [];
  let ms = 0;
  let capped = false;
  for (let i = 0; i < warmupCalls + calls; i++) {
    const household = freshHousehold(`b${batch}`);
    const events = eventBatch(household, i * batch, batch);
    const start = process.hrtime.bigint();
    store.appendSync(`household-${household}`, events, 'no_stream');
    const elapsed = msSince(start);
    if (i < warmupCalls) continue;
    latencies.push(elapsed);
    ms += elapsed;
    if (ms > budgetMs && i + 1 < warmupCalls + calls) {
      capped = true;
      break;
    }
  }
  const quarter = Math.max(1, Math.floor(latencies.length / 4));
  const rateOf = (slice: number[]) => (slice.length * batch * 1000) / slice.reduce((a, b) => a + b, 0);
  const firstQuarterRate = rateOf(latencies.slice(0, quarter));
  const lastQuarterRate = rateOf(latencies.slice(-quarter));
  latencies.sort((a, b) => a - b);
  return { events: latencies.length * batch, calls: latencies.length, ms, latencies, capped, firstQuarterRate, lastQuarterRate };
}

const fmtMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

export const storeBench: BenchSection = {
  name: 'store',
  title: 'Raw store append (SqliteEventStore.appendSync, WAL, synchronous=FULL)',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const store = ctx.ledger();
    const scenarios = [
      { batch: 1, events: ctx.scale(2_000), budgetMs: ctx.budgetMs(15_000) },
      { batch: 100, events: ctx.scale(20_000), budgetMs: ctx.budgetMs(10_000) },
      { batch: 1_000, events: ctx.scale(200_000), budgetMs: ctx.budgetMs(20_000) },
    ];
    const results = scenarios.map(({ batch, events, budgetMs }) => {
      const calls = Math.max(1, Math.round(events / batch));
      const warmup = Math.max(1, Math.round(calls / 20));
      const run = appendRun(store, batch, calls, warmup, budgetMs);
      return { batch, run, rate: (run.events / run.ms) * 1000 };
    });
    const top = results[results.length - 1]!;
    const topLabel = `batch ${top.batch.toLocaleString('en-US')}`;
    return results.map(({ batch, run, rate }): BenchRow => {
      const note =
        `${run.events.toLocaleString('en-US')} ev in ${run.calls.toLocaleString('en-US')} appends` +
        `${run.capped ? ' (time-capped)' : ''}; per append p50 ${fmtMs(percentile(run.latencies, 50))} ms, ` +
        `p99 ${fmtMs(percentile(run.latencies, 99))} ms; first/last quarter ` +
        `${Math.round(run.firstQuarterRate).toLocaleString('en-US')}/${Math.round(run.lastQuarterRate).toLocaleString('en-US')} ev/s`;
      const row: BenchRow = { metric: `store append, batch ${batch.toLocaleString('en-US')}`, value: rate, unit: 'ev/s', note };
      if (batch === top.batch) row.target = TARGETS.storeAppendBatched;
      else row.relativeTo = { label: topLabel, value: top.rate };
      return row;
    });
  },
};
