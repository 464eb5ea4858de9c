import { kafkaTargets, startKafkaMock, type KafkaMock, type KafkaTarget } from '@peil/testing';
import { dedupedByKey, idsByKey, ledgerByStream, startCollector, type Collector } from './testing/kafka-collector';
import { useKafkaLedger } from './testing/kafka-ledger.fixture';
import { allEvents, appendInterleaved, until } from './testing/ledger-events';
import { testRelay } from './testing/test-relay';

/**
 * "a broker outage delays publication but loses and reorders nothing per stream", on a
 * real Kafka-protocol broker. Two outages: a cluster that dies and is replaced by a new one (the
 * relay is restarted with the new bootstrap servers, from its checkpoint), and a cluster that hangs
 * and comes back on the same addresses (the same relay reconnects by itself). The first runs on a
 * Kafka container too where a Docker engine exists (0017); the second needs the mock's SIGSTOP.
 */
const STREAMS = ['household-A', 'household-B', 'assets-A', 'session-S', 'grant-G'];
const RETRY = { initialMs: 100, maxMs: 400 };
/** Short request timeouts: a hung broker must show as failed requests within the test. */
const relayOptions = { batchSize: 4, retry: RETRY, pollIntervalMs: 50, requestTimeoutMs: 800 };

describe.each(kafkaTargets('kafka-outage.int'))('OutboundRelay across a lost broker ($name)', (target: KafkaTarget) => {
  const ctx = useKafkaLedger(null, 'peil-relay-outage-');

  it('cluster lost while events are posted, new cluster started: every event reaches a topic, in stream order per key, none missing', async () => {
    const { store, track } = ctx;
    const a = track(await target.start());
    const onA: Collector = track(await startCollector(a.brokers));
    const failures: number[] = [];
    const first = track(testRelay(store, a, ctx.dir, { ...relayOptions, onError: (_e, n) => failures.push(n) }));
    await first.start();
    await appendInterleaved(store, STREAMS, 15);
    await until(() => first.status().checkpoint === 15, 10_000, 'relay on cluster A');
    await onA.waitFor((await allEvents(store)).map((e) => e.eventId), 15_000);
    await onA.stop();

    // Outage: cluster A is gone for good, events keep being posted.
    await a.stop();
    for (let i = 0; i < 10; i++) {
      await appendInterleaved(store, STREAMS, 1);
      await new Promise((r) => setTimeout(r, 40));
    }
    await until(() => failures.length >= 3, 10_000, 'relay to fail and back off');
    // The batch read first after the outage began is the one retried, whatever its size.
    expect(first.status()).toMatchObject({ state: expect.stringMatching(/backing-off|publishing/), checkpoint: 15 });
    expect(first.status().inFlight).toBeGreaterThanOrEqual(1);
    expect(first.status().lastError).toMatch(/connect|Connection/i);
    expect(await first.lag()).toBe(10);

    // The operator replaces the cluster: a new one (new ports), the relay restarted with its address.
    const b = track(await target.start());
    const onB = track(await startCollector(b.brokers));
    await first.close();
    // Same data dir, so the same checkpoint file: it resumes where the first one stopped.
    const second = track(testRelay(store, b, ctx.dir, relayOptions));
    await second.start();
    await appendInterleaved(store, STREAMS, 7);
    await until(() => second.status().checkpoint === 32, 10_000, 'relay on cluster B');

    const ledger = await allEvents(store);
    await onB.waitFor(ledger.filter((e) => e.position > 15).map((e) => e.eventId), 15_000);
    // Resumed from its checkpoint: B got what A had not acknowledged, not a replay of the whole ledger.
    expect(Math.min(...onB.received.map((r) => Number(r.headers.position)))).toBe(16);
    expect(idsByKey(dedupedByKey(onA.received, onB.received))).toEqual(idsByKey(ledgerByStream(ledger)));
  }, 30_000 + 2 * target.startupMs);
});

describe('OutboundRelay across a hung broker (mock cluster: SIGSTOP freezes it on its addresses)', () => {
  const ctx = useKafkaLedger(null, 'peil-relay-outage-');

  it('cluster hangs while events are posted, then comes back: the same relay reconnects and delivers, in order per key', async () => {
    const { store, track } = ctx;
    const mock: KafkaMock = track(await startKafkaMock());
    const failures: number[] = [];
    const relay = track(testRelay(store, mock, ctx.dir, { ...relayOptions, onError: (_e, n) => failures.push(n) }));
    await relay.start();
    await appendInterleaved(store, STREAMS, 10);
    await until(() => relay.status().checkpoint === 10, 10_000, 'relay before the outage');

    mock.pause();
    try {
      await appendInterleaved(store, STREAMS, 10);
      await until(() => failures.length >= 2, 15_000, 'requests to time out');
      expect(relay.status().checkpoint).toBe(10);
    } finally {
      mock.resume();
    }
    await appendInterleaved(store, STREAMS, 5);
    await until(() => relay.status().checkpoint === 25, 15_000, 'relay to reconnect and catch up');

    // Timed-out requests may still have been written once the broker woke: duplicates, never gaps or reordering.
    const ledger = await allEvents(store);
    const consumer = track(await startCollector(mock.brokers));
    await consumer.waitFor(ledger.map((e) => e.eventId), 15_000);
    expect(idsByKey(dedupedByKey(consumer.received))).toEqual(idsByKey(ledgerByStream(ledger)));
  }, 30_000);
});
