import type { CashForecastRecorded, FundsReceived, WorkPlanBudgetApproved } from '@peil/contracts';
import type { GrantCommand } from './grant.decider';
import { designatedAccount } from './grant-funds';
import { committed, grantAfter, ON, reallocated, reversed, signed, spec, spent } from './grant.fixtures';

type Cmd<T extends GrantCommand['type']> = Extract<GrantCommand, { type: T }>;

const received = (receiptId: string, amountMinor: number, over: Partial<FundsReceived> = {}): Cmd<'FundsReceived'> => ({
  type: 'FundsReceived',
  occurredAt: ON,
  data: { receiptId, grantId: 'JSDF-PEIL', kind: 'advance', withdrawalApplicationRef: `WA-${receiptId}`, valueDate: '2025-08-15', amountMinor, currency: 'USD', ...over },
});
const workPlan = (budgets: WorkPlanBudgetApproved['budgets'], over: Partial<WorkPlanBudgetApproved> = {}): Cmd<'WorkPlanBudgetApproved'> => ({
  type: 'WorkPlanBudgetApproved',
  occurredAt: ON,
  data: { grantId: 'JSDF-PEIL', fiscalYearStart: '2025-07-01', approvalRef: 'WB-NOL-2025-012', budgets, ...over },
});
const forecasted = (period: string, lines: CashForecastRecorded['lines'], grantId = 'JSDF-PEIL'): Cmd<'CashForecastRecorded'> => ({ type: 'CashForecastRecorded', occurredAt: ON, data: { grantId, period, lines } });

describe('FundsReceived', () => {
  it('records an advance into the designated account', () => {
    spec.given([signed()]).when(received('R1', 50_000_000)).then([{ type: 'FundsReceived', data: received('R1', 50_000_000).data }]);
  });
  it('records a replenishment in LBP at its rate, counted in US cents (8,950,000,000 LBP at 89,500 = US$100,000.00)', () => {
    const lbp = received('R2', 8_950_000_000, { kind: 'replenishment', currency: 'LBP', fxRateToUsd: '89500' });
    spec.given([signed()]).when(lbp).then([{ type: 'FundsReceived', data: lbp.data }]);
    expect(grantAfter([signed(), lbp]).funds.receipts.get('R2')).toMatchObject({ amountMinor: 8_950_000_000, currency: 'LBP', usdMinor: 10_000_000 });
  });
  it('rejects a grant that is not signed (unknown_grant)', () => {
    spec.given([]).when(received('R1', 100)).thenRejects('unknown_grant', 'data.grantId');
  });
  it('rejects a receipt id used before on the grant (duplicate_receipt)', () => {
    spec.given([signed(), received('R1', 100)]).when(received('R1', 200)).thenRejects('duplicate_receipt', 'data.receiptId');
  });
  it('applies the money rules with their own codes (fx_rate_required, fx_rate_not_applicable, amount_rounds_to_zero)', () => {
    spec.given([signed()]).when(received('R1', 100, { currency: 'LBP' })).thenRejects('fx_rate_required', 'data.fxRateToUsd');
    spec.given([signed()]).when(received('R1', 100, { fxRateToUsd: '89500' })).thenRejects('fx_rate_not_applicable', 'data.fxRateToUsd');
    spec.given([signed()]).when(received('R1', 400, { currency: 'LBP', fxRateToUsd: '89500' })).thenRejects('amount_rounds_to_zero', 'data.amountMinor');
  });
  it('rejects money dated before the grant starts (value_date_before_grant)', () => {
    spec.given([signed()]).when(received('R1', 100, { valueDate: '2025-06-30' })).thenRejects('value_date_before_grant', 'data.valueDate');
  });

  describe('a direct payment', () => {
    const invoice = spent('E1', 'C4.2', 250_000);
    const direct = (over: Partial<FundsReceived> = {}) => received('DP1', 250_000, { kind: 'direct_payment', expenditureId: 'E1', ...over });
    it('pays one recorded expenditure, which then bypasses the designated account', () => {
      spec.given([signed(), invoice]).when(direct()).then([{ type: 'FundsReceived', data: direct().data }]);
      const grant = grantAfter([signed(), received('R1', 1_000_000), invoice, spent('E2', 'C4.1', 300_000), direct()]);
      expect(designatedAccount(grant)).toEqual({ receivedMinor: 1_000_000, paidMinor: 300_000, balanceMinor: 700_000, directPaymentsMinor: 250_000 });
    });
    it('rejects an expenditure the grant does not have, or one reversed (unknown_expenditure, expenditure_already_reversed)', () => {
      spec.given([signed()]).when(direct()).thenRejects('unknown_expenditure', 'data.expenditureId');
      spec.given([signed(), invoice, reversed('E1')]).when(direct()).thenRejects('expenditure_already_reversed', 'data.expenditureId');
    });
    it('rejects paying an expenditure twice (expenditure_already_paid)', () => {
      spec.given([signed(), invoice, direct()]).when(received('DP2', 250_000, { kind: 'direct_payment', expenditureId: 'E1' })).thenRejects('expenditure_already_paid', 'data.expenditureId');
    });
    it('rejects a payment of another value than the expenditure (direct_payment_mismatch)', () => {
      spec.given([signed(), invoice]).when(direct({ amountMinor: 250_001 })).thenRejects('direct_payment_mismatch', 'data.amountMinor');
    });
  });

  describe('the designated account', () => {
    it('goes negative when the recipient pays before an advance arrives (pre-financing), and spending is never refused for it', () => {
      const delivery = spent('delivery-D1', 'C2.1', 2_900_000, { currency: 'LBP', fxRateToUsd: '89500' });
      spec.given([signed()]).when(delivery).then([{ type: 'ExpenditureRecorded', data: delivery.data }]);
      expect(designatedAccount(grantAfter([signed(), delivery]))).toMatchObject({ receivedMinor: 0, paidMinor: 3_240, balanceMinor: -3_240 });
      expect(designatedAccount(grantAfter([signed(), delivery, received('R1', 10_000)])).balanceMinor).toBe(6_760);
    });
    it('gets a reversed expenditure back', () => {
      expect(designatedAccount(grantAfter([signed(), received('R1', 10_000), spent('E1', 'C4.1', 4_000), reversed('E1')])).balanceMinor).toBe(10_000);
    });
  });
});

