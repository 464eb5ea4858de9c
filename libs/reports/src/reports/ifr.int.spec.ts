import { randomBytes, randomUUID } from 'node:crypto';
import { quarterDays, quarterOfDay, toUsdMinor } from '@peil/contracts';
import type { JsonValue, NewEvent, StoredEvent } from '@peil/ledger';
import { MemoryReadStore, replay } from '@peil/projections';
import { useTempLedger } from '@peil/testing';
import fc from 'fast-check';
import { householdRefFunction } from '../engine/household-ref';
import { ReportEngine } from '../engine/report-engine';
import { reportProjections } from './catalogue';
import { fiscalYearStart, grantBook, interimFinancialReport, percent, type Columns } from './ifr.report';

/**
 * The interim financial report against the grant ledger: a worked example through a real SQLite
 * ledger and the report engine (an agreement recorded at schema version 1 included), and a
 * property: for any books, every figure equals the sum an independent reading of the events gives,
 * to the cent, and each statement balances.
 */

type Ev = { type: string; data: Record<string, JsonValue>; occurredAt: string; schemaVersion?: number };
const at = (day: string) => `${day}T09:00:00+03:00`;

const LINES = [
  { component: 'C1', code: 'L1', allocationMinor: 40_000_000 },
  { component: 'C2', code: 'L2', allocationMinor: 100_000_000 },
  { component: 'C2', code: 'L3', allocationMinor: 60_000_000 },
];
const agreement = (withCategories: boolean): Ev => ({
  type: 'GrantAgreementSigned',
  occurredAt: at('2025-07-01'),
  schemaVersion: withCategories ? 2 : 1,
  data: {
    grantId: 'G', donor: 'JSDF', administrator: 'World Bank', recipient: 'René Moawad Foundation', currency: 'USD', amountMinor: 200_000_000, startDate: '2025-07-01', closingDate: '2027-06-30',
    components: ['C1', 'C2'].map((c) => ({ code: c, name: `Component ${c}`, budgetLines: LINES.filter((l) => l.component === c).map((l) => ({ code: l.code, name: `Line ${l.code}`, allocationMinor: l.allocationMinor })) })),
    ...(withCategories ? { disbursementCategories: [{ code: '1', name: 'Operating costs', budgetLines: ['L1', 'L3'] }, { code: '2', name: 'Asset transfers', budgetLines: ['L2'] }] } : {}),
  },
});

const stored = (events: Ev[]): StoredEvent[] =>
  events.map((e, i) => ({
    position: i + 1, streamId: 'grant-G', revision: i, eventId: `e-${i + 1}`, type: e.type, schemaVersion: e.schemaVersion ?? 2, occurredAt: e.occurredAt, recordedAt: e.occurredAt,
    source: 'spec', actor: 'spec', correlationId: 'c', causationId: null, data: e.data, prevHash: null, hash: '0'.repeat(64),
  }));

async function ifrOf(events: Ev[], period: string, fiscalYearStartMonth: number) {
  const memory = new MemoryReadStore();
  await replay(stored(events), [reportProjections(() => 'HR')['ifr']], memory);
  return memory.read(async (tx) => interimFinancialReport(await grantBook(tx), period, fiscalYearStartMonth));
}

