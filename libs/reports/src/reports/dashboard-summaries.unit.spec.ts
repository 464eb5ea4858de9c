import { toUsdMinor } from '@peil/contracts';
import type { JsonValue, StoredEvent } from '@peil/ledger';
import { MemoryReadStore, replay } from '@peil/projections';
import fc from 'fast-check';
import { reportProjections } from './catalogue';
import { assetRegister } from './asset-register.report';
import { beneficiaries } from './beneficiaries.report';
import { grantStatement, parsePeriod } from './grant-statement.report';

/**
 * The figures a dashboard draws without adding anything up itself: spending per month on the grant
 * statement, households by status, sex and governorate on the beneficiaries report, and deliveries
 * and value by governorate and by kit category on the asset register — each computed by the real
 * projections from ledger events.
 */

type Ev = { type: string; day: string; data: Record<string, JsonValue> };
const projections = reportProjections((id) => `HR-${id}`);

async function readModel(events: Ev[], names: Array<keyof typeof projections>) {
  const stored = events.map((e, i) => ({
    position: i + 1, streamId: 's', revision: i, eventId: `e-${i + 1}`, type: e.type, schemaVersion: 2, occurredAt: `${e.day}T09:00:00+03:00`, recordedAt: `${e.day}T06:00:00Z`,
    source: 'spec', actor: 'spec', correlationId: 'c', causationId: null, data: e.data, prevHash: null, hash: '0'.repeat(64),
  })) as StoredEvent[];
  const store = new MemoryReadStore();
  await replay(stored, [...new Set(names.map((n) => projections[n]))], store);
  return store;
}

const agreement: Ev = {
  type: 'GrantAgreementSigned', day: '2025-07-01',
  data: {
    grantId: 'G', donor: 'JSDF', administrator: 'World Bank', recipient: 'René Moawad Foundation', currency: 'USD', amountMinor: 1_000_000, startDate: '2025-07-01', closingDate: '2026-12-31',
    components: [{ code: 'C1', name: 'Assets', budgetLines: [{ code: 'L1', name: 'Kits', allocationMinor: 1_000_000 }] }],
    disbursementCategories: [{ code: '1', name: 'Goods', budgetLines: ['L1'] }],
  },
};
const spent = (id: string, day: string, amountMinor: number, currency = 'USD', fxRateToUsd?: string): Ev => ({
  type: 'ExpenditureRecorded', day, data: { expenditureId: id, budgetLine: 'L1', amountMinor, currency, ...(fxRateToUsd ? { fxRateToUsd } : {}), payee: 'Supplier', documentRef: `INV-${id}` },
});
const reversed = (id: string, day: string): Ev => ({ type: 'ExpenditureReversed', day, data: { expenditureId: id, reason: 'duplicate invoice' } });

async function statement(events: Ev[], period: string) {
  const store = await readModel(events, ['grant-statement']);
  return (await store.read((tx) => grantStatement(tx, parsePeriod(period)!))).grants[0]!;
}

