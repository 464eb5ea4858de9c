import { JSDF_COMPONENTS, JSDF_LINES as LINES } from '@peil/contracts';
import { pad, usdOf } from './households';
import type { Prng } from './random';
import { monthLabel, PILOT_MONTHS, quarterOf, type Timeline } from './timeline';

export const GRANT_ID = 'JSDF-TF0C2751';
export const GRANT_AMOUNT_MINOR = 270_700_000;

export { JSDF_COMPONENTS, JSDF_LINES as LINES } from '@peil/contracts';
export const ALLOCATIONS: Record<string, number> = Object.fromEntries(JSDF_COMPONENTS.flatMap((c) => c.budgetLines.map((l) => [l.code, l.allocationMinor])));
const REALLOCATION = { from: LINES.design, to: LINES.training, amountMinor: 3_000_000 };

/** The JSDF grant as signed at the start of the pilot, with the World Bank's two disbursement categories. */
export function signGrant(t: Timeline): void {
  t.add('grant-setup', 0, 2, '10:00', 'GrantAgreementSigned', {
    grantId: GRANT_ID, donor: 'Japan Social Development Fund', administrator: 'World Bank', recipient: 'René Moawad Foundation',
    currency: 'USD', amountMinor: GRANT_AMOUNT_MINOR, startDate: '2025-06-01', closingDate: '2027-05-31', components: JSDF_COMPONENTS,
    disbursementCategories: [
      { code: '1', name: 'Goods, non-consulting services, consulting services, training and operating costs', budgetLines: [LINES.design, LINES.training, LINES.coaching, LINES.nudges, LINES.evaluation, LINES.management] },
      { code: '2', name: 'Asset transfers to participating households', budgetLines: [LINES.assets] },
    ],
  }, GRANT_ID);
  t.add('finance', 0, 25, '12:00', 'FundsReceived', {
    receiptId: 'WA-001', grantId: GRANT_ID, kind: 'advance', withdrawalApplicationRef: 'WA-001', valueDate: '2025-06-24', amountMinor: 45_000_000, currency: 'USD',
  }, 'WA-001');
  t.add('grant-setup', 3, 8, '10:00', 'BudgetReallocated', { grantId: GRANT_ID, fromLine: REALLOCATION.from, toLine: REALLOCATION.to, amountMinor: REALLOCATION.amountMinor, approvalRef: 'WB-NOL-2025-014' }, 'realloc-1');
}

/** What finance records itself: consultancies, payroll, rent, coaches, SMS, survey firms, the audit, and corrections. */
export function financeExpenditures(t: Timeline, rng: Prng): void {
  const spent = (m: number, day: number, budgetLine: string, id: string, usd: number, payee: string, documentRef: string, lbpRate?: string) => {
    const money = lbpRate ? { amountMinor: usd * 895, currency: 'LBP', fxRateToUsd: lbpRate } : { amountMinor: usd, currency: 'USD' };
    t.add('finance', m, day, '15:30', 'ExpenditureRecorded', { expenditureId: id, budgetLine, ...money, payee, documentRef }, id);
    t.spend(budgetLine, m, lbpRate ? usdOf(money.amountMinor, lbpRate) : usd);
  };
  [3_850_000, 4_200_000, 3_600_000].forEach((usd, m) => spent(m, 20, LINES.design, `EXP-DES-${m + 1}`, usd, 'Triangle Research & Consulting', `TRC-INV-2025-0${m + 1}`));
  spent(1, 12, LINES.evaluation, 'EXP-EVA-TAB', 1_180_000, 'Khoury Home Appliances (tablets for enumerators)', 'KHA-INV-88213');
  spent(4, 18, LINES.evaluation, 'EXP-EVA-BASE', 8_500_000, 'Consultation and Research Institute', 'CRI-INV-BASELINE');
  spent(10, 18, LINES.evaluation, 'EXP-EVA-MID', 6_500_000, 'Consultation and Research Institute', 'CRI-INV-MIDLINE');
  spent(17, 10, LINES.evaluation, 'EXP-EVA-END', 9_500_000, 'Consultation and Research Institute', 'CRI-INV-ENDLINE');
  // The World Bank paid the baseline survey firm directly from the grant account.
  t.add('finance', 4, 26, '16:00', 'FundsReceived', {
    receiptId: 'WA-DP-01', grantId: GRANT_ID, kind: 'direct_payment', withdrawalApplicationRef: 'WA-DP-01', valueDate: `${monthLabel(4)}-25`, amountMinor: 8_500_000, currency: 'USD', expenditureId: 'EXP-EVA-BASE',
  }, 'WA-DP-01');
  t.spend('direct-payments', 4, 8_500_000);
  spent(12, 22, LINES.management, 'EXP-MGT-AUDIT-2025', 1_650_000, 'External auditor (FY2025 audit)', 'AUD-2025-INV-1');
  for (let m = 0; m < PILOT_MONTHS; m++) {
    const label = monthLabel(m);
    spent(m, 28, LINES.management, `EXP-MGT-PAY-${label}`, 780_000, 'PEIL project team payroll', `PAY-${label}`);
    spent(m, 5, LINES.management, `EXP-MGT-RENT-${label}`, 58_000, 'Office rent and utilities, Tripoli', `RENT-${label}`, '89500');
    if (m >= 3) spent(m, 27, LINES.coaching, `EXP-COA-${label}`, 840_000, 'Community coaches (monthly stipends)', `COA-${label}`);
    if (m >= 4) spent(m, 3, LINES.nudges, `EXP-NUD-${label}`, rng.int(900, 1_500) * 100, 'Bulk SMS and WhatsApp Business messaging', `MSG-${label}`);
    // A payroll invoice entered twice, found at the monthly reconciliation and reversed.
    if ((m === 5 || m === 9 || m === 14) && m + 1 < PILOT_MONTHS) {
      spent(m, 28, LINES.management, `EXP-MGT-PAY-${label}-DUP`, 780_000, 'PEIL project team payroll', `PAY-${label}`);
      t.add('finance', m + 1, 6, '09:30', 'ExpenditureReversed', { expenditureId: `EXP-MGT-PAY-${label}-DUP`, reason: 'duplicate entry of the payroll invoice' }, `EXP-MGT-PAY-${label}-DUP`);
      t.spend(LINES.management, m + 1, -780_000);
    }
  }
}

