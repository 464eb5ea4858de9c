import type { ReadTx } from '@peil/projections';
import { GS, type GsCommitment, type GsExpenditure, type GsGrant, type GsLine, type GsRelease, type GsWorkPlan } from '../projections/grant-statement.projection';

/** A calendar quarter: 2025Q4 → 2025-10-01 … 2025-12-31. */
export function parsePeriod(period: string): { period: string; start: string; end: string } | undefined {
  const m = /^(\d{4})Q([1-4])$/.exec(period);
  if (!m) return undefined;
  const year = m[1]!;
  const q = Number(m[2]);
  const startMonth = (q - 1) * 3 + 1;
  const endMonth = startMonth + 2;
  const lastDay = new Date(Date.UTC(Number(year), endMonth, 0)).getUTCDate();
  const mm = (n: number) => String(n).padStart(2, '0');
  return { period, start: `${year}-${mm(startMonth)}-01`, end: `${year}-${mm(endMonth)}-${mm(lastDay)}` };
}

interface Amounts {
  allocationMinor: number;
  committedMinor: number;
  spentPeriodMinor: number;
  spentCumulativeMinor: number;
  remainingMinor: number;
}
const zero = (): Amounts => ({ allocationMinor: 0, committedMinor: 0, spentPeriodMinor: 0, spentCumulativeMinor: 0, remainingMinor: 0 });
const addTo = (a: Amounts, b: Amounts) => {
  for (const k of Object.keys(a) as Array<keyof Amounts>) a[k] += b[k];
};

/**
 * The interim financial report: per grant, component and budget line, in US cents, for a quarter.
 * Spent in the period counts expenditures dated in it, less reversals dated in it; cumulative counts
 * everything dated up to the period's end. Committed is what commitments still hold at the report's
 * ledger position; remaining = allocation − committed − spent to date.
 */
export async function grantStatement(tx: ReadTx, period: { period: string; start: string; end: string }) {
  const grants = (await tx.all<GsGrant>(GS.grants)).map((g) => g.doc);
  const lines = (await tx.all<GsLine>(GS.lines)).map((l) => l.doc).sort((a, b) => a.order - b.order);
  const expenditures = (await tx.all<GsExpenditure>(GS.expenditures)).map((x) => x.doc);
  const spent = new Map<string, { period: number; cumulative: number }>();
  for (const x of expenditures) {
    const s = spent.get(x.budgetLine) ?? { period: 0, cumulative: 0 };
    const inPeriod = (day: string) => day >= period.start && day <= period.end;
    if (x.spentOn <= period.end) s.cumulative += x.usdMinor;
    if (inPeriod(x.spentOn)) s.period += x.usdMinor;
    if (x.reversedOn !== null) {
      if (x.reversedOn <= period.end) s.cumulative -= x.usdMinor;
      if (inPeriod(x.reversedOn)) s.period -= x.usdMinor;
    }
    spent.set(x.budgetLine, s);
  }
  const byMonth = spendingByMonth(expenditures, period.end);
  const report = grants.map((g) => {
    const total = zero();
    const components = g.components.map((c) => {
      const subtotal = zero();
      const budgetLines = lines
        .filter((l) => l.grantId === g.grantId && l.component === c.code)
        .map((l) => {
          const s = spent.get(l.code) ?? { period: 0, cumulative: 0 };
          const amounts: Amounts = {
            allocationMinor: l.allocationMinor,
            committedMinor: l.committedMinor,
            spentPeriodMinor: s.period,
            spentCumulativeMinor: s.cumulative,
            remainingMinor: l.allocationMinor - l.committedMinor - s.cumulative,
          };
          addTo(subtotal, amounts);
          return { code: l.code, name: l.name, purpose: l.purpose, ...amounts };
        });
      addTo(total, subtotal);
      return { code: c.code, name: c.name, budgetLines, totals: subtotal };
    });
    return {
      grantId: g.grantId, donor: g.donor, administrator: g.administrator, recipient: g.recipient, currency: 'USD', amountMinor: g.amountMinor, components, totals: total,
      spendingByMonth: byMonth.get(g.grantId) ?? [],
    };
  });
  return { period: period.period, periodStart: period.start, periodEnd: period.end, currency: 'USD', grants: report };
}

/**
 * Per grant, US cents spent in each calendar month up to `end`, by the expenditure's date; a
 * reversal counts against the month it is dated in, as it does for the period columns. The months run
 * without gaps from the first with any spending to the last, so the sum equals spent to date.
 */
export function spendingByMonth(expenditures: GsExpenditure[], end: string): Map<string, Array<{ month: string; spentMinor: number }>> {
  const perGrant = new Map<string, Map<string, number>>();
  const add = (grantId: string, day: string, minor: number) => {
    if (day > end) return;
    const months = perGrant.get(grantId) ?? new Map<string, number>();
    months.set(day.slice(0, 7), (months.get(day.slice(0, 7)) ?? 0) + minor);
    perGrant.set(grantId, months);
  };
  for (const x of expenditures) {
    add(x.grantId, x.spentOn, x.usdMinor);
    if (x.reversedOn !== null) add(x.grantId, x.reversedOn, -x.usdMinor);
  }
  return new Map([...perGrant].map(([grantId, months]) => [grantId, monthsBetween([...months.keys()].sort()).map((month) => ({ month, spentMinor: months.get(month) ?? 0 }))]));
}

/** Every YYYY-MM from the first to the last of a sorted, non-empty list. */
function monthsBetween(sorted: string[]): string[] {
  const out: string[] = [];
  let [year, month] = sorted[0]!.split('-').map(Number) as [number, number];
  const last = sorted[sorted.length - 1]!;
  for (let m = sorted[0]!; m <= last; m = `${year}-${String(month).padStart(2, '0')}`) {
    out.push(m);
    if (++month > 12) [year, month] = [year + 1, 1];
  }
  return out;
}

export async function commitmentsAndExpenditures(tx: ReadTx) {
  const commitments = (await tx.all<GsCommitment>(GS.commitments)).map((c) => c.doc).sort((a, b) => a.position - b.position);
  const releases = (await tx.all<GsRelease>(GS.releases)).map((r) => r.doc).sort((a, b) => a.position - b.position);
  const expenditures = (await tx.all<GsExpenditure>(GS.expenditures)).map((x) => x.doc).sort((a, b) => a.position - b.position);
  const grants = (await tx.all<GsGrant>(GS.grants)).map((g) => g.doc);
  const lines = (await tx.all<GsLine>(GS.lines)).map((l) => l.doc).sort((a, b) => a.order - b.order);
  const workPlans = (await tx.all<GsWorkPlan>(GS.workPlans)).map((w) => w.doc).sort((a, b) => a.fiscalYearStart.localeCompare(b.fiscalYearStart));
  return { grants, lines, commitments, releases, expenditures, workPlans };
}
