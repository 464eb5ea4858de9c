import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { StoredEvent } from '@peil/ledger';
import { KafkaLedgerFeeds } from '@peil/messaging';
import { kafkaTargets } from '@peil/testing';
import { newEvent, until } from '../../../messaging/src/testing/ledger-events';
import { testRelay } from '../../../messaging/src/testing/test-relay';
import { useKafkaLedger } from '../../../messaging/src/testing/kafka-ledger.fixture';
import { ManualClock } from '../clock/clock';
import { FollowUpRecovery, readerName } from './follow-up.recovery';

/**
 * The services' process manager on PEIL_SUBSCRIPTIONS=kafka: it follows the ledger through the
 * relay's topics (mock cluster; a Kafka container too where Docker is, 0017) instead of the store, and still completes exactly the flows whose
 * second step is missing — the ones completed in the ledger are seen as completed, through Kafka too.
 */
describe.each(kafkaTargets('follow-up.recovery.kafka.int'))('FollowUpRecovery on the Kafka feed ($name)', (target) => {
  const ctx = useKafkaLedger(target, 'peil-recovery-kafka-');

  // The recovery warns once per completed flow, which is the point of this test, not news.
  beforeAll(() => Logger.overrideLogger(false));

  it('completes the deliveries without an expenditure, and only those, from events read off the topics', async () => {
    const { store, dir, kafka: mock } = ctx;
    const relay = testRelay(store, mock, dir, { clientId: 'recovery-spec' });
    ctx.defer(() => relay.close());
    await relay.start();
    const feeds = new KafkaLedgerFeeds({ brokers: mock.brokers, clientId: 'recovery-spec', groupPrefix: `recovery-spec-${randomUUID()}`, maxWaitTimeMs: 50 });
    ctx.defer(() => feeds.close());

    // Test events are recorded at this instant: with the clock there, nothing is due until it moves.
    const clock = new ManualClock(new Date(newEvent().recordedAt));
    const resumed: string[] = [];
    const expenditure = (delivery: StoredEvent) => ({ ...newEvent('Expensed'), data: { relatedEventId: delivery.eventId } });
    const recovery = new FollowUpRecovery(
      store,
      clock,
      {
        name: 'delivery expenditure',
        needsFollowUp: (e) => e.type === 'Delivered',
        completes: (e) => (e.type === 'Expensed' ? (e.data as { relatedEventId: string }).relatedEventId : undefined),
        resume: async (e) => {
          resumed.push(e.eventId);
          await store.append(`grant-${e.streamId}`, [expenditure(e)], 'any');
        },
        graceMs: 1_000,
      },
      60_000,
      feeds,
    );
    ctx.defer(async () => recovery.stop());
    recovery.start();

    const lone: string[] = [];
    for (let i = 0; i < 12; i++) {
      const [delivered] = await store.append(`assets-${i % 4}`, [newEvent('Delivered')], 'any');
      const stored = (await store.findByEventId(delivered!.eventId))!;
      if (i % 3 === 0) lone.push(stored.eventId);
      else await store.append(`grant-assets-${i % 4}`, [expenditure(stored)], 'any');
    }
    await until(() => recovery.waiting === lone.length && feeds.feed(readerName('delivery expenditure')).status().position === 20, 20_000, 'recovery to read the ledger off Kafka');

    clock.advance(2_000);
    expect(await recovery.runOnce()).toBe(0);
    expect(resumed.sort()).toEqual([...lone].sort());
    // The completions travel back through the relay and the topics: nothing is left waiting, nothing resumed twice.
    await until(() => feeds.feed(readerName('delivery expenditure')).status().position === 24, 20_000, 'the completions to come back');
    expect(await recovery.runOnce()).toBe(0);
    expect(resumed).toHaveLength(lone.length);
    expect(feeds.feed(readerName('delivery expenditure')).status().fetched).toBeGreaterThanOrEqual(24);
  }, 40_000 + target.startupMs);
});
