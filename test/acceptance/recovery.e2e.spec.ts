import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore, type NewEvent } from '@peil/ledger';
import { get, removeDir, startSystem, type RunningSystem } from '@peil/testing';
import { accepted, budgetLine, enrolledHousehold, ev, peilGrant, uniq } from './programme';

/**
 * A crash between the two steps of a cross-context flow, staged exactly: with the system stopped,
 * the first step's event is written to the ledger and the second is not. After a restart the
 * process managers must complete (delivery → expenditure, withdrawal → release) or compensate
 * (a commitment whose plan never arrived → release), and nothing may be counted twice.
 */
describe('recovery of cross-context flows after a crash between steps', () => {
  const grant = peilGrant();
  const assets = grant.lines.assets!;
  const SEW = uniq('SEW');
  const fast = { PEIL_RECOVERY_INTERVAL_MS: '200', PEIL_FLOW_GRACE_SECONDS: '1' };
  let system: RunningSystem;

  afterAll(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  const raw = (type: string, data: Record<string, unknown>, recordedAt: string): NewEvent => ({
    eventId: randomUUID(), type, schemaVersion: 1, occurredAt: '2025-10-01T09:00:00+03:00', recordedAt, source: 'crash-test', actor: 'crash-test',
    correlationId: 'crash-test', causationId: null, data: data as NewEvent['data'], contentDigest: 'staged',
  });

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    let value = await read();
    for (let i = 0; i < 100 && !done(value); i++) {
      await new Promise((r) => setTimeout(r, 100));
      value = await read();
    }
    return value;
  }

  it('completes or compensates every interrupted flow after a restart', async () => {
    system = await startSystem({ env: fast });
    await accepted(system, 'grant', [grant.event], 'finance');
    await accepted(system, 'asset-transfer', [ev('AssetCatalogueItemApproved', { itemCode: SEW, name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 })]);
    await accepted(system, 'assessment', [ev('MarketAssessmentCompleted', { assessmentId: uniq('MA'), governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring'] })]);
    const plan = async () => {
      const householdId = await enrolledHousehold(system);
      await accepted(system, 'assessment', [ev('LivelihoodPlanApproved', { householdId, planId: uniq('PLAN'), sector: 'tailoring', assetKit: [{ itemCode: SEW, quantity: 1 }], trainingModules: [], coachingSessions: 0 })]);
      return householdId;
    };
    const delivered = await plan();
    const withdrawn = await plan();
    const before = await budgetLine(system, assets);
    expect(before.committedMinor).toBe(70_000);
    const dataDir = system.dataDir;
    await system.stop();

    // The crash: first steps in the ledger, second steps missing.
    const store = new SqliteEventStore(join(dataDir, 'ledger.sqlite'));
    const longAgo = new Date(Date.now() - 3_600_000).toISOString();
    const deliveryId = uniq('DLV');
    await store.append(`assets-${delivered}`, [raw('AssetDelivered', { deliveryId, householdId: delivered, itemCode: SEW, quantity: 1, unitCostMinor: 30_000, currency: 'USD', supplier: 'S', invoiceRef: 'I' }, longAgo)], 'any');
    await store.append(`household-${withdrawn}`, [raw('HouseholdWithdrawn', { householdId: withdrawn, reason: 'moved abroad' }, longAgo)], 'any');
    const orphanPlanEventId = randomUUID();
    await store.append(`grant-${grant.event.data.grantId}`, [raw('FundsCommitted', { commitmentId: uniq('orphan'), budgetLine: assets, amountMinor: 12_345, reference: `LivelihoodPlanApproved/${orphanPlanEventId}` }, longAgo)], 'any');
    await store.close();

    system = await startSystem({ dataDir, env: fast });
    const line = await until(() => budgetLine(system, assets), (l) => l.committedMinor === 0 && l.spentMinor === 30_000);
    // The delivery's expenditure was resumed (30,000 spent, its 35,000 commitment consumed), the
    // withdrawn household's 35,000 and the orphan's 12,345 released: nothing left committed.
    expect(line).toMatchObject({ committedMinor: 0, spentMinor: 30_000 });
    const reconciliation = await get(system, '/grant/reconciliation', 'auditor');
    expect(reconciliation.body.deliveriesWithoutExpenditure).toEqual([]);
    expect(reconciliation.body.deliveriesWithSeveralExpenditures).toEqual([]);

    // A second restart replays the same ledger and must not act again.
    const position = (await get(system, '/ledger/verify')).body.headPosition;
    await system.stop();
    system = await startSystem({ dataDir, env: fast });
    await new Promise((r) => setTimeout(r, 1500));
    const verify = await get(system, '/ledger/verify');
    expect(verify.body).toMatchObject({ ok: true, headPosition: position });
    expect(await budgetLine(system, assets)).toMatchObject({ committedMinor: 0, spentMinor: 30_000 });
  }, 120_000);
});