describe('interim financial report, worked example on a SQLite ledger', () => {
  const events: Ev[] = [
    agreement(false),
    { type: 'WorkPlanBudgetApproved', occurredAt: at('2025-07-10'), data: { grantId: 'G', fiscalYearStart: '2025-07-01', approvalRef: 'WB-NOL-1', budgets: [
      { budgetLine: 'L2', period: '2025Q3', amountMinor: 500_000 }, { budgetLine: 'L2', period: '2025Q4', amountMinor: 1_000_000 }, { budgetLine: 'L1', period: '2025Q3', amountMinor: 100_000 },
    ] } },
    // Spent before any advance: the designated account goes negative (pre-financing), nothing refused.
    { type: 'ExpenditureRecorded', occurredAt: at('2025-07-20'), data: { expenditureId: 'X1', budgetLine: 'L2', amountMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500', payee: 'Al Mina', documentRef: 'INV-1' } },
    { type: 'FundsReceived', occurredAt: at('2025-08-02'), data: { receiptId: 'R1', grantId: 'G', kind: 'advance', withdrawalApplicationRef: 'WA-1', valueDate: '2025-08-01', amountMinor: 200_000, currency: 'USD' } },
    { type: 'FundsReceived', occurredAt: at('2025-09-02'), data: { receiptId: 'R2', grantId: 'G', kind: 'replenishment', withdrawalApplicationRef: 'WA-2', valueDate: '2025-09-01', amountMinor: 8_950_000, currency: 'LBP', fxRateToUsd: '89500' } },
    { type: 'ExpenditureRecorded', occurredAt: at('2025-09-05'), data: { expenditureId: 'X2', budgetLine: 'L1', amountMinor: 120_000, currency: 'USD', payee: 'Audit firm', documentRef: 'INV-2' } },
    { type: 'ExpenditureRecorded', occurredAt: at('2025-09-06'), data: { expenditureId: 'X3', budgetLine: 'L3', amountMinor: 70_000, currency: 'USD', payee: 'Printer', documentRef: 'INV-3' } },
    { type: 'FundsReceived', occurredAt: at('2025-09-20'), data: { receiptId: 'DP1', grantId: 'G', kind: 'direct_payment', withdrawalApplicationRef: 'WA-3', valueDate: '2025-09-20', amountMinor: 70_000, currency: 'USD', expenditureId: 'X3' } },
    { type: 'CashForecastRecorded', occurredAt: at('2025-09-25'), data: { grantId: 'G', period: '2025Q4', lines: [{ budgetLine: 'L2', amountMinor: 900_000 }, { budgetLine: 'L1', amountMinor: 50_000 }] } },
    { type: 'ExpenditureReversed', occurredAt: at('2025-10-03'), data: { expenditureId: 'X2', reason: 'duplicate invoice' } },
  ];
  const ledger = useTempLedger('peil-ifr-', 'all');
  let engine: ReportEngine;

  beforeAll(async () => {
    for (const e of events) {
      const event: NewEvent = {
        eventId: randomUUID(), type: e.type, schemaVersion: e.schemaVersion ?? 2, occurredAt: e.occurredAt, recordedAt: new Date(Date.parse(e.occurredAt)).toISOString(),
        source: 'spec', actor: 'finance', correlationId: randomUUID(), causationId: null, data: e.data, contentDigest: randomUUID(),
      };
      const head = (await ledger.store.readStream('grant-G')).length;
      await ledger.store.append('grant-G', [event], head === 0 ? 'no_stream' : head - 1);
    }
    engine = new ReportEngine(ledger.store, new MemoryReadStore(), householdRefFunction(randomBytes(32)), { fiscalYearStartMonth: 7 });
  });

  it('states 2025Q3 as the books have it, to the cent', async () => {
    const answer = await engine.report('ifr', { period: '2025Q3' });
    const ifr = JSON.parse(answer.body);
    expect(ifr).toMatchObject({ report: 'ifr', ledgerPosition: events.length, period: '2025Q3', periodStart: '2025-07-01', periodEnd: '2025-09-30', fiscalYearStart: '2025-07-01', nextPeriod: '2025Q4' });
    const [g] = ifr.grants;
    const q3 = (period: number, yearToDate = period, cumulative = period) => ({ periodMinor: period, yearToDateMinor: yearToDate, cumulativeMinor: cumulative });
    // Sources: US$2,000.00 advance, 8,950,000 LBP at 89,500 = US$100.00, US$700.00 paid directly.
    expect(g.sourcesAndUses.sources).toEqual({ advances: q3(200_000), replenishments: q3(10_000), directPayments: q3(70_000), total: q3(280_000), lbp: q3(8_950_000) });
    // Uses: US$32.40 + US$1,200.00 + US$700.00 (the reversal is dated in Q4).
    expect(g.sourcesAndUses.uses).toEqual(q3(3_240 + 120_000 + 70_000));
    expect(g.sourcesAndUses.closingCash).toEqual(q3(280_000 - 193_240));
    // The v1 agreement is read with one default category holding every line.
    expect(g.usesByCategory).toHaveLength(1);
    expect(g.usesByCategory[0]).toMatchObject({ code: '1', budgetLines: ['L1', 'L2', 'L3'], actual: q3(193_240) });
    const line = (code: string) => g.usesByComponent.flatMap((c: any) => c.budgetLines).find((l: any) => l.code === code);
    expect(line('L2')).toMatchObject({ budget: q3(500_000), actual: q3(3_240), variance: q3(496_760), variancePercent: { period: '99.35' }, lbp: q3(2_900_000), forecastNextPeriodMinor: 900_000 });
    expect(line('L1')).toMatchObject({ budget: q3(100_000), actual: q3(120_000), variance: q3(-20_000), variancePercent: { period: '-20.00' }, lbp: null });
    // Designated account: 2,100.00 in, 1,232.40 out (the direct payment bypasses it).
    expect(g.designatedAccount).toMatchObject({ opening: q3(0), received: q3(210_000), paid: q3(123_240), closing: q3(86_760), preFinancedMinor: 0 });
    expect(g.designatedAccount.receiptsInPeriod.map((r: any) => r.receiptId)).toEqual(['R1', 'R2', 'DP1']);
    expect(g.reconciliation.designatedAccount).toMatchObject({ balanceFromLedgerMinor: 86_760, differenceMinor: 0 });
    expect(g.reconciliation.cash.differenceMinor).toBe(0);
    expect(g.forecast).toMatchObject({ period: '2025Q4', totalMinor: 950_000, designatedAccountClosingMinor: 86_760, netRequirementMinor: 950_000 - 86_760 });
  });

  it('shows the pre-financing of a period that spent before the advance arrived', async () => {
    const july = await ifrOf(events.slice(0, 3), '2025Q3', 7);
    expect(july.grants[0]!.designatedAccount).toMatchObject({ closing: { periodMinor: -3_240 }, preFinancedMinor: 3_240 });
  });

  it('carries the reversal into 2025Q4, year to date from July, and the CSV starts with a BOM', async () => {
    const ifr = JSON.parse((await engine.report('ifr', { period: '2025Q4' })).body);
    const l1 = ifr.grants[0].usesByComponent[0].budgetLines[0];
    expect(l1).toMatchObject({ code: 'L1', actual: { periodMinor: -120_000, yearToDateMinor: 0, cumulativeMinor: 0 }, budget: { periodMinor: 0, yearToDateMinor: 100_000, cumulativeMinor: 100_000 } });
    expect(ifr.grants[0].designatedAccount.opening.periodMinor).toBe(86_760);
    const csv = (await engine.report('ifr', { period: '2025Q4', format: 'csv' })).body;
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain('\r\nline,G,L1,Line L1,1,0.00,-1200.00,1200.00,,1000.00,0.00,1000.00,100.00,1000.00,0.00,1000.00,100.00,400000.00,,,,0.00\r\n');
    expect((await engine.report('ifr', { period: '2025Q4', format: 'csv', bom: 'false' })).body).toBe(csv.slice(1));
  });

  it('refuses a period that is not a quarter and a format it does not have', async () => {
    await expect(engine.report('ifr', { period: '2025Q9' })).rejects.toMatchObject({ code: 'invalid_query', path: 'period' });
    await expect(engine.report('ifr', { period: '2025Q3', format: 'xml' })).rejects.toMatchObject({ code: 'invalid_query', path: 'format' });
  });
});

describe('interim financial report, every figure against the events (property)', () => {
  const day = fc.integer({ min: 0, max: 729 }).map((n) => new Date(Date.UTC(2025, 6, 1 + n)).toISOString().slice(0, 10));
  const line = fc.constantFrom('L1', 'L2', 'L3');
  const usdOrLbp = fc.oneof(
    fc.record({ amountMinor: fc.integer({ min: 1, max: 5_000_000 }), currency: fc.constant('USD') }),
    fc.record({ amountMinor: fc.integer({ min: 1_000, max: 500_000_000 }), currency: fc.constant('LBP'), fxRateToUsd: fc.constantFrom('89500', '15000', '89500.25') }),
  );
  const books = fc.record({
    expenditures: fc.array(fc.record({ line, day, money: usdOrLbp, reversedAfter: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }), direct: fc.boolean() }), { maxLength: 25 }),
    receipts: fc.array(fc.record({ kind: fc.constantFrom('advance', 'replenishment'), day, money: usdOrLbp }), { maxLength: 8 }),
    plans: fc.array(fc.record({ line, quarter: fc.integer({ min: 0, max: 7 }), amountMinor: fc.integer({ min: 0, max: 3_000_000 }) }), { maxLength: 20 }),
    period: fc.integer({ min: 0, max: 8 }),
    month: fc.constantFrom(1, 4, 7, 10),
  });

  it('equals the sums of the events to the cent, and every statement balances', async () => {
    await fc.assert(
      fc.asyncProperty(books, async (b) => {
        const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
        const quarterAt = (i: number) => `${2025 + Math.floor((2 + i) / 4)}Q${((2 + i) % 4) + 1}`;
        const events: Ev[] = [agreement(true)];
        const xs = b.expenditures.map((x, i) => ({ ...x, id: `X${i}`, usd: toUsdMinor(x.money.amountMinor, x.money.currency as 'USD', (x.money as { fxRateToUsd?: string }).fxRateToUsd) }))
          .filter((x) => x.usd > 0).sort((p, q) => p.day.localeCompare(q.day));
        for (const x of xs) events.push({ type: 'ExpenditureRecorded', occurredAt: at(x.day), data: { expenditureId: x.id, budgetLine: x.line, ...x.money, payee: 'p', documentRef: 'd' } });
        for (const x of xs.filter((x) => x.reversedAfter !== undefined)) events.push({ type: 'ExpenditureReversed', occurredAt: at(addDays(x.day, x.reversedAfter!)), data: { expenditureId: x.id, reason: 'r' } });
        for (const [i, x] of xs.filter((x) => x.direct).entries()) {
          events.push({ type: 'FundsReceived', occurredAt: at(x.day), data: { receiptId: `D${i}`, grantId: 'G', kind: 'direct_payment', withdrawalApplicationRef: 'WA', valueDate: x.day, amountMinor: x.usd, currency: 'USD', expenditureId: x.id } });
        }
        const rs = b.receipts.map((r, i) => ({ ...r, id: `R${i}`, usd: toUsdMinor(r.money.amountMinor, r.money.currency as 'USD', (r.money as { fxRateToUsd?: string }).fxRateToUsd) })).filter((r) => r.usd > 0);
        for (const r of rs) events.push({ type: 'FundsReceived', occurredAt: at(r.day), data: { receiptId: r.id, grantId: 'G', kind: r.kind, withdrawalApplicationRef: 'WA', valueDate: r.day, ...r.money } });
        const entries = new Map(b.plans.map((p) => [`${p.line}@${quarterAt(p.quarter)}`, p]));
        if (entries.size > 0) {
          events.push({ type: 'WorkPlanBudgetApproved', occurredAt: at('2025-07-02'), data: { grantId: 'G', fiscalYearStart: '2025-07-01', approvalRef: 'A', budgets: [...entries.values()].filter((p) => p.quarter < 4).map((p) => ({ budgetLine: p.line, period: quarterAt(p.quarter), amountMinor: p.amountMinor })) } });
          events.push({ type: 'WorkPlanBudgetApproved', occurredAt: at('2026-07-02'), data: { grantId: 'G', fiscalYearStart: '2026-07-01', approvalRef: 'B', budgets: [...entries.values()].filter((p) => p.quarter >= 4).map((p) => ({ budgetLine: p.line, period: quarterAt(p.quarter), amountMinor: p.amountMinor })) } });
        }
        const period = quarterAt(b.period);
        const ifr = await ifrOf(events, period, b.month);
        const g = ifr.grants[0]!;

        // The windows, read independently of the report.
        const end = quarterDays(period)!.end;
        const windows = { periodMinor: quarterDays(period)!.start, yearToDateMinor: fiscalYearStart(quarterDays(period)!.start, b.month), cumulativeMinor: '0000-01-01' };
        const inWindow = (d: string | undefined, from: string) => d !== undefined && d >= from && d <= end;
        const net = (pick: (x: (typeof xs)[number]) => boolean): Columns => {
          const col = (from: string) => xs.filter(pick).reduce((s, x) => s + (inWindow(x.day, from) ? x.usd : 0) - (x.reversedAfter !== undefined && inWindow(addDays(x.day, x.reversedAfter), from) ? x.usd : 0), 0);
          return { periodMinor: col(windows.periodMinor), yearToDateMinor: col(windows.yearToDateMinor), cumulativeMinor: col(windows.cumulativeMinor) };
        };
        const got = (from: string, pick: (r: (typeof rs)[number]) => boolean) => rs.filter(pick).reduce((s, r) => s + (inWindow(r.day, from) ? r.usd : 0), 0);
        const planned = (code: string, from: string) => [...entries.values()].filter((p) => p.line === code && quarterAt(p.quarter) >= quarterOfDay(from) && quarterAt(p.quarter) <= period).reduce((s, p) => s + p.amountMinor, 0);
        const direct = (from: string) => xs.filter((x) => x.direct && inWindow(x.day, from)).reduce((s, x) => s + x.usd, 0);

        for (const l of g.usesByComponent.flatMap((c) => c.budgetLines)) {
          expect(l.actual).toEqual(net((x) => x.line === l.code));
          for (const w of ['periodMinor', 'yearToDateMinor', 'cumulativeMinor'] as const) {
            expect(l.budget[w]).toBe(planned(l.code, windows[w]));
            expect(l.variance[w]).toBe(l.budget[w] - l.actual[w]);
          }
          expect(l.variancePercent.period).toBe(percent(l.variance.periodMinor, l.budget.periodMinor));
        }
        expect(g.usesByCategory.find((c) => c.code === '2')!.actual).toEqual(net((x) => x.line === 'L2'));
        expect(g.sourcesAndUses.uses).toEqual(net(() => true));
        for (const w of ['periodMinor', 'yearToDateMinor', 'cumulativeMinor'] as const) {
          const from = windows[w];
          expect(g.sourcesAndUses.sources.advances[w]).toBe(got(from, (r) => r.kind === 'advance'));
          expect(g.sourcesAndUses.sources.total[w]).toBe(got(from, () => true) + direct(from));
          expect(g.designatedAccount.received[w]).toBe(got(from, () => true));
          expect(g.designatedAccount.paid[w]).toEqual(net((x) => !x.direct)[w]);
          // Each statement balances: opening + in − out = closing, the same closing in every column.
          expect(g.designatedAccount.opening[w] + g.designatedAccount.received[w] - g.designatedAccount.paid[w]).toBe(g.designatedAccount.closing[w]);
          expect(g.sourcesAndUses.openingCash[w] + g.sourcesAndUses.sources.total[w] - g.sourcesAndUses.uses[w]).toBe(g.sourcesAndUses.closingCash[w]);
          expect(g.designatedAccount.closing[w]).toBe(got('0000-01-01', () => true) - net((x) => !x.direct).cumulativeMinor);
        }
        expect(g.usesByCategory.reduce((s, c) => s + c.actual.cumulativeMinor, 0)).toBe(g.sourcesAndUses.uses.cumulativeMinor);
        expect(g.reconciliation.designatedAccount.differenceMinor).toBe(0);
        expect(g.reconciliation.cash.differenceMinor).toBe(0);
        expect(g.designatedAccount.preFinancedMinor).toBe(Math.max(0, -g.designatedAccount.closing.periodMinor));
      }),
      { numRuns: 60, seed: 20251001 },
    );
  });

  it('rounds variance percentages half to even', () => {
    expect(percent(1, 8)).toBe('12.50');
    expect(percent(1, 3)).toBe('33.33');
    expect(percent(-1, 3)).toBe('-33.33');
    expect(percent(1, 80_000)).toBe('0.00');
    expect(percent(1, 20_000)).toBe('0.00'); // 0.005 %: a tie, to the even 0.00
    expect(percent(3, 20_000)).toBe('0.02'); // 0.015 %: a tie, to the even 0.02
    expect(percent(5, 0)).toBeNull();
  });
});