describe('WorkPlanBudgetApproved', () => {
  const q = (budgetLine: string, period: string, amountMinor: number) => ({ budgetLine, period, amountMinor });
  it('approves a budget per line per quarter of the fiscal year', () => {
    const plan = workPlan([q('C2.1', '2025Q3', 10_000_000), q('C2.1', '2025Q4', 20_000_000), q('C4.1', '2026Q2', 1_000_000)]);
    spec.given([signed()]).when(plan).then([{ type: 'WorkPlanBudgetApproved', data: plan.data }]);
    expect(grantAfter([signed(), plan]).funds.workPlans.get('2025-07-01')!.budgets.get('C2.1')).toEqual(new Map([['2025Q3', 10_000_000], ['2025Q4', 20_000_000]]));
  });
  it('replaces the whole plan of the fiscal year when it is revised', () => {
    const revised = workPlan([q('C4.1', '2025Q3', 5)], { approvalRef: 'WB-NOL-2025-040' });
    const grant = grantAfter([signed(), workPlan([q('C2.1', '2025Q3', 10_000_000)]), revised]);
    expect([...grant.funds.workPlans.get('2025-07-01')!.budgets.keys()]).toEqual(['C4.1']);
  });
  it('rejects a fiscal year that does not start a quarter (fiscal_year_start_not_quarter)', () => {
    spec.given([signed()]).when(workPlan([q('C2.1', '2025Q3', 1)], { fiscalYearStart: '2025-08-01' })).thenRejects('fiscal_year_start_not_quarter', 'data.fiscalYearStart');
  });
  it('rejects a fiscal year that overlaps one planned before (fiscal_year_overlaps)', () => {
    spec.given([signed(), workPlan([q('C2.1', '2025Q3', 1)])]).when(workPlan([q('C2.1', '2025Q4', 1)], { fiscalYearStart: '2025-10-01' })).thenRejects('fiscal_year_overlaps', 'data.fiscalYearStart');
    const next = workPlan([q('C2.1', '2026Q3', 1)], { fiscalYearStart: '2026-07-01' });
    spec.given([signed(), workPlan([q('C2.1', '2025Q3', 1)])]).when(next).then([{ type: 'WorkPlanBudgetApproved', data: next.data }]);
  });
  it('rejects a quarter outside the fiscal year or the grant (period_outside_fiscal_year, period_outside_grant)', () => {
    spec.given([signed()]).when(workPlan([q('C2.1', '2026Q3', 1)])).thenRejects('period_outside_fiscal_year', 'data.budgets[0].period');
    spec.given([signed()]).when(workPlan([q('C2.1', '2025Q1', 1)], { fiscalYearStart: '2025-01-01' })).thenRejects('period_outside_grant', 'data.budgets[0].period');
  });
  it('rejects an unknown line and a line budgeted twice for a quarter (unknown_budget_line, duplicate_budget_entry)', () => {
    spec.given([signed()]).when(workPlan([q('C9.9', '2025Q3', 1)])).thenRejects('unknown_budget_line', 'data.budgets[0].budgetLine');
    spec.given([signed()]).when(workPlan([q('C2.1', '2025Q3', 1), q('C2.1', '2025Q3', 2)])).thenRejects('duplicate_budget_entry', 'data.budgets[1]');
  });
  it('rejects plans that, over every fiscal year, budget more than the line is allocated (work_plan_exceeds_allocation)', () => {
    const first = workPlan([q('C4.2', '2025Q3', 6_000_000)]);
    const second = (amountMinor: number) => workPlan([q('C4.2', '2026Q3', amountMinor)], { fiscalYearStart: '2026-07-01' });
    spec.given([signed(), first]).when(second(4_000_000)).then([{ type: 'WorkPlanBudgetApproved', data: second(4_000_000).data }]);
    spec.given([signed(), first]).when(second(4_000_001)).thenRejects('work_plan_exceeds_allocation', 'data.budgets');
    // A revision of the same year replaces it rather than adding to it.
    spec.given([signed(), first]).when(workPlan([q('C4.2', '2025Q3', 10_000_000)])).then([{ type: 'WorkPlanBudgetApproved', data: workPlan([q('C4.2', '2025Q3', 10_000_000)]).data }]);
    // After a reallocation the line's new allocation is the limit.
    spec.given([signed(), reallocated('C4.2', 'C4.1', 5_000_000)]).when(first).thenRejects('work_plan_exceeds_allocation');
  });
});

