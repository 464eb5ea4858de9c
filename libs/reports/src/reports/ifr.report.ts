import { addQuarters, quarterDays, quarterOfDay } from '@peil/contracts';
import type { ReadTx } from '@peil/projections';
import { GS, type GsExpenditure, type GsForecast, type GsGrant, type GsLine, type GsReceipt, type GsWorkPlan } from '../projections/grant-statement.projection';
import { ReportRequestError } from './report-request-error';

/** The grant's books as the grant-statement projection keeps them. */
export interface GrantBook {
  grants: GsGrant[];
  lines: GsLine[];
  expenditures: GsExpenditure[];
  receipts: GsReceipt[];
  workPlans: GsWorkPlan[];
  forecasts: GsForecast[];
}

export async function grantBook(tx: ReadTx): Promise<GrantBook> {
  const docs = async <T extends Record<string, unknown>>(collection: string) => (await tx.all<T>(collection)).map((d) => d.doc);
  return {
    grants: await docs<GsGrant>(GS.grants),
    lines: (await docs<GsLine>(GS.lines)).sort((a, b) => a.order - b.order),
    expenditures: (await docs<GsExpenditure>(GS.expenditures)).sort((a, b) => a.position - b.position),
    receipts: (await docs<GsReceipt>(GS.receipts)).sort((a, b) => a.position - b.position),
    workPlans: await docs<GsWorkPlan>(GS.workPlans),
    forecasts: await docs<GsForecast>(GS.forecasts),
  };
}

/** One figure over the report's three windows: the quarter, the fiscal year to its end, the grant's life to its end. */
export interface Columns {
  periodMinor: number;
  yearToDateMinor: number;
  cumulativeMinor: number;
}
type Window = keyof Columns;

/** A window as days (inclusive) and as quarters (inclusive; quarter strings sort in time order). */
interface Span {
  from: string;
  to: string;
  fromQuarter: string;
  toQuarter: string;
}

const columns = (f: (span: Span) => number, spans: Record<Window, Span>): Columns =>
  ({ periodMinor: f(spans.periodMinor), yearToDateMinor: f(spans.yearToDateMinor), cumulativeMinor: f(spans.cumulativeMinor) });
const zip = (a: Columns, b: Columns, op: (x: number, y: number) => number): Columns =>
  ({ periodMinor: op(a.periodMinor, b.periodMinor), yearToDateMinor: op(a.yearToDateMinor, b.yearToDateMinor), cumulativeMinor: op(a.cumulativeMinor, b.cumulativeMinor) });
const within = (day: string | null, span: Span) => day !== null && day >= span.from && day <= span.to;

