import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { canonicalJson, SqliteEventStore } from '@peil/ledger';
import { KafkaLedgerFeeds } from '@peil/messaging';
import { Projector, SqliteReadStore } from '@peil/projections';
import { kafkaEnv, kafkaTargets, removeDir, startSystem, type RunningSystem, type TestKafka } from '@peil/testing';
import { until } from '../../libs/messaging/src/testing/ledger-events';
import { allProjections, REPORT_NAMES, render } from '@peil/reports';
import { accepted, enrolledHousehold, ev, peilGrant, uniq } from './programme';

/**
 * Issue 6, subscriptions on Kafka: the system runs with PEIL_BUS=kafka and PEIL_SUBSCRIPTIONS=kafka
 * (the services' reactions follow the relay's topics), and the report projections fed from Kafka
 * build byte-identical read models and reports to the same projections tailing the store. On the mock
 * cluster, and on a Kafka container too where a Docker engine exists (0017).
 */
describe.each(kafkaTargets('kafka-projection.e2e'))('subscriptions on Kafka ($name)', (target) => {
  let mock: TestKafka;
  let system: RunningSystem;
  let store: SqliteEventStore;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    mock = await target.start();
    system = await startSystem({
      env: {
        ...kafkaEnv(mock),
        PEIL_SUBSCRIPTIONS: 'kafka',
        PEIL_KAFKA_SESSION_TIMEOUT_MS: '6000',
      },
    });
    store = new SqliteEventStore(join(system.dataDir, 'ledger.sqlite'), { pollIntervalMs: 20 });
  }, 60_000 + target.startupMs);

  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await store?.close();
    await system?.stop();
    await mock?.stop();
    if (system) removeDir(system.dataDir);
  });

  it('report projections fed from Kafka and tailing the store give byte-identical read models and reports; the reactions run on Kafka', async () => {
    // Any deterministic reference will do: both sides use the same one.
    const householdRef = (householdId: string) => `HR-${householdId}`;
    const feeds = new KafkaLedgerFeeds({ brokers: mock.brokers, clientId: 'projection-spec', groupPrefix: `projection-spec-${randomUUID()}`, maxWaitTimeMs: 50 });
    const fromKafka = new SqliteReadStore(join(system.dataDir, 'spec-kafka.sqlite'));
    const fromStore = new SqliteReadStore(join(system.dataDir, 'spec-store.sqlite'));
    const kafkaProjector = new Projector(store, fromKafka, allProjections(householdRef), { liveBufferMs: 10, source: feeds.feed('reports') });
    const storeProjector = new Projector(store, fromStore, allProjections(householdRef), { liveBufferMs: 10 });
    closers.push(() => fromKafka.close(), () => fromStore.close(), () => feeds.close(), () => kafkaProjector.stop(), () => storeProjector.stop());
    await Promise.all([kafkaProjector.start(), storeProjector.start()]);
    const startedAt = (await store.headPosition()) ?? 0;

    const grant = peilGrant();
    const SEW = uniq('SEW');
    await accepted(system, 'grant', [grant.event], 'finance');
    await accepted(system, 'asset-transfer', [ev('AssetCatalogueItemApproved', { itemCode: SEW, name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 })]);
    await accepted(system, 'assessment', [ev('MarketAssessmentCompleted', { assessmentId: uniq('MA'), governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring'] })]);
    const households: string[] = [];
    for (let i = 0; i < 3; i++) {
      const householdId = await enrolledHousehold(system);
      households.push(householdId);
      await accepted(system, 'assessment', [ev('LivelihoodPlanApproved', { householdId, planId: uniq('PLAN'), sector: 'tailoring', assetKit: [{ itemCode: SEW, quantity: 1 }], trainingModules: ['financial-literacy'], coachingSessions: 2 })]);
      await accepted(system, 'evaluation', [ev('SurveyRecorded', { surveyId: uniq('SRV'), householdId, round: 'baseline', monthlyIncomeMinor: 10_000 * (i + 1), savingsMinor: 0, currency: 'USD', businessOperating: false, employed: i === 1 }, '2025-09-10T10:00:00+03:00')]);
    }
    for (const householdId of households.slice(0, 2)) {
      await accepted(system, 'asset-transfer', [ev('AssetDelivered', { deliveryId: uniq('DLV'), householdId, itemCode: SEW, quantity: 1, supplier: 'Supplier & Sons', invoiceRef: uniq('INV'), unitCostMinor: 33_000, currency: 'USD' }, '2025-10-15T10:00:00+03:00')]);
    }
    const session = ev('TrainingSessionHeld', { sessionId: uniq('SES'), module: 'financial-literacy', governorate: 'North', district: 'Tripoli', costMinor: 150_000, currency: 'USD' }, '2025-11-02T10:00:00+02:00');
    await accepted(system, 'training', [session, ...households.map((householdId) => ev('TrainingAttended', { sessionId: session.data.sessionId, householdId }))]);
    // The third household leaves before its kit is delivered: the assessment service's reaction,
    // reading the ledger off Kafka, releases its plan's commitment.
    await accepted(system, 'enrolment', [ev('HouseholdWithdrawn', { householdId: households[2], reason: 'moved' })]);
    await until(async () => (await store.readAll(null, 100_000)).some((e) => e.type === 'CommitmentReleased'), 30_000, 'the withdrawal reaction (on Kafka) to release the commitment');

    const names = allProjections(householdRef).map((p) => p.name);
    const at = async (readStore: SqliteReadStore, position: number) => (await Promise.all(names.map((n) => readStore.checkpoint(n)))).every((c) => c === position);
    // The reactions may still be appending (an expenditure, a release): wait for a head both sides reached.
    let head = 0;
    await until(
      async () => {
        head = (await store.headPosition())!;
        return (await at(fromKafka, head)) && (await at(fromStore, head)) && head === (await store.headPosition());
      },
      20_000,
      'the Kafka-fed and store-tailing projections to reach the head',
    );
    expect(kafkaProjector.failure).toBeUndefined();
    // Everything after the projectors started reached the Kafka-fed one through the topics.
    expect(feeds.feed('reports').status()).toMatchObject({ state: 'consuming', position: head, buffered: 0 });
    expect(feeds.feed('reports').status().fetched).toBeGreaterThanOrEqual(head - startedAt);

    const collections = allProjections(householdRef).flatMap((p) => [...p.collections]);
    const documents = (readStore: SqliteReadStore) =>
      readStore.read(async (tx) => canonicalJson(Object.fromEntries(await Promise.all(collections.map(async (c) => [c, await tx.all(c)] as const)))));
    const reports = (readStore: SqliteReadStore) =>
      readStore.read(async (tx) => {
        const [last] = await store.readAll(head - 1, 1);
        const ctx = { ledgerPosition: head, asOfTime: last!.recordedAt, treeSize: 0, rootHash: '', iatiPublisher: { ref: 'LB-COA-1234', type: '22', name: 'René Moawad Foundation' } };
        return Promise.all(REPORT_NAMES.map(async (name) => (await render(name, tx, ctx, canonicalJson)).body));
      });
    const kafkaDocuments = await documents(fromKafka);
    expect(kafkaDocuments.length).toBeGreaterThan(1_000);
    expect(kafkaDocuments).toBe(await documents(fromStore));
    expect(await reports(fromKafka)).toEqual(await reports(fromStore));
  }, 120_000);
});
