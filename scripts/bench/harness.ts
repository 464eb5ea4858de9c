import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import { appendFixtureBatches } from '@peil/testing';

/** Higher is better for throughputs, lower for latencies; the ratio is always measured/target. */
export type Better = 'higher' | 'lower';

/** One line of the results table. */
export interface BenchRow {
  metric: string;
  value: number;
  /** 'ev/s', 'req/s', 'ms'… */
  unit: string;
  better?: Better;
  /** A target, when the metric has one. */
  target?: number;
  /** For metrics without a target: the row whose figure the ratio is taken against (e.g. batch 1,000). */
  relativeTo?: { label: string; value: number };
  note?: string;
}

/**
 * A bench section. Sections are listed in index.ts and selected by PEIL_BENCH_ONLY=<name>,<name>;
 * each is one module.
 */
export interface BenchSection {
  /** Key used by PEIL_BENCH_ONLY. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

/** What every section shares: the quick switch, a temp dir, and one lazily opened ledger. */
export class BenchContext {
  readonly dir: string;
  private ledgerStore: SqliteEventStore | undefined;
  private readonly sharedValues = new Map<string, unknown>();
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(readonly quick: boolean) {
    this.dir = mkdtempSync(join(tmpdir(), 'peil-bench-'));
  }

  /** `n` in a full run, n/10 with --quick (at least 1). */
  scale(n: number): number {
    return this.quick ? Math.max(1, Math.round(n / 10)) : n;
  }

  /** Time budget in ms for open-ended loops (a fifth of it with --quick). */
  budgetMs(ms: number): number {
    return this.quick ? Math.round(ms / 5) : ms;
  }

  get ledgerFile(): string {
    return join(this.dir, 'ledger.sqlite');
  }

  /** The shared ledger: a fresh SQLite file (WAL, synchronous=FULL) in the temp dir. */
  ledger(): SqliteEventStore {
    this.ledgerStore ??= new SqliteEventStore(this.ledgerFile);
    return this.ledgerStore;
  }

  /**
   * Makes the shared ledger hold at least `events` events (untimed, batches of 1,000), so a section
   * that reads the ledger gives the same figure whether or not the store section ran before it.
   */
  ensureLedgerEvents(events: number): number {
    const store = this.ledger();
    const head = (store.database.prepare('SELECT max(position) AS p FROM events').get() as { p: number | null }).p ?? 0;
    if (head < events) appendFixtureBatches(store, events - head, 1000, 'fill');
    return Math.max(head, events);
  }

  /**
   * What several sections use (a big programme ledger, its read models): made once by whichever
   * section runs first, so each section also runs alone (PEIL_BENCH_ONLY). `close` runs at the end.
   */
  async shared<T>(key: string, make: () => Promise<{ value: T; close: () => Promise<void> }>): Promise<T> {
    if (!this.sharedValues.has(key)) {
      const { value, close } = await make();
      this.sharedValues.set(key, value);
      this.closers.push(close);
    }
    return this.sharedValues.get(key) as T;
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
    await this.ledgerStore?.close();
    this.ledgerStore = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Milliseconds since `start` (from process.hrtime.bigint()). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index]!;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const FS_TYPES: Record<number, string> = {
  0xef53: 'ext4',
  0x01021994: 'tmpfs',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x794c7630: 'overlayfs',
  0x6a656a63: 'fakeowner',
  0x65735546: 'fuse',
  0x6969: 'nfs',
};

/** The filesystem of `path`, because fsync costs on tmpfs and on a disk differ by orders of magnitude. */
export function filesystemOf(path: string): string {
  try {
    const type = statfsSync(path).type;
    return FS_TYPES[type] ?? `0x${type.toString(16)}`;
  } catch {
    return 'unknown';
  }
}