describe('grant statement: spendingByMonth', () => {
  it('gives US cents per month by the expenditure date, a reversal in its own month, gap months as zero, nothing after the period', async () => {
    const g = await statement(
      [agreement, spent('X1', '2025-07-20', 10_000), spent('X2', '2025-07-31', 8_950_000, 'LBP', '89500'), spent('X3', '2025-09-02', 5_000), reversed('X1', '2025-10-03'), spent('X4', '2026-01-15', 7_000)],
      '2025Q4',
    );
    expect(g.spendingByMonth).toEqual([
      { month: '2025-07', spentMinor: 10_000 + 10_000 },
      { month: '2025-08', spentMinor: 0 },
      { month: '2025-09', spentMinor: 5_000 },
      { month: '2025-10', spentMinor: -10_000 },
    ]);
    expect(g.spendingByMonth.reduce((s, m) => s + m.spentMinor, 0)).toBe(g.totals.spentCumulativeMinor);
  });

  it('is empty for a grant with nothing spent', async () => {
    expect((await statement([agreement], '2025Q3')).spendingByMonth).toEqual([]);
  });

  it('property: months run without gaps across year ends and sum to spent to date, for any expenditures and reversals', async () => {
    const day = fc.date({ min: new Date('2025-07-01T00:00:00Z'), max: new Date('2027-06-30T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const entry = fc.record({ day, usd: fc.integer({ min: 1, max: 50_000 }), lbp: fc.boolean(), reversal: fc.option(day, { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 12 }), fc.constantFrom('2025Q3', '2026Q1', '2026Q4', '2027Q2'), async (entries, period) => {
        const events: Ev[] = [agreement];
        entries.forEach((x, i) => events.push(x.lbp ? spent(`X${i}`, x.day, x.usd * 89_500, 'LBP', '89500') : spent(`X${i}`, x.day, x.usd)));
        entries.forEach((x, i) => x.reversal && x.reversal >= x.day && events.push(reversed(`X${i}`, x.reversal)));
        const g = await statement(events, period);
        const months = g.spendingByMonth.map((m) => m.month);
        for (let i = 1; i < months.length; i++) {
          const [y, m] = months[i - 1]!.split('-').map(Number) as [number, number];
          expect(months[i]).toBe(m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`);
        }
        expect(months.every((m) => m <= parsePeriod(period)!.end.slice(0, 7))).toBe(true);
        expect(g.spendingByMonth.reduce((s, m) => s + m.spentMinor, 0)).toBe(g.totals.spentCumulativeMinor);
      }),
      { seed: 17, numRuns: 60 },
    );
  });
});

const enrolled = (id: string, governorate: string, sex: 'F' | 'M', district = 'Halba'): Ev => ({
  type: 'HouseholdEnrolled', day: '2025-08-01', data: { householdId: id, essnId: `ESSN-${id}`, governorate, district, sdcId: 'SDC-1', participant: { participantId: `P-${id}`, sex }, consent: true },
});

describe('beneficiaries: households by status, sex and governorate', () => {
  it('counts the current participant’s sex, withdrawn households, and replaced ones whatever their status', async () => {
    const store = await readModel(
      [
        enrolled('H1', 'Akkar', 'F'), enrolled('H2', 'Akkar', 'M'), enrolled('H3', 'Bekaa', 'F'), enrolled('H4', 'Bekaa', 'F'),
        { type: 'ParticipantReplaced', day: '2025-09-01', data: { householdId: 'H2', participant: { participantId: 'P-H2b', sex: 'F' }, reason: 'migrated' } },
        { type: 'ParticipantReplaced', day: '2025-09-02', data: { householdId: 'H3', participant: { participantId: 'P-H3b', sex: 'M' }, reason: 'illness' } },
        { type: 'HouseholdWithdrawn', day: '2025-10-01', data: { householdId: 'H3', reason: 'left the area' } },
        { type: 'HouseholdWithdrawn', day: '2025-10-01', data: { householdId: 'H4', reason: 'declined' } },
      ],
      ['beneficiaries'],
    );
    const { households, funnel } = await store.read((tx) => beneficiaries(tx));
    expect(households).toEqual({
      total: 4,
      byStatus: { active: 2, withdrawn: 2, replaced: 2 },
      bySex: { F: 3, M: 1 },
      byGovernorate: {
        Akkar: { total: 2, F: 2, M: 0, active: 2, withdrawn: 0, replaced: 1 },
        Bekaa: { total: 2, F: 1, M: 1, active: 0, withdrawn: 2, replaced: 1 },
      },
    });
    expect(funnel.find((f) => f.stage === 'withdrawn')!.total).toBe(households.byStatus.withdrawn);
  });
});

describe('asset register: summary by governorate and by kit category', () => {
  it('adds deliveries, quantity and US cents per governorate (NFC) and per category, unknown last', async () => {
    const item = (itemCode: string, category: string): Ev => ({ type: 'AssetCatalogueItemApproved', day: '2025-08-01', data: { itemCode, name: `Kit ${itemCode}`, category, unitCostCeilingMinor: 100_000 } });
    const delivered = (deliveryId: string, householdId: string, itemCode: string, quantity: number, unitCostMinor: number, currency = 'USD', fxRateToUsd?: string): Ev => ({
      type: 'AssetDelivered', day: '2025-09-01',
      data: { deliveryId, householdId, itemCode, quantity, unitCostMinor, currency, ...(fxRateToUsd ? { fxRateToUsd } : {}), supplier: 'S', invoiceRef: `INV-${deliveryId}` },
    });
    const store = await readModel(
      [
        item('SEW', 'sewing-embroidery'), item('GOAT', 'agriculture'),
        enrolled('H1', 'Akk\u0101r', 'F'), enrolled('H2', 'Akka\u0304r', 'M'), enrolled('H3', 'Bekaa', 'F', 'Zahle'),
        delivered('D1', 'H1', 'SEW', 1, 45_000), delivered('D2', 'H2', 'GOAT', 2, 30_000), delivered('D3', 'H3', 'SEW', 1, 3_580_000_00, 'LBP', '89500'), delivered('D4', 'H3', 'NONE', 1, 1_000),
      ],
      ['asset-register'],
    );
    const register = await store.read((tx) => assetRegister(tx));
    const lbp = toUsdMinor(3_580_000_00, 'LBP', '89500');
    expect(register.summary.byGovernorate).toEqual([
      { governorate: 'Akk\u0101r', deliveries: 2, quantity: 3, totalUsdMinor: 45_000 + 60_000 },
      { governorate: 'Bekaa', deliveries: 2, quantity: 2, totalUsdMinor: lbp + 1_000 },
    ]);
    expect(register.summary.byCategory).toEqual([
      { category: 'agriculture', deliveries: 1, quantity: 2, totalUsdMinor: 60_000 },
      { category: 'sewing-embroidery', deliveries: 2, quantity: 2, totalUsdMinor: 45_000 + lbp },
      { category: null, deliveries: 1, quantity: 1, totalUsdMinor: 1_000 },
    ]);
    expect(register.rows[2]).toMatchObject({ itemName: 'Kit SEW', category: 'sewing-embroidery', governorate: 'Bekaa', district: 'Zahle' });
    for (const by of [register.summary.byGovernorate, register.summary.byCategory]) {
      expect(by.reduce((s, g) => s + g.totalUsdMinor, 0)).toBe(register.totals.totalUsdMinor);
      expect(by.reduce((s, g) => s + g.deliveries, 0)).toBe(register.totals.deliveries);
    }
  });
});

describe('asset register: a reversed expenditure', () => {
  it('leaves unpaid the delivery it paid, and not a delivery a later expenditure paid again', async () => {
    const delivered = (deliveryId: string): Ev => ({
      type: 'AssetDelivered', day: '2025-09-01',
      data: { deliveryId, householdId: 'H1', itemCode: 'SEW', quantity: 1, unitCostMinor: 45_000, currency: 'USD', supplier: 'S', invoiceRef: `INV-${deliveryId}` },
    });
    // readModel numbers events from 1, so `e-<n>` is the id of the n-th event below.
    const paid = (id: string, eventN: number): Ev => ({ ...spent(id, '2025-09-10', 45_000), data: { ...spent(id, '2025-09-10', 45_000).data, relatedEventId: `e-${eventN}` } });
    const store = await readModel(
      [
        enrolled('H1', 'Bekaa', 'F'), delivered('D1'), delivered('D2'), delivered('D3'),
        paid('X1', 2), paid('X2', 3), paid('X3', 3), paid('X4', 4),
        reversed('X1', '2025-10-01'), reversed('X2', '2025-10-01'), reversed('UNLINKED', '2025-10-01'),
      ],
      ['asset-register'],
    );
    const register = await store.read((tx) => assetRegister(tx));
    expect(register.rows.map((r) => [r.deliveryId, r.expenditureId])).toEqual([['D1', null], ['D2', 'X3'], ['D3', 'X4']]);
  });
});