/** variance / budget as a percentage with two decimals, rounded half to even, exactly; null without a budget. */
export function percent(part: number, whole: number): string | null {
  if (whole === 0) return null;
  const negative = part < 0 !== whole < 0 && part !== 0;
  const n = BigInt(Math.abs(part)) * 10_000n;
  const d = BigInt(Math.abs(whole));
  let q = n / d;
  const twice = 2n * (n % d);
  if (twice > d || (twice === d && q % 2n === 1n)) q += 1n;
  const digits = q.toString().padStart(3, '0');
  return `${negative && q !== 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** The first day of the fiscal year holding a day, for a fiscal year starting on the 1st of `startMonth`. */
export function fiscalYearStart(day: string, startMonth: number): string {
  const year = Number(day.slice(0, 4));
  const candidate = `${year}-${String(startMonth).padStart(2, '0')}-01`;
  return candidate <= day ? candidate : `${year - 1}-${String(startMonth).padStart(2, '0')}-01`;
}

/** Budget, actual, variance (budget − actual) and variance % over the three windows. */
function budgetVersusActual(budget: Columns, actual: Columns) {
  const variance = zip(budget, actual, (b, a) => b - a);
  return {
    budget,
    actual,
    variance,
    variancePercent: {
      period: percent(variance.periodMinor, budget.periodMinor),
      yearToDate: percent(variance.yearToDateMinor, budget.yearToDateMinor),
      cumulative: percent(variance.cumulativeMinor, budget.cumulativeMinor),
    },
  };
}

/**
 * The World Bank interim financial report (IFR) for a calendar quarter, per grant, in US cents.
 *
 * Three windows: the quarter; the fiscal year to the quarter's end (from the 1st of
 * `fiscalYearStartMonth`); the grant's life to the quarter's end. An expenditure counts on the day
 * it was made and comes off on the day it was reversed; money received counts on its value date.
 * - Sources: advances and replenishments (into the designated account) and direct payments.
 * - Uses: expenditures, by disbursement category and by component and line, against the approved
 *   work plans' budgets for the same quarters (variance = budget − actual).
 * - Designated account: opening + received − paid = closing, where paid leaves out what the
 *   administrator paid directly. A negative balance is the recipient pre-financing the grant.
 * - Cash: opening + sources − uses = closing; it differs from the designated account only by the
 *   direct payments not yet matched by their expenditure, which the reconciliation shows.
 * - Forecast: the latest cash forecast recorded for the next quarter, less the account's balance.
 * LBP columns carry the pounds actually paid or received where amounts were in LBP.
 */
export function interimFinancialReport(book: GrantBook, period: string, fiscalYearStartMonth: number) {
  const days = quarterDays(period);
  if (!days) throw new ReportRequestError('invalid_query', 'period must be a quarter such as 2025Q3', 'period');
  const yearStart = fiscalYearStart(days.start, fiscalYearStartMonth);
  const spans: Record<Window, Span> = {
    periodMinor: { from: days.start, to: days.end, fromQuarter: period, toQuarter: period },
    yearToDateMinor: { from: yearStart, to: days.end, fromQuarter: quarterOfDay(yearStart), toQuarter: period },
    cumulativeMinor: { from: '0000-01-01', to: days.end, fromQuarter: '0000Q1', toQuarter: period },
  };
  // Everything before a window opens: the opening balances.
  const before: Record<Window, Span> = {
    periodMinor: { from: '0000-01-01', to: dayBefore(days.start), fromQuarter: '0000Q1', toQuarter: addQuarters(period, -1) },
    yearToDateMinor: { from: '0000-01-01', to: dayBefore(yearStart), fromQuarter: '0000Q1', toQuarter: addQuarters(quarterOfDay(yearStart), -1) },
    cumulativeMinor: { from: '0000-01-01', to: '0000-01-01', fromQuarter: '0000Q1', toQuarter: '0000Q1' },
  };
  const next = addQuarters(period, 1);

  const grants = book.grants.map((g) => {
    const lines = book.lines.filter((l) => l.grantId === g.grantId);
    const expenditures = book.expenditures.filter((x) => x.grantId === g.grantId);
    const receipts = book.receipts.filter((r) => r.grantId === g.grantId);
    const budgets = book.workPlans.filter((w) => w.grantId === g.grantId).flatMap((w) => w.budgets);
    const forecast = book.forecasts.find((f) => f.grantId === g.grantId && f.period === next) ?? null;

    /** Net spending of some expenditures in a span: made in it, less reversed in it. */
    const spent = (xs: GsExpenditure[], value: (x: GsExpenditure) => number) => (span: Span) =>
      xs.reduce((s, x) => s + (within(x.spentOn, span) ? value(x) : 0) - (within(x.reversedOn, span) ? value(x) : 0), 0);
    const usd = (x: GsExpenditure) => x.usdMinor;
    const lbp = (x: GsExpenditure) => (x.currency === 'LBP' ? x.amountMinor : 0);
    const hasLbp = (xs: GsExpenditure[]) => xs.some((x) => x.currency === 'LBP');
    const received = (rs: GsReceipt[], value: (r: GsReceipt) => number = (r) => r.usdMinor) => (span: Span) =>
      rs.reduce((s, r) => s + (within(r.valueDate, span) ? value(r) : 0), 0);
    const budgeted = (codes: ReadonlySet<string>) => (span: Span) =>
      budgets.reduce((s, b) => s + (codes.has(b.budgetLine) && b.period >= span.fromQuarter && b.period <= span.toQuarter ? b.amountMinor : 0), 0);

    const figures = (codes: ReadonlySet<string>) => {
      const xs = expenditures.filter((x) => codes.has(x.budgetLine));
      return {
        allocationMinor: lines.filter((l) => codes.has(l.code)).reduce((s, l) => s + l.allocationMinor, 0),
        ...budgetVersusActual(columns(budgeted(codes), spans), columns(spent(xs, usd), spans)),
        lbp: hasLbp(xs) ? columns(spent(xs, lbp), spans) : null,
      };
    };

    const byLine = lines.map((l) => ({
      code: l.code,
      name: l.name,
      component: l.component,
      category: l.category,
      purpose: l.purpose,
      ...figures(new Set([l.code])),
      forecastNextPeriodMinor: forecast?.lines.find((f) => f.budgetLine === l.code)?.amountMinor ?? 0,
    }));
    const usesByComponent = g.components.map((c) => {
      const budgetLines = byLine.filter((l) => l.component === c.code);
      return { code: c.code, name: c.name, ...figures(new Set(budgetLines.map((l) => l.code))), budgetLines };
    });
    const usesByCategory = g.disbursementCategories.map((c) => ({ code: c.code, name: c.name, budgetLines: [...c.budgetLines], ...figures(new Set(c.budgetLines)) }));

    // Sources and uses of funds, and the cash they leave.
    const ofKind = (kind: GsReceipt['kind']) => receipts.filter((r) => r.kind === kind);
    const sources = {
      advances: columns(received(ofKind('advance')), spans),
      replenishments: columns(received(ofKind('replenishment')), spans),
      directPayments: columns(received(ofKind('direct_payment')), spans),
      total: columns(received(receipts), spans),
      lbp: receipts.some((r) => r.currency === 'LBP') ? columns(received(receipts, (r) => (r.currency === 'LBP' ? r.amountMinor : 0)), spans) : null,
    };
    const uses = columns(spent(expenditures, usd), spans);
    const cashBefore = columns((span) => received(receipts)(span) - spent(expenditures, usd)(span), before);
    const closingCash = zip(zip(cashBefore, sources.total, (a, b) => a + b), uses, (a, b) => a - b);

    // The designated account: what went in, what was paid from it (not what the administrator paid directly).
    const intoAccount = receipts.filter((r) => r.kind !== 'direct_payment');
    const fromAccount = expenditures.filter((x) => x.paidDirectlyBy === null);
    const accountReceived = columns(received(intoAccount), spans);
    const accountPaid = columns(spent(fromAccount, usd), spans);
    const accountOpening = columns((span) => received(intoAccount)(span) - spent(fromAccount, usd)(span), before);
    const accountClosing = zip(zip(accountOpening, accountReceived, (a, b) => a + b), accountPaid, (a, b) => a - b);
    const closing = accountClosing.periodMinor;

    // Reconciliation: each statement's closing figure against the ledger's totals to the period's end.
    const toDate = spans.cumulativeMinor;
    const receivedToDate = received(intoAccount)(toDate);
    const paidToDate = spent(fromAccount, usd)(toDate);
    const directToDate = received(ofKind('direct_payment'))(toDate);
    const paidDirectlyToDate = spent(expenditures.filter((x) => x.paidDirectlyBy !== null), usd)(toDate);
    const usesToDate = spent(expenditures, usd)(toDate);
    const forecastTotal = forecast ? forecast.lines.reduce((s, l) => s + l.amountMinor, 0) : 0;

    return {
      grantId: g.grantId,
      donor: g.donor,
      administrator: g.administrator,
      recipient: g.recipient,
      currency: 'USD',
      amountMinor: g.amountMinor,
      workPlans: book.workPlans
        .filter((w) => w.grantId === g.grantId)
        .map((w) => ({ fiscalYearStart: w.fiscalYearStart, approvalRef: w.approvalRef, approvedOn: w.approvedOn }))
        .sort((a, b) => a.fiscalYearStart.localeCompare(b.fiscalYearStart)),
      sourcesAndUses: { openingCash: cashBefore, sources, uses, closingCash },
      usesByCategory,
      usesByComponent,
      designatedAccount: {
        opening: accountOpening,
        received: accountReceived,
        paid: accountPaid,
        closing: accountClosing,
        /** What the recipient has paid from its own funds ahead of the administrator's money. */
        preFinancedMinor: closing < 0 ? -closing : 0,
        receiptsInPeriod: receipts
          .filter((r) => within(r.valueDate, spans.periodMinor))
          .map((r) => ({ receiptId: r.receiptId, kind: r.kind, withdrawalApplicationRef: r.withdrawalApplicationRef, valueDate: r.valueDate, amountMinor: r.amountMinor, currency: r.currency, fxRateToUsd: r.fxRateToUsd, usdMinor: r.usdMinor, expenditureId: r.expenditureId })),
      },
      reconciliation: {
        designatedAccount: {
          receivedToDateMinor: receivedToDate,
          paidToDateMinor: paidToDate,
          balanceFromLedgerMinor: receivedToDate - paidToDate,
          statementClosingMinor: closing,
          differenceMinor: closing - (receivedToDate - paidToDate),
        },
        cash: {
          closingCashMinor: closingCash.periodMinor,
          designatedAccountClosingMinor: closing,
          directPaymentsToDateMinor: directToDate,
          paidDirectlyToDateMinor: paidDirectlyToDate,
          differenceMinor: closingCash.periodMinor - (closing + directToDate - paidDirectlyToDate),
        },
        uses: {
          usesToDateMinor: usesToDate,
          byCategoryMinor: usesByCategory.reduce((s, c) => s + c.actual.cumulativeMinor, 0),
          byLineMinor: byLine.reduce((s, l) => s + l.actual.cumulativeMinor, 0),
        },
      },
      forecast: {
        period: next,
        recordedOn: forecast?.recordedOn ?? null,
        lines: byLine.map((l) => ({ budgetLine: l.code, amountMinor: l.forecastNextPeriodMinor })),
        totalMinor: forecastTotal,
        designatedAccountClosingMinor: closing,
        /** The forecast less what the account holds: what the next replenishment should bring. */
        netRequirementMinor: Math.max(0, forecastTotal - closing),
      },
    };
  });

  return { period, periodStart: days.start, periodEnd: days.end, fiscalYearStart: yearStart, nextPeriod: next, currency: 'USD', grants };
}

export type InterimFinancialReport = ReturnType<typeof interimFinancialReport>;

function dayBefore(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}
