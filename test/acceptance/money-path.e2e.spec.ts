import { get, post, removeDir, startSystem, type RunningSystem } from '@peil/testing';
import { enrolment } from './fixtures';
import { accepted, budgetLine, enrolledHousehold, ev, head, peilGrant, rejectedWith, uniq } from './programme';

/** Issue 3's scenario over HTTP: from assessment to an asset in the participant's hands, every dollar on the grant. */
describe('package and money path', () => {
  let system: RunningSystem;
  const grant = peilGrant();
  const assets = grant.lines.assets!;
  const SEW = uniq('SEW');
  const IRON = uniq('IRON');

  beforeAll(async () => {
    system = await startSystem();
    await accepted(system, 'grant', [grant.event], 'finance');
    await accepted(system, 'asset-transfer', [
      ev('AssetCatalogueItemApproved', { itemCode: SEW, name: 'Sewing machine (semi-industrial)', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 }),
      ev('AssetCatalogueItemApproved', { itemCode: IRON, name: 'Steam iron', category: 'sewing-embroidery', unitCostCeilingMinor: 4_000 }),
    ]);
    await accepted(system, 'assessment', [ev('MarketAssessmentCompleted', { assessmentId: uniq('MA'), governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring', 'food-processing'] })]);
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  it('commits a plan, spends a delivery in LBP, and leaves nothing committed', async () => {
    const before = await budgetLine(system, assets);
    const householdId = await enrolledHousehold(system);
    const planId = uniq('PLAN');
    await accepted(system, 'assessment', [ev('LivelihoodPlanApproved', { householdId, planId, sector: 'tailoring', assetKit: [{ itemCode: SEW, quantity: 1 }], trainingModules: ['business-development', 'financial-literacy'], coachingSessions: 6 })], 'supervisor');
    expect(await budgetLine(system, assets)).toMatchObject({ committedMinor: before.committedMinor + 35_000, spentMinor: before.spentMinor });

    const deliveryId = uniq('DLV');
    const [delivered] = await accepted(system, 'asset-transfer', [
      ev('AssetDelivered', { deliveryId, householdId, itemCode: SEW, quantity: 1, serialNumbers: ['JY-2291-A'], unitCostMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500', supplier: 'Al Mina Sewing Supplies', invoiceRef: 'INV-2025-0142' }),
    ]);
    const line = await budgetLine(system, assets);
    expect(line).toMatchObject({ spentMinor: before.spentMinor + 3240, committedMinor: before.committedMinor });
    expect(line.remainingMinor).toBe(line.allocationMinor - line.committedMinor - line.spentMinor);

    await accepted(system, 'asset-transfer', [ev('AssetReceiptAcknowledged', { deliveryId, method: 'signature' }), ev('AssetVerified', { deliveryId, status: 'in-use' })]);
    const state = await get(system, `/asset-transfer/households/${householdId}`, 'ngo');
    expect(state.body.deliveries[0]).toMatchObject({ deliveryId, acknowledged: { method: 'signature' }, latestVerification: 'in-use', totalUsdMinor: 3240 });

    const expenditures = await get(system, `/grant/expenditures?budgetLine=${assets}`, 'finance');
    const list = Array.isArray(expenditures.body) ? expenditures.body : expenditures.body.expenditures;
    expect(list.filter((x: { relatedEventId?: string }) => x.relatedEventId === delivered!.eventId)).toHaveLength(1);
  });

  it('rejects plans that break a rule, with a code, writing nothing', async () => {
    const householdId = await enrolledHousehold(system);
    const plan = (over: Record<string, unknown>) => ev('LivelihoodPlanApproved', { householdId, planId: uniq('PLAN'), sector: 'tailoring', assetKit: [{ itemCode: SEW, quantity: 1 }], trainingModules: [], coachingSessions: 0, ...over });
    const withdrawn = await enrolledHousehold(system);
    await accepted(system, 'enrolment', [ev('HouseholdWithdrawn', { householdId: withdrawn, reason: 'moved to Beirut' })]);
    const committed = (await budgetLine(system, assets)).committedMinor;
    const position = await head(system);
    expect(await rejectedWith(system, 'assessment', plan({ householdId: withdrawn }))).toBe('household_inactive');
    expect(await rejectedWith(system, 'assessment', plan({ sector: 'painting' }))).toBe('sector_not_viable');
    expect(await rejectedWith(system, 'assessment', plan({ assetKit: [{ itemCode: 'NO-SUCH-ITEM', quantity: 1 }] }))).toBe('unknown_catalogue_item');
    expect(await rejectedWith(system, 'assessment', plan({ assetKit: [{ itemCode: SEW, quantity: 3 }] }))).toBe('asset_ceiling_exceeded');
    expect(await head(system)).toBe(position);
    expect((await budgetLine(system, assets)).committedMinor).toBe(committed);
  });

  it('rejects a plan whose kit the assets line cannot hold (insufficient_funds), writing nothing; the same plan passes once funds are free', async () => {
    const householdId = await enrolledHousehold(system);
    const blocker = uniq('PO');
    const line = await budgetLine(system, assets);
    await accepted(system, 'grant', [ev('FundsCommitted', { commitmentId: blocker, budgetLine: assets, amountMinor: line.remainingMinor - 10_000, reference: 'held by the spec' })], 'finance');
    const planned = ev('LivelihoodPlanApproved', { householdId, planId: uniq('PLAN'), sector: 'tailoring', assetKit: [{ itemCode: SEW, quantity: 1 }], trainingModules: [], coachingSessions: 0 });
    const position = await head(system);
    expect(await rejectedWith(system, 'assessment', planned, 'supervisor')).toBe('insufficient_funds');
    expect(await head(system)).toBe(position);
    expect((await get(system, `/assessment/households/${householdId}`, 'ngo')).body.plan).toBeNull();

    await accepted(system, 'grant', [ev('CommitmentReleased', { commitmentId: blocker, amountMinor: line.remainingMinor - 10_000 })], 'finance');
    await accepted(system, 'assessment', [planned], 'supervisor');
    expect((await budgetLine(system, assets)).committedMinor).toBe(line.committedMinor + 35_000);
  });

  it('rejects deliveries that break a rule, with a code, writing nothing', async () => {
    const householdId = await enrolledHousehold(system);
    const planId = uniq('PLAN');
    await accepted(system, 'assessment', [ev('LivelihoodPlanApproved', { householdId, planId, sector: 'tailoring', assetKit: [{ itemCode: SEW, quantity: 1 }], trainingModules: [], coachingSessions: 0 })]);
    const delivery = (over: Record<string, unknown>) => ev('AssetDelivered', { deliveryId: uniq('DLV'), householdId, itemCode: SEW, quantity: 1, unitCostMinor: 30_000, currency: 'USD', supplier: 'Supplier', invoiceRef: 'INV-9', ...over });
    const position = await head(system);
    expect(await rejectedWith(system, 'asset-transfer', delivery({ itemCode: IRON }))).toBe('item_not_in_plan');
    expect(await rejectedWith(system, 'asset-transfer', delivery({ quantity: 2 }))).toBe('quantity_exceeds_plan');
    expect(await rejectedWith(system, 'asset-transfer', delivery({ unitCostMinor: 35_001 }))).toBe('unit_cost_above_ceiling');
    expect(await rejectedWith(system, 'asset-transfer', delivery({ householdId: 'HH-nobody' }))).toBe('household_not_found');
    expect(await head(system)).toBe(position);
  });

  it('links every delivery to exactly one expenditure, and the reconciliation says so', async () => {
    const res = await get(system, '/grant/reconciliation', 'auditor');
    expect(res.status).toBe(200);
    expect(res.body.deliveriesWithoutExpenditure).toEqual([]);
    expect(res.body.expendituresWithoutDelivery).toEqual([]);
    expect(res.body.totals.deliveriesUsdMinor).toBe(res.body.totals.assetsLineSpentMinor);
    const line = await budgetLine(system, assets);
    expect(res.body.totals.assetsLineSpentMinor).toBe(line.spentMinor);
  });

  it('keeps districts written in Arabic apart: each plan is checked against its own district\'s market', async () => {
    const halba = uniq('MA-HALBA');
    const minieh = uniq('MA-MINIEH');
    await accepted(system, 'assessment', [
      ev('MarketAssessmentCompleted', { assessmentId: halba, governorate: 'عكار', district: 'حلبا', viableSectors: ['tailoring'] }),
      ev('MarketAssessmentCompleted', { assessmentId: minieh, governorate: 'الشمال', district: 'المنية', viableSectors: ['agriculture'] }),
    ]);
    const market = await get(system, `/assessment/markets/${encodeURIComponent('حلبا')}`, 'ngo');
    expect(market.status).toBe(200);
    expect(JSON.stringify(market.body)).toContain(halba);
    expect(JSON.stringify(market.body)).not.toContain(minieh);

    const household = async (governorate: string, district: string) => {
      const e = enrolment({ governorate, district });
      e.occurredAt = '2025-09-01T09:00:00+03:00';
      await accepted(system, 'enrolment', [e]);
      const householdId = e.data.householdId as string;
      await accepted(system, 'assessment', [ev('SkillsProfileRecorded', { householdId, skills: ['sewing'], yearsExperience: 3, preferredSector: 'tailoring' })]);
      return householdId;
    };
    const plan = (householdId: string) => ev('LivelihoodPlanApproved', { householdId, planId: uniq('PLAN'), sector: 'tailoring', assetKit: [{ itemCode: IRON, quantity: 1 }], trainingModules: [], coachingSessions: 0 });
    await accepted(system, 'assessment', [plan(await household('عكار', 'حلبا'))], 'supervisor');
    expect(await rejectedWith(system, 'assessment', plan(await household('الشمال', 'المنية')), 'supervisor')).toBe('sector_not_viable');
  });

  it('refuses the IATI report with 503 while no reporting organisation is configured', async () => {
    const res = await get(system, '/reports/iati', 'donor');
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).toContain('iati_not_configured');
  });

  it('refuses a grant expenditure from an ngo key', async () => {
    const res = await post(system, '/grant/events', { events: [ev('ExpenditureRecorded', { expenditureId: uniq('EXP'), budgetLine: assets, amountMinor: 100, currency: 'USD', payee: 'x', documentRef: 'y' })] }, 'ngo');
    expect(res.status).toBe(403);
  });
});
