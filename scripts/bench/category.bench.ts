import { join } from 'node:path';
import { categoryOf, SqliteEventStore, type EventStore } from '@peil/ledger';
import { LedgerView, type StreamFold } from '@peil/platform/streams';
import { countingReads, storedEvent } from '@peil/testing';
import { type BenchContext, type BenchRow, type BenchSection, msSince } from './harness';

/** Events of the indexed category: one in a hundred of the ledger, as grants are among households. */
const EVERY = 100;

/**
 * A programme-wide index (the grant directory's shape: one small category among many households),
 * folded cold from a 100,000-event ledger two ways: tailing the whole ledger and skipping other
 * categories (how the registries caught up before EventStore.readCategory), and reading the category
 * alone. Each read once, then caught up after one new event of the category.
 */
export const categoryBench: BenchSection = {
  name: 'category',
  title: 'Category read: a programme-wide index folded from one category of a 100,000-event ledger',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const length = ctx.scale(100_000);
    const { store, inCategory } = await ctx.shared('category-ledger', async () => {
      const value = fillLedger(new SqliteEventStore(join(ctx.dir, 'category.sqlite')), length);
      return { value, close: () => value.store.close() };
    });
    const count: StreamFold<number> = { initialState: () => 0, evolve: (n) => n + 1 };
    const tailed = (n: number, e: { streamId: string }) => (categoryOf(e.streamId) === 'grant' ? n + 1 : n);
    const ways = [
      { label: 'tailing the whole ledger', view: (s: EventStore) => new LedgerView(s, { initialState: () => 0, evolve: tailed }) },
      { label: 'readCategory', view: (s: EventStore) => new LedgerView(s, count, { category: 'grant' }) },
    ];
    const rows: BenchRow[] = [];
    let baseline: { label: string; value: number } | undefined;
    for (const way of ways) {
      const reads = countingReads(store);
      const view = way.view(reads.store);
      let t = process.hrtime.bigint();
      const { state } = await view.current();
      const coldMs = msSince(t);
      const coldRead = reads.allEvents + reads.categoryEvents;
      store.appendSync('grant-G-new', [storedEvent('Bench', { n: -1 })], 'any');
      reads.reset();
      t = process.hrtime.bigint();
      const after = await view.current();
      const warmMs = msSince(t);
      if (after.state !== state + 1) throw new Error(`bench: ${way.label} folded ${after.state}, expected ${state + 1}`);
      const metric = `${length.toLocaleString('en-US')} household + ${inCategory.toLocaleString('en-US')} grant events: cold fold of grants, ${way.label}`;
      const note = `${coldRead.toLocaleString('en-US')} events read; after one more: ${warmMs.toFixed(2)} ms, ${reads.allEvents + reads.categoryEvents} read`;
      rows.push({ metric, value: coldMs, unit: 'ms', better: 'lower', ...(baseline ? { relativeTo: baseline } : {}), note });
      baseline ??= { label: way.label, value: coldMs };
    }
    return rows;
  },
};

/** `length` household events in streams of 1,000, each stream followed by a grant stream of a hundredth of it. */
function fillLedger(store: SqliteEventStore, length: number): { store: SqliteEventStore; inCategory: number } {
  let inCategory = 0;
  for (let i = 0; i < length; i += 1_000) {
    const households = Array.from({ length: Math.min(1_000, length - i) }, (_, j) => storedEvent('Bench', { n: i + j }));
    store.appendSync(`household-H${i / 1_000}`, households, 'no_stream');
    const grants = Array.from({ length: Math.ceil(households.length / EVERY) }, () => storedEvent('Bench', { n: i }));
    store.appendSync(`grant-G${i / 1_000}`, grants, 'no_stream');
    inCategory += grants.length;
  }
  return { store, inCategory };
}
