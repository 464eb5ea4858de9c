import { csvDocument } from './csv';
import type { Columns, InterimFinancialReport } from './ifr.report';

/**
 * The IFR as one table a finance officer opens in Excel: a row per figure, a `section` column
 * saying which statement it belongs to (report, sources-and-uses, category, component, line,
 * designated-account, reconciliation, forecast). Amounts are written as currency units, not minor
 * units — US dollars with two decimals, Lebanese pounds whole — formatted from the integer cents
 * (never through a float), because people read this file; the JSON form keeps minor units.
 */
export const IFR_CSV_COLUMNS = [
  'section', 'grantId', 'code', 'name', 'category',
  'budgetPeriodUsd', 'actualPeriodUsd', 'variancePeriodUsd', 'variancePeriodPercent',
  'budgetYearToDateUsd', 'actualYearToDateUsd', 'varianceYearToDateUsd', 'varianceYearToDatePercent',
  'budgetCumulativeUsd', 'actualCumulativeUsd', 'varianceCumulativeUsd', 'varianceCumulativePercent',
  'allocationUsd', 'actualPeriodLbp', 'actualYearToDateLbp', 'actualCumulativeLbp', 'forecastNextPeriodUsd',
] as const;

/** "1234.56" / "-0.05" from US cents. */
export const dollars = (cents: number): string => {
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};

type Row = Partial<Record<(typeof IFR_CSV_COLUMNS)[number], string | number | null>>;

const amounts = (c: Columns) => ({ actualPeriodUsd: dollars(c.periodMinor), actualYearToDateUsd: dollars(c.yearToDateMinor), actualCumulativeUsd: dollars(c.cumulativeMinor) });
const lbpColumns = (c: Columns | null): Row => (c ? { actualPeriodLbp: c.periodMinor, actualYearToDateLbp: c.yearToDateMinor, actualCumulativeLbp: c.cumulativeMinor } : {});

interface Figures {
  allocationMinor: number;
  budget: Columns;
  actual: Columns;
  variance: Columns;
  variancePercent: { period: string | null; yearToDate: string | null; cumulative: string | null };
  lbp: Columns | null;
}
const budgetRow = (f: Figures): Row => ({
  budgetPeriodUsd: dollars(f.budget.periodMinor), ...amounts(f.actual), variancePeriodUsd: dollars(f.variance.periodMinor), variancePeriodPercent: f.variancePercent.period,
  budgetYearToDateUsd: dollars(f.budget.yearToDateMinor), varianceYearToDateUsd: dollars(f.variance.yearToDateMinor), varianceYearToDatePercent: f.variancePercent.yearToDate,
  budgetCumulativeUsd: dollars(f.budget.cumulativeMinor), varianceCumulativeUsd: dollars(f.variance.cumulativeMinor), varianceCumulativePercent: f.variancePercent.cumulative,
  allocationUsd: dollars(f.allocationMinor), ...lbpColumns(f.lbp),
});

export function ifrCsv(ifr: InterimFinancialReport, options: { bom: boolean; ledgerPosition: number | null }): string {
  const rows: Row[] = [
    { section: 'report', code: ifr.period, name: `Interim financial report ${ifr.periodStart} to ${ifr.periodEnd}; year to date from ${ifr.fiscalYearStart}; ledger position ${options.ledgerPosition ?? 0}` },
  ];
  for (const g of ifr.grants) {
    const su = g.sourcesAndUses;
    const flow = (section: string, code: string, name: string, c: Columns, lbp: Columns | null = null): Row => ({ section, grantId: g.grantId, code, name, ...amounts(c), ...lbpColumns(lbp) });
    rows.push(
      flow('sources-and-uses', 'opening-cash', 'Opening cash balance', su.openingCash),
      flow('sources-and-uses', 'advances', 'Advances to the designated account', su.sources.advances),
      flow('sources-and-uses', 'replenishments', 'Replenishments of the designated account', su.sources.replenishments),
      flow('sources-and-uses', 'direct-payments', 'Direct payments by the administrator', su.sources.directPayments),
      flow('sources-and-uses', 'total-sources', 'Total sources of funds', su.sources.total, su.sources.lbp),
      flow('sources-and-uses', 'total-uses', 'Total uses of funds (expenditures)', su.uses),
      flow('sources-and-uses', 'closing-cash', 'Closing cash balance', su.closingCash),
    );
    for (const c of g.usesByCategory) rows.push({ section: 'category', grantId: g.grantId, code: c.code, name: c.name, category: c.code, ...budgetRow(c) });
    for (const c of g.usesByComponent) {
      rows.push({ section: 'component', grantId: g.grantId, code: c.code, name: c.name, ...budgetRow(c) });
      for (const l of c.budgetLines) rows.push({ section: 'line', grantId: g.grantId, code: l.code, name: l.name, category: l.category, ...budgetRow(l), forecastNextPeriodUsd: dollars(l.forecastNextPeriodMinor) });
    }
    const da = g.designatedAccount;
    rows.push(
      flow('designated-account', 'opening', 'Opening balance', da.opening),
      flow('designated-account', 'received', 'Advances and replenishments received', da.received),
      flow('designated-account', 'paid', 'Payments from the account', da.paid),
      flow('designated-account', 'closing', 'Closing balance (negative: pre-financed by the recipient)', da.closing),
    );
    const r = g.reconciliation;
    const check = (code: string, name: string, cents: number): Row => ({ section: 'reconciliation', grantId: g.grantId, code, name, actualCumulativeUsd: dollars(cents) });
    rows.push(
      check('da-balance-from-ledger', 'Designated account: received less paid, from the ledger', r.designatedAccount.balanceFromLedgerMinor),
      check('da-difference', 'Designated account: statement less ledger (must be 0.00)', r.designatedAccount.differenceMinor),
      check('cash-difference', 'Cash: closing cash less account balance and unmatched direct payments (must be 0.00)', r.cash.differenceMinor),
    );
    rows.push(
      { section: 'forecast', grantId: g.grantId, code: g.forecast.period, name: 'Cash forecast for the next quarter', forecastNextPeriodUsd: dollars(g.forecast.totalMinor) },
      { section: 'forecast', grantId: g.grantId, code: 'net-requirement', name: 'Forecast less the designated account balance', forecastNextPeriodUsd: dollars(g.forecast.netRequirementMinor) },
    );
  }
  return csvDocument(IFR_CSV_COLUMNS, rows.map((row) => IFR_CSV_COLUMNS.map((c) => row[c] ?? null)), { bom: options.bom });
}
