import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, take, tap, toArray } from 'rxjs';
import { SqliteEventStore } from '@peil/ledger';
import { Projector, SqliteReadStore, type ReadTx } from '@peil/projections';
import { countingProjection, readCounts } from '../../projections/src/testing/counting.projection';
import { kafkaTargets, type TestKafka } from '@peil/testing';
import { KafkaLedgerFeeds } from './kafka-ledger-feed';
import type { OutboundRelay } from './relay';
import { allEvents, appendInterleaved, newEvent, until } from './testing/ledger-events';
import { testRelay } from './testing/test-relay';

/**
 * KafkaLedgerFeed against the mock cluster (and a Kafka container where Docker is, 0017), fed by the real relay: events of every context, spread
 * over seven topics and their partitions, come back in exact ledger order; a projector fed from
 * Kafka builds the same documents as one tailing the store; a restarted reader resumes from the
 * offsets it committed. Consumer groups on the mock take ~3 s to join, so groups are few.
 */
const STREAMS = ['household-A', 'livelihood-A', 'market-m', 'assets-A', 'session-S', 'participation-A', 'evaluation-A', 'grant-G', 'mystery-1'];

describe.each(kafkaTargets('kafka-ledger-feed.int'))('KafkaLedgerFeed ($name, real relay)', (target) => {
  let dir: string;
  let mock: TestKafka;
  let store: SqliteEventStore;
  let relay: OutboundRelay;
  const closers: Array<() => Promise<unknown>> = [];
  const feeds = (groupPrefix: string) => {
    const f = new KafkaLedgerFeeds({ brokers: mock.brokers, clientId: 'feed-spec', groupPrefix, maxWaitTimeMs: 50, connectionTimeoutMs: 1_000, sessionTimeoutMs: 6_000 });
    closers.push(() => f.close());
    return f;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peil-feed-'));
    mock = await target.start();
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollIntervalMs: 10 });
    relay = testRelay(store, mock, dir, { clientId: 'feed-spec', batchSize: 7 });
    closers.push(() => relay.close());
    await relay.start();
  }, 15_000 + target.startupMs);
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await mock.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a projector fed from Kafka and one tailing the store build identical documents; a restarted reader resumes from its committed offsets', async () => {
    const group = `feed-spec-${randomUUID()}`;
    const projection = () => countingProjection('counting', 1, { recordEach: true });
    const fromKafka = new SqliteReadStore(join(dir, 'kafka.sqlite'));
    const fromStore = new SqliteReadStore(join(dir, 'store.sqlite'));
    closers.push(() => fromKafka.close(), () => fromStore.close());
    const kafkaFeeds = feeds(group);
    const kafkaProjector = new Projector(store, fromKafka, [projection()], { liveBufferMs: 10, source: kafkaFeeds.feed('counting') });
    const storeProjector = new Projector(store, fromStore, [projection()], { liveBufferMs: 10 });
    closers.push(() => kafkaProjector.stop(), () => storeProjector.stop());
    // Started on an empty ledger: every event reaches the Kafka-fed projector through the topics.
    await Promise.all([kafkaProjector.start(), storeProjector.start()]);

    await appendInterleaved(store, STREAMS, 30);
    await store.append('household-A', [newEvent(), newEvent(), newEvent()], 'any');
    await appendInterleaved(store, STREAMS, 12);
    const head = (await store.headPosition())!;
    await until(async () => (await fromKafka.checkpoint('counting')) === head, 20_000, 'the Kafka-fed projector to reach the head');
    await until(async () => (await fromStore.checkpoint('counting')) === head, 5_000, 'the store-tailing projector to reach the head');
    expect(kafkaProjector.failure).toBeUndefined();

    const documents = (readStore: SqliteReadStore) =>
      readStore.read(async (tx: ReadTx) => ({
        counts: await readCounts((fn) => fn(tx)),
        seen: await tx.all('counting_seen'),
      }));
    const built = await documents(fromKafka);
    expect(built.counts.totals).toMatchObject({ events: head, outOfOrder: 0 });
    expect(JSON.stringify(built)).toBe(JSON.stringify(await documents(fromStore)));

    // The projector committed (and told the feed) up to the head: a new subscription of the same
    // group starts after its committed offsets, and sees only what was appended since.
    await kafkaProjector.stop();
    await kafkaFeeds.close();
    await appendInterleaved(store, STREAMS, 9);
    const later = feeds(group).feed('counting');
    let fetched = 0;
    const next = await firstValueFrom(later.events(head).pipe(tap(() => (fetched = later.status().fetched)), take(9), toArray()));
    expect(next.map((e) => e.position)).toEqual((await allEvents(store)).filter((e) => e.position > head).map((e) => e.position));
    expect(fetched).toBe(9);
  }, 60_000 + target.startupMs);

  it('yields a ledger in exact order from the start, across topics and partitions, for a reader that never commits', async () => {
    await appendInterleaved(store, STREAMS, 25);
    const ledger = await allEvents(store);
    const feed = feeds(`feed-spec-${randomUUID()}`).feed('reader');
    const events = await firstValueFrom(feed.events(null).pipe(take(ledger.length), toArray()));
    expect(events).toEqual(ledger);
    expect(new Set(ledger.map((e) => e.streamId)).size).toBe(STREAMS.length);
  }, 30_000 + target.startupMs);
});
