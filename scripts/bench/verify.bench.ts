import { type SqliteEventStore, verifyLedger } from '@peil/ledger';
import { type BenchContext, type BenchRow, type BenchSection, median, msSince } from './harness';
import { TARGETS } from './targets';

const PAGE = 5_000; // verifyLedger's default page size

async function readAllOnce(store: SqliteEventStore): Promise<number> {
  let after: number | null = null;
  let count = 0;
  for (;;) {
    const page = await store.readAll(after, PAGE);
    count += page.length;
    if (page.length < PAGE) return count;
    after = page[page.length - 1]!.position;
  }
}

/**
 * Runs `fn` up to `runs` times, but no new run once `budgetMs` is spent (one run at least, so a slow
 * machine stays inside the bench's time); returns the median rate and every rate, in events/s.
 */
async function measure(runs: number, budgetMs: number, fn: () => Promise<number>): Promise<{ rate: number; events: number; rates: number[] }> {
  const rates: number[] = [];
  let events = 0;
  const begun = process.hrtime.bigint();
  for (let i = 0; i < runs && (i === 0 || msSince(begun) < budgetMs); i++) {
    const start = process.hrtime.bigint();
    events = await fn();
    rates.push((events / msSince(start)) * 1000);
  }
  return { rate: median(rates), events, rates };
}

function note(events: number, rates: number[]): string {
  const runs = rates.length;
  const span = runs > 1 ? `; median of ${runs} (${Math.round(Math.min(...rates)).toLocaleString('en-US')}–${Math.round(Math.max(...rates)).toLocaleString('en-US')})` : '';
  return `${events.toLocaleString('en-US')} ev${span}`;
}

export const verifyBench: BenchSection = {
  name: 'verify',
  title: 'Verification and reads over the whole ledger (verifyLedger, readAll pages of 5,000)',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    ctx.ensureLedgerEvents(ctx.scale(200_000));
    const store = ctx.ledger();
    const runs = ctx.quick ? 1 : 3;

    const verify = await measure(runs, ctx.budgetMs(8_000), async () => {
      const report = await verifyLedger(store);
      if (!report.ok) throw new Error(`verifyLedger failed on the bench ledger: ${JSON.stringify(report.firstFailure)}`);
      return report.checkedEvents;
    });
    const read = await measure(runs, ctx.budgetMs(4_000), () => readAllOnce(store));

    return [
      { metric: 'verify (verifyLedger)', value: verify.rate, unit: 'ev/s', target: TARGETS.verify, note: note(verify.events, verify.rates) },
      {
        metric: 'readAll',
        value: read.rate,
        unit: 'ev/s',
        // No target of its own; reading bounds verification, so it is set against the verify target.
        relativeTo: { label: 'verify target', value: TARGETS.verify },
        note: `${note(read.events, read.rates)}; reading is ~${Math.round((verify.rate / read.rate) * 100)}% of verify time`,
      },
    ];
  },
};