const QUARTER_MONTHS = (q: string) => Array.from({ length: PILOT_MONTHS }, (_, m) => m).filter((m) => quarterOf(m) === q);
const quarters = () => [...new Set(Array.from({ length: PILOT_MONTHS }, (_, m) => quarterOf(m)))];

/**
 * Work plans (one per calendar fiscal year), cash forecasts each quarter for the next, and
 * replenishments of the designated account after each quarter for what it documented — one of them
 * paid in pounds. Amounts follow the pilot's own spending, so variances stay small as in a good year.
 */
export function plansAndReplenishments(t: Timeline): void {
  const lines = Object.values(LINES);
  const budget = (code: string, q: string) => Math.ceil((QUARTER_MONTHS(q).reduce((s, m) => s + (t.spending.get(code)?.[m] ?? 0), 0) * 1.05) / 10_000) * 10_000;
  const planned = quarters().filter((q) => q >= '2025Q3');
  // Never more than the allocation over the grant's life (before the reallocation, to be safe).
  const scale = Object.fromEntries(lines.map((code) => {
    const total = planned.reduce((s, q) => s + budget(code, q), 0);
    const available = ALLOCATIONS[code]! - (code === REALLOCATION.from ? REALLOCATION.amountMinor : 0);
    return [code, total > available ? available / total : 1];
  }));
  const budgets = (q: string) => lines.map((code) => ({ budgetLine: code, period: q, amountMinor: Math.floor((budget(code, q) * scale[code]!) / 100) * 100 })).filter((b) => b.amountMinor > 0);
  for (const [m, year] of [[0, '2025'], [7, '2026']] as const) {
    t.add('grant-setup', m, 14, '11:00', 'WorkPlanBudgetApproved', {
      grantId: GRANT_ID, fiscalYearStart: `${year}-01-01`, approvalRef: `WB-NOL-WP-${year}`, budgets: planned.filter((q) => q.startsWith(year)).flatMap(budgets),
    }, `workplan-${year}`);
  }
  // In the last month of each quarter, the forecast of the next.
  for (const q of planned) {
    const m = Math.min(...QUARTER_MONTHS(q)) - 1;
    const forecast = budgets(q).map(({ budgetLine, amountMinor }) => ({ budgetLine, amountMinor }));
    if (m >= 0 && forecast.length > 0) t.add('finance', m, 20, '10:00', 'CashForecastRecorded', { grantId: GRANT_ID, period: q, lines: forecast }, `forecast-${q}`);
  }
  // After each quarter, a withdrawal application for what it documented (direct payments excluded).
  quarters().forEach((q, i) => {
    const m = Math.max(...QUARTER_MONTHS(q)) + 1;
    if (m >= PILOT_MONTHS) return;
    const documented = QUARTER_MONTHS(q).reduce((s, k) => s + lines.reduce((a, code) => a + (t.spending.get(code)?.[k] ?? 0), 0) - (t.spending.get('direct-payments')?.[k] ?? 0), 0);
    const usd = Math.floor(documented / 10_000) * 10_000;
    if (usd <= 0) return;
    const ref = `WA-${pad(i + 2, 3)}`;
    const inPounds = q === '2025Q4';
    t.add('finance', m, 16, '12:00', 'FundsReceived', {
      receiptId: ref, grantId: GRANT_ID, kind: 'replenishment', withdrawalApplicationRef: ref, valueDate: `${monthLabel(m)}-15`,
      ...(inPounds ? { amountMinor: usd * 895, currency: 'LBP', fxRateToUsd: '89500' } : { amountMinor: usd, currency: 'USD' }),
    }, ref);
  });
}