describe('CashForecastRecorded', () => {
  it('records the cash a coming quarter needs, per line; the latest for a quarter replaces the one before', () => {
    const next = forecasted('2025Q4', [{ budgetLine: 'C2.1', amountMinor: 5_250_000 }, { budgetLine: 'C4.1', amountMinor: 300_000 }]);
    spec.given([signed()]).when(next).then([{ type: 'CashForecastRecorded', data: next.data }]);
    const grant = grantAfter([signed(), next, forecasted('2025Q4', [{ budgetLine: 'C2.2', amountMinor: 1 }])]);
    expect(grant.funds.forecasts.get('2025Q4')!.lines).toEqual(new Map([['C2.2', 1]]));
  });
  it('rejects an unknown grant, an unknown or repeated line, a quarter outside the grant', () => {
    spec.given([signed()]).when(forecasted('2025Q4', [{ budgetLine: 'C2.1', amountMinor: 1 }], 'NOPE')).thenRejects('unknown_grant', 'data.grantId');
    spec.given([signed()]).when(forecasted('2025Q4', [{ budgetLine: 'C9.9', amountMinor: 1 }])).thenRejects('unknown_budget_line', 'data.lines[0].budgetLine');
    spec.given([signed()]).when(forecasted('2025Q4', [{ budgetLine: 'C2.1', amountMinor: 1 }, { budgetLine: 'C2.1', amountMinor: 2 }])).thenRejects('duplicate_forecast_line', 'data.lines[1].budgetLine');
    spec.given([signed()]).when(forecasted('2027Q3', [{ budgetLine: 'C2.1', amountMinor: 1 }])).thenRejects('period_outside_grant', 'data.period');
  });
  it('leaves the budget untouched: a forecast is not a commitment', () => {
    const grant = grantAfter([signed(), committed('PO-1', 'C2.1', 100), forecasted('2025Q4', [{ budgetLine: 'C2.1', amountMinor: 112_500_000 }])]);
    expect(grant.lines.get('C2.1')).toMatchObject({ committedMinor: 100, spentMinor: 0 });
  });
});
