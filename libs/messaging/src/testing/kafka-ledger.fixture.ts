import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import type { KafkaTarget, TestKafka } from '@peil/testing';

type Closable = { stop(): Promise<unknown> } | { close(): Promise<unknown> };

export interface KafkaLedgerFixture {
  /** The test's own data dir (ledger file, relay checkpoint, read stores). */
  readonly dir: string;
  readonly store: SqliteEventStore;
  /** The test's broker; only when the fixture was given a target. */
  readonly kafka: TestKafka;
  /** Closes `thing` after the test, before the broker and the ledger go; last tracked, first closed. */
  track<T extends Closable>(thing: T): T;
  defer(...steps: Array<() => Promise<unknown>>): void;
}

/**
 * What every Kafka suite sets up per test: a fresh ledger file, a fresh broker of `target` (none
 * when null: the test starts its own), and teardown in reverse order — whatever the test tracked,
 * then the broker, the ledger and the directory. Registers its hooks in the calling describe.
 */
export function useKafkaLedger(target: KafkaTarget | null, prefix: string): KafkaLedgerFixture {
  const steps: Array<() => Promise<unknown>> = [];
  let current: { dir: string; store: SqliteEventStore; kafka: TestKafka | null } | undefined;
  const now = () => {
    if (!current) throw new Error('useKafkaLedger: used outside a test');
    return current;
  };
  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const kafka = target ? await target.start() : null;
    current = { dir, kafka, store: new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollIntervalMs: 10 }) };
  }, 15_000 + (target?.startupMs ?? 0));
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step().catch(() => undefined);
    const { dir, kafka, store } = now();
    current = undefined;
    await kafka?.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);
  return {
    get dir() {
      return now().dir;
    },
    get store() {
      return now().store;
    },
    get kafka() {
      const { kafka } = now();
      if (!kafka) throw new Error('useKafkaLedger: this suite starts its own brokers');
      return kafka;
    },
    track(thing) {
      steps.push(() => ('close' in thing ? thing.close() : thing.stop()));
      return thing;
    },
    defer(...more) {
      steps.push(...more);
    },
  };
}
