import { join } from 'node:path';
import { SqliteEventStore, type StoredEvent } from '@peil/ledger';
import { kafkaEnv, kafkaTargets, post, removeDir, startSystem, type RunningSystem } from '@peil/testing';
import { dedupedByKey, idsByKey, ledgerByStream, startCollector, type Collector } from '../../libs/messaging/src/testing/kafka-collector';
import { enrolment } from './fixtures';

/**
 * Issue 6, outbound relay on the running system: with PEIL_BUS=kafka the ledger service publishes
 * every committed event to `peil.<context>.events` — on the mock cluster here, and on a real Kafka
 * container too where a Docker engine exists (0017).
 */
describe.each(kafkaTargets('kafka-relay.e2e'))('outbound relay hosted by the ledger service ($name)', (target) => {
  let system: RunningSystem | undefined;
  let store: SqliteEventStore | undefined;
  const cleanup: Array<() => Promise<unknown>> = [];
  const track = <T>(thing: T, close: (t: T) => Promise<unknown>): T => {
    cleanup.push(() => close(thing));
    return thing;
  };

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
    await store?.close();
    store = undefined;
    if (system) {
      await system.stop();
      removeDir(system.dataDir);
      system = undefined;
    }
  });

  const enrol = async (running: RunningSystem, submission = enrolment()) => {
    const res = await post(running, '/enrolment/events', { events: [submission] });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ status: 'accepted' });
    return { submission, result: res.body.results[0] };
  };
  const ledger = async (): Promise<StoredEvent[]> => store!.readAll(null, 1_000_000);

  it('publishes an event posted over HTTP on peil.enrolment.events, keyed by its stream, with eventId, type, position, hash and prevPosition', async () => {
    const mock = track(await target.start(), (m) => m.stop());
    const collector: Collector = track(await startCollector(mock.brokers), (c) => c.stop());
    system = await startSystem({ env: kafkaEnv(mock) });
    store = new SqliteEventStore(join(system.dataDir, 'ledger.sqlite'));

    const { submission, result } = await enrol(system);
    await collector.waitFor([submission.eventId], 15_000);
    const message = collector.received.find((r) => r.headers.eventId === submission.eventId)!;
    const previous = (await ledger()).filter((e) => e.position < result.position).pop();
    expect(message.topic).toBe('peil.enrolment.events');
    expect(message.key).toBe(result.streamId);
    expect(message.headers).toEqual({
      eventId: submission.eventId,
      type: 'HouseholdEnrolled',
      position: String(result.position),
      hash: result.hash,
      prevPosition: previous ? String(previous.position) : '',
    });
    expect(message.event).toMatchObject({ streamId: result.streamId, revision: result.revision, position: result.position, hash: result.hash });
  }, 60_000 + target.startupMs);

  it('cluster lost while events are posted, new cluster started: once the relay is pointed at it, every event is on its topic, in stream order per key, none missing', async () => {
    const a = track(await target.start(), (m) => m.stop());
    const onA = track(await startCollector(a.brokers), (c) => c.stop());
    system = await startSystem({ env: kafkaEnv(a) });
    const dataDir = system.dataDir;
    store = new SqliteEventStore(join(dataDir, 'ledger.sqlite'));
    // Several events per stream: a household enrolled, then its participant replaced.
    const households: string[] = [];
    const replace = async (running: RunningSystem, householdId: string) => {
      const res = await post(running, '/enrolment/events', {
        events: [{ ...enrolment(), type: 'ParticipantReplaced', data: { householdId, reason: 'nominated', participant: enrolment().data.participant } }],
      });
      expect(res.body.results[0]).toMatchObject({ status: 'accepted' });
    };
    for (let i = 0; i < 4; i++) households.push((await enrol(system)).submission.data.householdId);
    await onA.waitFor((await ledger()).map((e) => e.eventId), 15_000);

    // Outage: the cluster is gone for good; the ledger keeps accepting (it is the outbox).
    await onA.stop();
    await a.stop();
    for (const householdId of households) await replace(system, householdId);
    for (let i = 0; i < 3; i++) households.push((await enrol(system)).submission.data.householdId);

    // The operator replaces the cluster (new addresses) and restarts the system pointed at it;
    // the relay resumes from its checkpoint, so nothing posted during the outage is lost.
    const b = track(await target.start(), (m) => m.stop());
    const onB = track(await startCollector(b.brokers), (c) => c.stop());
    await system.stop();
    system = await startSystem({ dataDir, env: kafkaEnv(b) });
    for (const householdId of households.slice(0, 2)) await replace(system, householdId);

    const all = await ledger();
    const acknowledgedByA = new Set(onA.received.map((r) => r.headers.eventId));
    await onB.waitFor(all.filter((e) => !acknowledgedByA.has(e.eventId)).map((e) => e.eventId), 20_000);
    expect(idsByKey(dedupedByKey(onA.received, onB.received))).toEqual(idsByKey(ledgerByStream(all)));
    expect(all.filter((e) => e.type === 'ParticipantReplaced')).toHaveLength(4 + 2);
  }, 90_000 + 2 * target.startupMs);
});
