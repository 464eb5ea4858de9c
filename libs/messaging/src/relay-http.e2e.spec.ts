import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import { post, removeDir, startKafkaMock, startSystem, type KafkaMock, type RunningSystem } from '@peil/testing';
import type { OutboundRelay } from './relay';
import { createRelayFromEnv } from './relay-from-env';
import { startCollector, type Collector } from './testing/kafka-collector';
import { until } from './testing/ledger-events';

/**
 * Acceptance of the outbound relay: an event posted over HTTP to the system `npm start` runs
 * appears on its Kafka topic with the documented headers. The relay is not wired into the services
 * yet, so it runs here, beside the system, on the same data dir — as a relay process would.
 */
describe('event posted over HTTP → peil.<context>.events (mock Kafka cluster)', () => {
  let system: RunningSystem;
  let mock: KafkaMock;
  let store: SqliteEventStore;
  let relay: OutboundRelay;
  let collector: Collector;

  beforeAll(async () => {
    [system, mock] = await Promise.all([startSystem(), startKafkaMock()]);
    collector = await startCollector(mock.brokers);
  }, 60_000);

  afterAll(async () => {
    await relay?.close();
    await collector?.stop();
    await store?.close();
    await mock?.stop();
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  it('publishes an accepted enrolment on peil.enrolment.events, keyed by its stream, with eventId, type, position and hash', async () => {
    const id = randomUUID().slice(0, 8);
    const submission = {
      eventId: randomUUID(),
      type: 'HouseholdEnrolled',
      occurredAt: '2026-03-01T09:00:00+02:00',
      source: 'rmf-mis',
      actor: 'field-officer-7',
      data: {
        householdId: `HH-${id}`,
        essnId: `ESSN-${id}`,
        governorate: 'North',
        district: 'Tripoli',
        sdcId: 'SDC-TRI-01',
        participant: { participantId: `P-${id}`, fullName: 'Rima Haddad', sex: 'F', birthDate: '1990-05-14', educationLevel: 'secondary' },
        consent: true,
      },
    };
    const res = await post(system, '/enrolment/events', { events: [submission] });
    expect(res.status).toBe(200);
    const [result] = res.body.results;
    expect(result).toMatchObject({ status: 'accepted' });

    store = new SqliteEventStore(join(system.dataDir, 'ledger.sqlite'));
    relay = createRelayFromEnv(
      { PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: mock.brokers.join(','), PEIL_KAFKA_IDEMPOTENT: 'false', PEIL_KAFKA_CREATE_TOPICS: 'false', PEIL_RELAY_RETRY_INITIAL_MS: '100' },
      store,
      system.dataDir,
    )!;
    await relay.start();
    await until(async () => (await relay.lag()) === 0, 10_000, 'relay to publish the ledger');

    await collector.waitFor([submission.eventId], 15_000);
    const message = collector.received.find((r) => r.headers.eventId === submission.eventId)!;
    expect(message.topic).toBe('peil.enrolment.events');
    expect(message.key).toBe(result.streamId);
    expect(message.headers).toEqual({ eventId: submission.eventId, type: 'HouseholdEnrolled', position: String(result.position), hash: result.hash });
    expect(message.event).toMatchObject({ streamId: result.streamId, revision: result.revision, position: result.position, hash: result.hash });
  }, 40_000);
});
