import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { toUsdMinor, type Currency } from '@peil/contracts';
import { get, removeDir, repoRoot, startSystem, type RunningSystem } from '@peil/testing';
import { IATI_PUBLISHER_ENV } from './fixtures';
import { accepted, enrolledHousehold, ev, peilGrant, uniq } from './programme';

/**
 * Issue 5: `kill -9` of the whole system (supervisor and every service, as a power cut) while
 * several clients stream a programme's events in and the reporting service's projector applies
 * them live. After a restart the read models resume from their checkpoints: every report must
 * reconcile with the ledger, read back through the auditors' API, to the cent — nothing counted
 * twice, nothing missing — and equal, byte for byte, the CLI's replay of the ledger at the position
 * the report states.
 */
interface LedgerEvent {
  position: number;
  eventId: string;
  type: string;
  data: Record<string, any>;
}

const PERIOD = '2026Q4'; // after every date below: the cumulative columns hold everything
const fast = { PEIL_RECOVERY_INTERVAL_MS: '200', PEIL_FLOW_GRACE_SECONDS: '2' };

describe('reports after kill -9 while events stream in', () => {
  let system: RunningSystem;
  const grant = peilGrant();
  const SEW = uniq('SEW');
  const OVEN = uniq('OVEN');

  afterAll(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  /** One household's way through the programme, as the NGO's systems would post it. */
  async function household(i: number): Promise<void> {
    const householdId = await enrolledHousehold(system);
    const oven = i % 3 === 2;
    await accepted(system, 'assessment', [ev('LivelihoodPlanApproved', { householdId, planId: uniq('PLAN'), sector: oven ? 'food-processing' : 'tailoring', assetKit: [{ itemCode: oven ? OVEN : SEW, quantity: 1 }], trainingModules: ['financial-literacy'], coachingSessions: 2 })]);
    if (i % 5 === 4) {
      // Leaves before delivery: the assessment service's reaction releases the plan's commitment.
      await accepted(system, 'enrolment', [ev('HouseholdWithdrawn', { householdId, reason: 'moved' })]);
      return;
    }
    const deliveryId = uniq('DLV');
    const paid = i % 2 === 0 ? { unitCostMinor: 2_900_000 + i * 895, currency: 'LBP', fxRateToUsd: '89500' } : { unitCostMinor: oven ? 55_000 : 33_000 - i, currency: 'USD' };
    await accepted(system, 'asset-transfer', [ev('AssetDelivered', { deliveryId, householdId, itemCode: oven ? OVEN : SEW, quantity: 1, supplier: 'Supplier & Sons', invoiceRef: `INV-${i}`, ...paid }, '2025-10-15T10:00:00+03:00')]);
    await accepted(system, 'asset-transfer', [ev('AssetReceiptAcknowledged', { deliveryId, method: 'otp' }), ev('AssetVerified', { deliveryId, status: i % 7 === 0 ? 'not-in-use' : 'in-use' })]);
    const session = ev('TrainingSessionHeld', { sessionId: uniq('SES'), module: 'financial-literacy', governorate: 'North', district: 'Tripoli', costMinor: 4_475_000, currency: 'LBP', fxRateToUsd: '89500' }, '2025-11-02T10:00:00+02:00');
    await accepted(system, 'training', [
      session,
      ev('TrainingAttended', { sessionId: session.data.sessionId, householdId }),
      ev('CoachingVisitRecorded', { visitId: uniq('CV'), householdId }),
      ev('SavingsNudgeSent', { nudgeId: uniq('N'), householdId, channel: 'sms', template: 'save-weekly' }),
    ]);
    await accepted(system, 'evaluation', [ev('SurveyRecorded', { surveyId: uniq('SRV'), householdId, round: 'baseline', monthlyIncomeMinor: 10_000 + i * 100, savingsMinor: i * 10, currency: 'USD', businessOperating: i % 2 === 0, employed: i % 3 === 0 }, '2025-09-10T10:00:00+03:00')]);
    if (i % 3 === 0) {
      const expenditure = { expenditureId: uniq('EXP'), budgetLine: grant.lines.management!, amountMinor: 10_000 + i, currency: 'USD', payee: 'Audit firm', documentRef: `INV-M-${i}` };
      await accepted(system, 'grant', [ev('ExpenditureRecorded', expenditure, '2025-11-20T10:00:00+02:00')], 'finance');
      if (i % 2 === 0) await accepted(system, 'grant', [ev('ExpenditureReversed', { expenditureId: expenditure.expenditureId, reason: 'duplicate invoice' }, '2025-12-01T10:00:00+02:00')], 'finance');
    }
  }

  /** The lowest checkpoint of the report projections, read straight from the read-model file. */
  function projectedPosition(): number {
    const db = new Database(join(system.dataDir, 'read-models.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT count(*) AS n, min(position) AS p FROM checkpoints').get() as { n: number; p: number | null };
      return row.n === 4 ? (row.p ?? 0) : 0;
    } finally {
      db.close();
    }
  }

  async function ledger(): Promise<LedgerEvent[]> {
    const events: LedgerEvent[] = [];
    for (;;) {
      const res = await get(system, `/ledger/events?after=${events.at(-1)?.position ?? 0}&limit=10000`);
      events.push(...(res.body.events as LedgerEvent[]));
      if (res.body.events.length < 10000) return events;
    }
  }

  async function report(path: string): Promise<{ text: string; position: string }> {
    const res = await fetch(`${system.baseUrl}/reports/${path}`, { headers: { authorization: `Bearer ${system.keys.donor}` } });
    expect(res.status).toBe(200);
    // Decoded keeping a byte-order mark: Response.text() drops it, and the CSV starts with one.
    return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer()), position: res.headers.get('x-ledger-position')! };
  }

  const cli = (...args: string[]) => execFileSync(process.execPath, [join(repoRoot, 'bin', 'peil-ledger.js'), ...args], { env: { ...process.env, ...IATI_PUBLISHER_ENV, PEIL_DATA_DIR: system.dataDir }, encoding: 'utf8' });

  it('reconciles every report with the ledger to the cent and matches the CLI replay byte for byte', async () => {
    system = await startSystem({ env: IATI_PUBLISHER_ENV });
    await accepted(system, 'grant', [grant.event], 'finance');
    await accepted(system, 'grant', [ev('BudgetReallocated', { grantId: grant.event.data.grantId, fromLine: grant.lines.management, toLine: grant.lines.evaluation, amountMinor: 1_000_000, approvalRef: 'WB-NOL-7' })], 'finance');
    await accepted(system, 'asset-transfer', [
      ev('AssetCatalogueItemApproved', { itemCode: SEW, name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 }),
      ev('AssetCatalogueItemApproved', { itemCode: OVEN, name: 'Bakery oven', category: 'cooking', unitCostCeilingMinor: 60_000 }),
    ]);
    await accepted(system, 'assessment', [ev('MarketAssessmentCompleted', { assessmentId: uniq('MA'), governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring', 'food-processing'] })]);

    // Four clients stream households in until the system dies under them.
    let next = 0;
    let done = 0;
    let dead = false;
    const failures: unknown[] = [];
    const client = async () => {
      while (!dead) {
        try {
          await household(next++);
          done += 1;
        } catch (err) {
          // Only the crash may stop a client: a connection cut. A rejection is a failure.
          if (!dead) failures.push(err);
          return;
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    const deadline = Date.now() + 30_000;
    while (done < 24 && failures.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(failures).toEqual([]);
    // Kill right after the projector has committed a batch, with more arriving: it is mid-stream.
    const seen = projectedPosition();
    while (projectedPosition() === seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    dead = true;
    await system.kill9();
    await Promise.all(clients);
    expect(failures).toEqual([]);
    const atKill = projectedPosition();
    expect(atKill).toBeGreaterThan(seen);
    // The killed projector had events still to apply.
    const ledgerAtKill = new Database(join(system.dataDir, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
    const headAtKill = (ledgerAtKill.prepare('SELECT max(position) AS p FROM events').get() as { p: number }).p;
    ledgerAtKill.close();
    expect(atKill).toBeLessThan(headAtKill);

    system = await startSystem({ dataDir: system.dataDir, env: { ...IATI_PUBLISHER_ENV, ...fast } });
    // Flows cut by the crash finish (delivery → expenditure, session → expenditure, withdrawal → release).
    for (let i = 0; ; i++) {
      const reconciliation = (await get(system, '/grant/reconciliation', 'auditor')).body;
      if (reconciliation.deliveriesWithoutExpenditure.length === 0) break;
      if (i > 100) throw new Error(`unfinished deliveries: ${JSON.stringify(reconciliation)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const events = await ledger();
    const head = events.at(-1)!.position;
    // The live projector of the restarted service catches up without being asked.
    for (let i = 0; projectedPosition() < head; i++) {
      if (i > 100) throw new Error(`read models stuck at ${projectedPosition()}, ledger at ${head}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    // The grant statement against the grant ledger, line by line, to the cent.
    const statement = await report(`grant-statement?period=${PERIOD}`);
    const books = grantBooks(events);
    const [g] = JSON.parse(statement.text).grants;
    const lines = g.components.flatMap((c: any) => c.budgetLines);
    expect(Object.fromEntries(lines.map((l: any) => [l.code, { allocationMinor: l.allocationMinor, committedMinor: l.committedMinor, spentMinor: l.spentCumulativeMinor, remainingMinor: l.remainingMinor }]))).toEqual(books);
    const sum = (key: string) => Object.values(books).reduce((s, b: any) => s + b[key], 0);
    expect(g.totals).toMatchObject({ allocationMinor: sum('allocationMinor'), committedMinor: sum('committedMinor'), spentCumulativeMinor: sum('spentMinor'), remainingMinor: sum('remainingMinor') });
    expect(g.totals.allocationMinor).toBe(270_700_000);

    // The asset register: one row per delivery, its total the assets line's spent.
    const register = JSON.parse((await report('asset-register')).text);
    const deliveries = events.filter((e) => e.type === 'AssetDelivered');
    expect(register.rows.map((r: any) => r.deliveryId)).toEqual(deliveries.map((e) => e.data.deliveryId));
    expect(register.totals.totalUsdMinor).toBe(books[grant.lines.assets!]!.spentMinor);
    expect(register.totals.withExpenditure).toBe(deliveries.length);

    // The funnel and the indicators count each household once.
    const beneficiaries = JSON.parse((await report('beneficiaries')).text);
    const stage = (s: string) => beneficiaries.funnel.find((f: any) => f.stage === s).total;
    expect(stage('enrolled')).toBe(events.filter((e) => e.type === 'HouseholdEnrolled').length);
    expect(stage('withAssets')).toBe(new Set(deliveries.map((e) => e.data.householdId)).size);
    const indicators = JSON.parse((await report('indicators')).text);
    expect(indicators.rounds.baseline.householdsSurveyed).toBe(events.filter((e) => e.type === 'SurveyRecorded').length);

    // Each live report equals the CLI's replay of the ledger at the position it states.
    for (const [path, args] of [
      [`grant-statement?period=${PERIOD}`, ['grant-statement', '--period', PERIOD]],
      ['asset-register', ['asset-register']],
      ['asset-register?format=csv', ['asset-register', '--format', 'csv']],
      ['beneficiaries', ['beneficiaries']],
      ['indicators', ['indicators']],
      ['iati', ['iati']],
    ] as const) {
      const live = await report(path);
      expect(Number(live.position)).toBeGreaterThanOrEqual(head);
      expect(cli('report', ...args, '--as-of', live.position)).toBe(live.text);
    }
  }, 120_000);
});

/** Per budget line, from the ledger's grant events alone: what the statement must say. */
function grantBooks(events: LedgerEvent[]): Record<string, { allocationMinor: number; committedMinor: number; spentMinor: number; remainingMinor: number }> {
  const lines = new Map<string, { allocationMinor: number; committedMinor: number; spentMinor: number }>();
  const line = (code: string) => lines.get(code)!;
  const commitmentLine = new Map<string, string>();
  const expenditures = new Map<string, { budgetLine: string; usdMinor: number }>();
  for (const { type, data: d } of events) {
    switch (type) {
      case 'GrantAgreementSigned':
        for (const c of d.components) for (const l of c.budgetLines) lines.set(l.code, { allocationMinor: l.allocationMinor, committedMinor: 0, spentMinor: 0 });
        break;
      case 'BudgetReallocated':
        line(d.fromLine).allocationMinor -= d.amountMinor;
        line(d.toLine).allocationMinor += d.amountMinor;
        break;
      case 'FundsCommitted':
        commitmentLine.set(d.commitmentId, d.budgetLine);
        line(d.budgetLine).committedMinor += d.amountMinor;
        break;
      case 'CommitmentReleased':
        line(commitmentLine.get(d.commitmentId)!).committedMinor -= d.amountMinor;
        break;
      case 'ExpenditureRecorded': {
        const usdMinor = toUsdMinor(d.amountMinor, d.currency as Currency, d.fxRateToUsd);
        expenditures.set(d.expenditureId, { budgetLine: d.budgetLine, usdMinor });
        line(d.budgetLine).spentMinor += usdMinor;
        break;
      }
      case 'ExpenditureReversed': {
        const x = expenditures.get(d.expenditureId)!;
        line(x.budgetLine).spentMinor -= x.usdMinor;
        break;
      }
    }
  }
  return Object.fromEntries([...lines].map(([code, l]) => [code, { ...l, remainingMinor: l.allocationMinor - l.committedMinor - l.spentMinor }]));
}
