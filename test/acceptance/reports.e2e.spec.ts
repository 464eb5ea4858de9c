import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post, removeDir, repoRoot, startSystem, type RunningSystem } from '@peil/testing';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { IATI_PUBLISHER_ENV } from './fixtures';
import { accepted, budgetLine, enrolledHousehold, ev, head, peilGrant, uniq } from './programme';

/** Issue 5: donor reports that reconcile with the ledger and reproduce byte for byte. */
describe('reports', () => {
  let system: RunningSystem;
  const grant = peilGrant();
  const SEW = uniq('SEW');
  const OVEN = uniq('OVEN');
  const names = ['Hiba Khoury', 'Ahmad Saleh', 'Maya Fares'];

  async function raw(path: string, role = 'donor'): Promise<{ status: number; text: string; position: string | null; type: string | null }> {
    const res = await fetch(`${system.baseUrl}${path}`, { headers: { authorization: `Bearer ${system.keys[role]}` } });
    // Decoded keeping a byte-order mark: Response.text() drops it, and whether it is there is under test.
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    return { status: res.status, text, position: res.headers.get('x-ledger-position'), type: res.headers.get('content-type') };
  }

  const cli = (...args: string[]) => execFileSync(process.execPath, [join(repoRoot, 'bin', 'peil-ledger.js'), ...args], { env: { ...process.env, ...IATI_PUBLISHER_ENV, PEIL_DATA_DIR: system.dataDir }, encoding: 'utf8' });

  beforeAll(async () => {
    system = await startSystem({ env: IATI_PUBLISHER_ENV });
    await accepted(system, 'grant', [grant.event], 'finance');
    await accepted(system, 'asset-transfer', [
      ev('AssetCatalogueItemApproved', { itemCode: SEW, name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 }),
      ev('AssetCatalogueItemApproved', { itemCode: OVEN, name: 'Bakery oven', category: 'cooking', unitCostCeilingMinor: 60_000 }),
    ]);
    await accepted(system, 'assessment', [ev('MarketAssessmentCompleted', { assessmentId: uniq('MA'), governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring', 'food-processing'] })]);
    for (const [i, fullName] of names.entries()) {
      const householdId = await enrolledHousehold(system);
      await post(system, '/enrolment/events', { events: [ev('ParticipantReplaced', { householdId, reason: 'nominated by the household', participant: { participantId: uniq('P'), fullName, sex: i % 2 ? 'M' : 'F', birthDate: '1985-03-03', educationLevel: 'secondary', phone: '+961 71 000111' } })] });
      const item = i === 2 ? OVEN : SEW;
      await accepted(system, 'assessment', [ev('LivelihoodPlanApproved', { householdId, planId: uniq('PLAN'), sector: i === 2 ? 'food-processing' : 'tailoring', assetKit: [{ itemCode: item, quantity: 1 }], trainingModules: ['financial-literacy'], coachingSessions: 2 })]);
      const paid = i === 0 ? { unitCostMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500' } : { unitCostMinor: i === 2 ? 55_000 : 33_000, currency: 'USD' };
      await accepted(system, 'asset-transfer', [ev('AssetDelivered', { deliveryId: uniq('DLV'), householdId, itemCode: item, quantity: 1, supplier: 'Supplier & Sons <Tripoli>', invoiceRef: `INV-${i}`, ...paid }, '2025-10-15T10:00:00+03:00')]);
      const session = ev('TrainingSessionHeld', { sessionId: uniq('SES'), module: 'financial-literacy', governorate: 'North', district: 'Tripoli', costMinor: 4_475_000, currency: 'LBP', fxRateToUsd: '89500' }, '2025-11-02T10:00:00+02:00');
      await accepted(system, 'training', [session, ev('TrainingAttended', { sessionId: session.data.sessionId, householdId })]);
      await accepted(system, 'evaluation', [ev('SurveyRecorded', { surveyId: uniq('SRV'), householdId, round: 'baseline', monthlyIncomeMinor: 10_000 * (i + 1), savingsMinor: 0, currency: 'USD', businessOperating: false, employed: i === 1 }, '2025-09-10T10:00:00+03:00')]);
    }
    const management = { expenditureId: uniq('EXP'), budgetLine: grant.lines.management!, amountMinor: 120_000, currency: 'USD', payee: 'Audit firm', documentRef: 'INV-A-1' };
    await accepted(system, 'grant', [
      ev('ExpenditureRecorded', management, '2025-11-20T10:00:00+02:00'),
      ev('ExpenditureRecorded', { ...management, expenditureId: uniq('EXP'), amountMinor: 50_000 }, '2025-11-21T10:00:00+02:00'),
    ], 'finance');
    await accepted(system, 'grant', [ev('ExpenditureReversed', { expenditureId: management.expenditureId, reason: 'duplicate invoice' }, '2025-12-01T10:00:00+02:00')], 'finance');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  it('states totals that equal the grant ledger to the cent', async () => {
    const statement = JSON.parse((await raw('/reports/grant-statement?period=2025Q4')).text);
    expect(statement).toMatchObject({ report: 'grant-statement', period: '2025Q4', currency: 'USD' });
    expect(statement.ledgerPosition).toBe(await head(system));
    const [g] = statement.grants;
    for (const component of g.components) {
      for (const line of component.budgetLines) {
        const books = await budgetLine(system, line.code);
        expect({ code: line.code, allocationMinor: line.allocationMinor, committedMinor: line.committedMinor, spentCumulativeMinor: line.spentCumulativeMinor, remainingMinor: line.remainingMinor })
          .toEqual({ code: line.code, allocationMinor: books.allocationMinor, committedMinor: books.committedMinor, spentCumulativeMinor: books.spentMinor, remainingMinor: books.remainingMinor });
      }
    }
    const management = g.components.flatMap((c: any) => c.budgetLines).find((l: any) => l.code === grant.lines.management);
    expect(management).toMatchObject({ spentPeriodMinor: 50_000, spentCumulativeMinor: 50_000 });
    expect(g.totals.allocationMinor).toBe(270_700_000);
  });

  it('lists every delivery in the asset register, totalling the assets line spent, as JSON and CSV', async () => {
    const register = JSON.parse((await raw('/reports/asset-register')).text);
    expect(register.rows).toHaveLength(3);
    expect(register.totals.totalUsdMinor).toBe((await budgetLine(system, grant.lines.assets!)).spentMinor);
    expect(register.totals.totalUsdMinor).toBe(3240 + 33_000 + 55_000);
    expect(register.rows.every((r: any) => r.expenditureId !== null && /^HR-/.test(r.householdRef))).toBe(true);
    const csv = await raw('/reports/asset-register?format=csv');
    expect(csv.type).toMatch(/^text\/csv/);
    // A byte-order mark first, so that Excel reads the file as UTF-8; ?bom=false for machines.
    expect(csv.text.startsWith('\uFEFF')).toBe(true);
    const lines = csv.text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('deliveryId,householdRef,governorate,district,itemCode,itemName,category,quantity,serialNumbers,unitCostMinor,currency,fxRateToUsd,unitCostUsdMinor,totalUsdMinor,supplier,invoiceRef,deliveredAt,acknowledged,latestVerification,expenditureId');
    expect(lines).toHaveLength(1 + 3);
    expect(lines[1]).toContain(',North,Tripoli,');
    expect(lines.slice(1).some((l) => l.includes(',Bakery oven,cooking,'))).toBe(true);
    const machine = await raw('/reports/asset-register?format=csv&bom=false');
    expect(machine.text).toBe(csv.text.slice(1));
    expect((await raw('/reports/asset-register?format=csv&bom=maybe')).status).toBe(400);
  });

  it('counts the funnel and the indicators without a name, phone or birth date anywhere', async () => {
    const beneficiaries = JSON.parse((await raw('/reports/beneficiaries')).text);
    const stage = (s: string) => beneficiaries.funnel.find((f: any) => f.stage === s);
    expect(stage('enrolled')).toMatchObject({ total: 3, bySex: { F: 2, M: 1 }, byGovernorate: { North: 3 } });
    expect(stage('withAssets').total).toBe(3);
    expect(stage('trained:financial-literacy').total).toBe(3);
    const indicators = JSON.parse((await raw('/reports/indicators')).text);
    expect(indicators.rounds.baseline).toMatchObject({ householdsSurveyed: 3, meanMonthlyIncomeUsdMinor: 20_000, shareEmployed: '0.3333' });
    for (const name of ['grant-statement', 'ifr', 'asset-register', 'beneficiaries', 'indicators', 'iati']) {
      const { status, text } = await raw(`/reports/${name}`);
      expect(status).toBe(200);
      for (const personal of [...names, '1985-03-03', '000111', 'Rima Haddad', '1990-05-14']) expect(text).not.toContain(personal);
    }
  });

  it('publishes an IATI 2.03 document with one commitment per commitment and one expenditure per unreversed expenditure', async () => {
    const { text, type } = await raw('/reports/iati');
    expect(type).toMatch(/xml/);
    expect(XMLValidator.validate(text)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (n) => ['transaction', 'budget', 'iati-activity'].includes(n) }).parse(text);
    const activity = doc['iati-activities']['iati-activity'][0];
    const types = activity.transaction.map((t: any) => t['transaction-type']['@_code']);
    const commitments = JSON.parse((await raw('/grant/grants/' + grant.event.data.grantId, 'finance')).text);
    // Commitments at their amount (positive), releases as negative adjustments of type 2.
    const positiveCommitments = activity.transaction.filter((t: any) => t['transaction-type']['@_code'] === '2' && !String(t.value['#text'] ?? t.value).startsWith('-'));
    expect(positiveCommitments).toHaveLength(commitments.commitments?.length ?? 3);
    expect(activity['@_xml:lang']).toBe('en');
    expect(activity['reporting-org']['@_ref']).toBe(IATI_PUBLISHER_ENV.PEIL_IATI_REPORTING_ORG_REF);
    expect(types.filter((t: string) => t === '4')).toHaveLength(3 /* deliveries */ + 3 /* sessions */ + 1 /* management, one reversed */);
    expect(doc['iati-activities']['@_version']).toBe('2.03');
  });

  it('states the interim financial report: sources = received, uses = the grant ledger by line and category, designated account = received − paid', async () => {
    const grantId = grant.event.data.grantId as string;
    const { assets, management } = grant.lines as Record<string, string>;
    await accepted(system, 'grant', [
      ev('WorkPlanBudgetApproved', { grantId, fiscalYearStart: '2025-01-01', approvalRef: 'WB-NOL-2025-007', budgets: [{ budgetLine: assets, period: '2025Q4', amountMinor: 100_000 }, { budgetLine: management, period: '2025Q4', amountMinor: 60_000 }] }, '2025-07-15T09:00:00+03:00'),
      ev('FundsReceived', { receiptId: uniq('WA'), grantId, kind: 'advance', withdrawalApplicationRef: 'WA-001', valueDate: '2025-08-04', amountMinor: 50_000_000, currency: 'USD' }, '2025-08-05T09:00:00+03:00'),
      // 8,950,000,000 LBP at 89,500 LBP per dollar: US$100,000.00.
      ev('FundsReceived', { receiptId: uniq('WA'), grantId, kind: 'replenishment', withdrawalApplicationRef: 'WA-002', valueDate: '2025-10-15', amountMinor: 8_950_000_000, currency: 'LBP', fxRateToUsd: '89500' }, '2025-10-16T09:00:00+03:00'),
      ev('CashForecastRecorded', { grantId, period: '2026Q1', lines: [{ budgetLine: assets, amountMinor: 200_000 }] }, '2025-12-20T09:00:00+02:00'),
    ], 'finance');

    const q3 = JSON.parse((await raw('/reports/ifr?period=2025Q3', 'finance')).text).grants.find((g: any) => g.grantId === grantId);
    expect(q3.sourcesAndUses.sources.total).toEqual({ periodMinor: 50_000_000, yearToDateMinor: 50_000_000, cumulativeMinor: 50_000_000 });
    expect(q3.designatedAccount.closing.periodMinor).toBe(50_000_000);

    const ifr = JSON.parse((await raw('/reports/ifr?period=2025Q4')).text);
    expect(ifr).toMatchObject({ report: 'ifr', period: '2025Q4', fiscalYearStart: '2025-01-01', nextPeriod: '2026Q1', ledgerPosition: await head(system) });
    const g = ifr.grants.find((x: any) => x.grantId === grantId);
    expect(g.sourcesAndUses.sources).toMatchObject({ replenishments: { periodMinor: 10_000_000 }, total: { periodMinor: 10_000_000, cumulativeMinor: 60_000_000 }, lbp: { periodMinor: 8_950_000_000 } });
    let spent = 0;
    for (const line of g.usesByComponent.flatMap((c: any) => c.budgetLines)) {
      const books = await budgetLine(system, line.code);
      expect({ code: line.code, cumulative: line.actual.cumulativeMinor }).toEqual({ code: line.code, cumulative: books.spentMinor });
      for (const w of ['periodMinor', 'yearToDateMinor', 'cumulativeMinor']) expect(line.variance[w]).toBe(line.budget[w] - line.actual[w]);
      spent += books.spentMinor;
    }
    expect(g.usesByCategory.reduce((s: number, c: any) => s + c.actual.cumulativeMinor, 0)).toBe(spent);
    expect(g.sourcesAndUses.uses.cumulativeMinor).toBe(spent);
    expect(g.designatedAccount.closing.periodMinor).toBe(60_000_000 - spent);
    expect(g.designatedAccount.received.cumulativeMinor - g.designatedAccount.paid.cumulativeMinor).toBe(g.designatedAccount.closing.periodMinor);
    expect(g.reconciliation.designatedAccount.differenceMinor).toBe(0);
    expect(g.forecast).toMatchObject({ period: '2026Q1', totalMinor: 200_000 });

    // The CSV opens in Python's csv module (as a finance officer's tools would read it), BOM first.
    const csv = await raw('/reports/ifr?period=2025Q4&format=csv');
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.text.startsWith('\uFEFF')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'peil-ifr-csv-'));
    try {
      writeFileSync(join(dir, 'ifr.csv'), csv.text);
      const read = "import csv, json, sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig', newline='')))))";
      const rows = JSON.parse(execFileSync('python3', ['-c', read, join(dir, 'ifr.csv')], { encoding: 'utf8' }));
      const closing = rows.find((r: any) => r.section === 'designated-account' && r.code === 'closing' && r.grantId === grantId);
      expect(Math.round(Number(closing.actualPeriodUsd) * 100)).toBe(60_000_000 - spent);
    } finally {
      removeDir(dir);
    }
  });

  it('gives a report as of an earlier position without later events, with the same bytes after more events', async () => {
    const position = await head(system);
    const before = await raw(`/reports/asset-register?asOf=${position - 5}`);
    const live = await raw('/reports/beneficiaries');
    const atPosition = await raw(`/reports/beneficiaries?asOf=${position}`);
    expect(atPosition.text).toBe(live.text);
    const householdId = await enrolledHousehold(system);
    await accepted(system, 'enrolment', [ev('HouseholdWithdrawn', { householdId, reason: 'moved' })]);
    expect((await raw(`/reports/asset-register?asOf=${position - 5}`)).text).toBe(before.text);
    expect((await raw(`/reports/beneficiaries?asOf=${position}`)).text).toBe(atPosition.text);
    expect((await raw('/reports/beneficiaries')).text).not.toBe(atPosition.text);
    const early = JSON.parse((await raw('/reports/asset-register?asOf=3')).text);
    expect(early).toMatchObject({ ledgerPosition: 3, rows: [] });
    expect((await raw('/reports/iati?asOf=999999999')).status).toBe(400);
  });

  it('matches the CLI, and reproduces every report byte for byte after a rebuild', async () => {
    const position = await head(system);
    const reports = ['grant-statement?period=2025Q4', 'ifr?period=2025Q4&format=csv', 'asset-register', 'asset-register?format=csv', 'beneficiaries', 'indicators', 'iati'];
    const before = await Promise.all(reports.map(async (r) => (await raw(`/reports/${r}`)).text));
    expect(cli('report', 'grant-statement', '--as-of', String(position), '--period', '2025Q4')).toBe(before[0]);
    expect(cli('report', 'asset-register', '--format', 'csv')).toBe(before[3]);
    expect(cli('report', 'ifr', '--as-of', String(position), '--period', '2025Q4', '--format', 'csv')).toBe(before[1]);
    await system.stop();
    expect(cli('rebuild')).toMatch(/rebuilt/);
    system = await startSystem({ dataDir: system.dataDir, env: IATI_PUBLISHER_ENV });
    const after = await Promise.all(reports.map(async (r) => (await raw(`/reports/${r}`)).text));
    expect(after).toEqual(before);
    expect(cli('verify')).toMatch(/"ok": true/);
  }, 60_000);
});
