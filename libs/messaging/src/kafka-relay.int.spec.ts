import { canonicalJson, hashEnvelope, hashedPart, type Position } from '@peil/ledger';
import { kafkaTargets, startKafkaMock } from '@peil/testing';
import { OutboundRelay } from './relay';
import type { RelayCheckpointStore } from './relay-checkpoint.port';
import { relayCheckpointFile, SqliteRelayCheckpointStore } from './sqlite-relay-checkpoint-store';
import { topicForStream } from './topics';
import { dedupedByKey, idsByKey, ledgerByStream, startCollector, type Collector } from './testing/kafka-collector';
import { allEvents, appendInterleaved, newEvent, until } from './testing/ledger-events';
import { testPublisher } from './testing/test-relay';
import { useKafkaLedger } from './testing/kafka-ledger.fixture';

/**
 * The relay against a real Kafka-protocol broker — librdkafka's mock cluster run by kcat, and a Kafka
 * container too where a Docker engine exists (0017): no fakes between the ledger file and a consumer
 * group. Without kcat these fail, they do not skip.
 */
describe.each(kafkaTargets('kafka-relay.int'))('OutboundRelay → Kafka ($name)', (target) => {
  const ctx = useKafkaLedger(target, 'peil-relay-');
  let collector: Collector;
  beforeEach(async () => {
    collector = ctx.track(await startCollector(ctx.kafka.brokers));
  });

  it('publishes every committed event to peil.<context>.events, keyed by streamId, with eventId/type/position/hash headers', async () => {
    const { store, dir, kafka: mock } = ctx;
    const streams = ['household-HH-1', 'livelihood-HH-1', 'market-akkar-halba', 'assets-HH-1', 'session-S-1', 'evaluation-HH-1', 'grant-TF1', 'mystery-1'];
    await appendInterleaved(store, streams, 24);
    // Several events of one stream inside one batch: their order within the batch must survive too.
    await store.append('household-HH-1', [newEvent(), newEvent(), newEvent()], 'any');
    const relay = new OutboundRelay(store, testPublisher(mock), new SqliteRelayCheckpointStore(relayCheckpointFile(dir)), {
      batchSize: 5,
      retry: { initialMs: 100, maxMs: 1_000 },
      pollIntervalMs: 50,
    });
    ctx.defer(() => relay.close());
    await relay.start();
    // Live: appended after start, picked up without a restart.
    await appendInterleaved(store, streams, 8);
    const ledger = await allEvents(store);
    await until(() => relay.status().checkpoint === 35, 10_000, 'relay to reach the head');
    expect(await relay.lag()).toBe(0);

    await collector.waitFor(ledger.map((e) => e.eventId), 15_000);
    expect(collector.received).toHaveLength(ledger.length); // a healthy broker: no duplicates at all
    for (const r of collector.received) {
      const stored = ledger.find((e) => e.eventId === r.headers.eventId)!;
      expect(r.topic).toBe(topicForStream(stored.streamId));
      expect(r.key).toBe(stored.streamId);
      const previous = ledger[ledger.indexOf(stored) - 1];
      expect(r.headers).toEqual({
        eventId: stored.eventId,
        type: stored.type,
        position: String(stored.position),
        hash: stored.hash,
        prevPosition: previous ? String(previous.position) : '',
      });
      expect(r.event).toEqual(stored);
      // The value is the canonical envelope: a consumer recomputes the hash the verifier would.
      expect(canonicalJson(r.event)).toBe(canonicalJson(stored));
      expect(hashEnvelope(hashedPart(r.event))).toBe(r.headers.hash);
    }
    expect(new Set(collector.received.map((r) => r.topic))).toEqual(
      new Set(['enrolment', 'assessment', 'asset-transfer', 'training', 'evaluation', 'grant', 'other'].map((c) => `peil.${c}.events`)),
    );
    expect(idsByKey(dedupedByKey(collector.received))).toEqual(idsByKey(ledgerByStream(ledger)));
  }, 30_000 + target.startupMs);

  it('after a crash between acknowledgement and checkpoint, republishes that batch: deduped by eventId, exactly the ledger', async () => {
    const { store, dir, kafka: mock } = ctx;
    await appendInterleaved(store, ['household-A', 'household-B', 'grant-G'], 12);
    const file = relayCheckpointFile(dir);

    // First life: the second checkpoint save never completes — the process died right after the ack.
    const durable = new SqliteRelayCheckpointStore(file);
    ctx.defer(() => durable.close());
    let saves = 0;
    let reachedSecondSave!: () => void;
    const diedAtSave = new Promise<void>((resolve) => (reachedSecondSave = resolve));
    const dying: RelayCheckpointStore = {
      load: (name) => durable.load(name),
      save: (name: string, position: Position) => {
        saves += 1;
        if (saves < 2) return durable.save(name, position);
        reachedSecondSave();
        return new Promise<void>(() => undefined);
      },
      close: () => durable.close(),
    };
    const firstPublisher = testPublisher(mock);
    const first = new OutboundRelay(store, firstPublisher, dying, { batchSize: 5, retry: { initialMs: 100, maxMs: 1_000 } });
    expect(await first.runOnce()).toBe(5);
    void first.runOnce();
    await diedAtSave;
    // Dropped without stop(); a dead process's sockets close with it.
    await firstPublisher.close();
    expect(await durable.load('outbound')).toBe(5);

    // Second life: same checkpoint file, new connection, from position 5.
    const second = new OutboundRelay(store, testPublisher(mock), new SqliteRelayCheckpointStore(file), {
      batchSize: 5,
      retry: { initialMs: 100, maxMs: 1_000 },
    });
    ctx.defer(() => second.close());
    while ((await second.runOnce()) > 0);
    expect(await durable.load('outbound')).toBe(12);

    const ledger = await allEvents(store);
    await collector.waitFor(ledger.map((e) => e.eventId), 15_000);
    await new Promise((r) => setTimeout(r, 300)); // let any further copies arrive before counting
    // Positions 6–10 went out twice (the unacknowledged-by-checkpoint batch), nothing else did.
    const copies = new Map<string, number>();
    for (const r of collector.received) copies.set(r.headers.position, (copies.get(r.headers.position) ?? 0) + 1);
    expect([...copies.entries()].filter(([, n]) => n > 1).map(([p]) => Number(p)).sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10]);
    expect(collector.received).toHaveLength(ledger.length + 5);
    expect(idsByKey(dedupedByKey(collector.received))).toEqual(idsByKey(ledgerByStream(ledger)));
  }, 30_000 + target.startupMs);
});

describe('startKafkaMock', () => {
  it('fails with the install hint when kcat is missing, rather than skipping Kafka suites', async () => {
    // (jest gives each suite its own process.env, which child_process does not read: name the command instead.)
    await expect(startKafkaMock({ command: 'kcat-that-is-not-installed' })).rejects.toThrow('kcat not found: apt-get install -y kcat');
  });
});
