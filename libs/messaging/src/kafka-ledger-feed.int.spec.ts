import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { firstValueFrom, take, tap, toArray } from 'rxjs';
import { Projector, SqliteReadStore, type ReadTx } from '@peil/projections';
import { countingProjection, readCounts } from '../../projections/src/testing/counting.projection';
import { kafkaTargets } from '@peil/testing';
import { KafkaLedgerFeeds } from './kafka-ledger-feed';
import type { OutboundRelay } from './relay';
import { allEvents, appendInterleaved, newEvent, until } from './testing/ledger-events';
import { testRelay } from './testing/test-relay';
import { useKafkaLedger } from './testing/kafka-ledger.fixture';

/**
 * KafkaLedgerFeed against the mock cluster (and a Kafka container where Docker is, 0017), fed by
 * the real relay: events of every context, spread over seven topics and their partitions, come back
 * in exact ledger order; a projector fed from
 * Kafka builds the same documents as one tailing the store; a restarted reader resumes from the
 * offsets it committed. Consumer groups on the mock take ~3 s to join, so groups are few.
 */
const STREAMS = ['household-A', 'livelihood-A', 'market-m', 'assets-A', 'session-S', 'participation-A', 'evaluation-A', 'grant-G', 'mystery-1'];

describe.each(kafkaTargets('kafka-ledger-feed.int'))('KafkaLedgerFeed ($name, real relay)', (target) => {
  const ctx = useKafkaLedger(target, 'peil-feed-');
  let relay: OutboundRelay;
  const feeds = (groupPrefix: string) =>
    ctx.track(new KafkaLedgerFeeds({ brokers: ctx.kafka.brokers, clientId: 'feed-spec', groupPrefix, maxWaitTimeMs: 50, connectionTimeoutMs: 1_000, sessionTimeoutMs: 6_000 }));

  beforeEach(async () => {
    relay = ctx.track(testRelay(ctx.store, ctx.kafka, ctx.dir, { clientId: 'feed-spec', batchSize: 7 }));
    await relay.start();
  });

  it('a projector fed from Kafka and one tailing the store build identical documents; a restarted reader resumes from its committed offsets', async () => {
    const { store, dir } = ctx;
    const group = `feed-spec-${randomUUID()}`;
    const projection = () => countingProjection('counting', 1, { recordEach: true });
    const fromKafka = new SqliteReadStore(join(dir, 'kafka.sqlite'));
    const fromStore = new SqliteReadStore(join(dir, 'store.sqlite'));
    ctx.defer(() => fromKafka.close(), () => fromStore.close());
    const kafkaFeeds = feeds(group);
    const kafkaProjector = new Projector(store, fromKafka, [projection()], { liveBufferMs: 10, source: kafkaFeeds.feed('counting') });
    const storeProjector = new Projector(store, fromStore, [projection()], { liveBufferMs: 10 });
    ctx.defer(() => kafkaProjector.stop(), () => storeProjector.stop());
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
    const { store } = ctx;
    await appendInterleaved(store, STREAMS, 25);
    const ledger = await allEvents(store);
    const feed = feeds(`feed-spec-${randomUUID()}`).feed('reader');
    const events = await firstValueFrom(feed.events(null).pipe(take(ledger.length), toArray()));
    expect(events).toEqual(ledger);
    expect(new Set(ledger.map((e) => e.streamId)).size).toBe(STREAMS.length);
  }, 30_000 + target.startupMs);
});
