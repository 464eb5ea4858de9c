import { disbursementCategoriesOf, toUsdMinor } from '@peil/contracts';
import type { StoredEvent } from '@peil/ledger';
import type { Projection, ReadTx } from '@peil/projections';
import { dayOf, update } from './docs';

export const GS = {
  grants: 'gs_grants', lines: 'gs_lines', commitments: 'gs_commitments', releases: 'gs_releases', expenditures: 'gs_expenditures',
  receipts: 'gs_receipts', workPlans: 'gs_work_plans', forecasts: 'gs_forecasts',
} as const;

const GRANT_EVENTS = new Set([
  'GrantAgreementSigned', 'BudgetReallocated', 'FundsCommitted', 'CommitmentReleased', 'ExpenditureRecorded', 'ExpenditureReversed',
  'FundsReceived', 'WorkPlanBudgetApproved', 'CashForecastRecorded',
]);

export interface GsGrant { [k: string]: unknown; grantId: string; donor: string; administrator: string; recipient: string; amountMinor: number; startDate: string; closingDate: string; components: Array<{ code: string; name: string }>; signedOn: string; organisationRefs: { donor?: string; administrator?: string; recipient?: string } | null; disbursementCategories: Array<{ code: string; name: string; budgetLines: string[] }> }
export interface GsLine { [k: string]: unknown; grantId: string; component: string; code: string; name: string; purpose: string | null; allocationMinor: number; committedMinor: number; order: number; category: string | null }
export interface GsCommitment { [k: string]: unknown; commitmentId: string; grantId: string; budgetLine: string; amountMinor: number; outstandingMinor: number; committedOn: string; reference: string; position: number }
/** One CommitmentReleased: IATI reports it as a negative commitment on its own date. */
export interface GsRelease { [k: string]: unknown; commitmentId: string; grantId: string; budgetLine: string; amountMinor: number; releasedOn: string; position: number }
export interface GsExpenditure { [k: string]: unknown; expenditureId: string; grantId: string; budgetLine: string; usdMinor: number; amountMinor: number; currency: string; fxRateToUsd: string | null; spentOn: string; reversedOn: string | null; payee: string; documentRef: string; position: number; paidDirectlyBy: string | null }
/** Money from the administrator: into the designated account (advance, replenishment) or straight to a supplier (direct payment). */
export interface GsReceipt { [k: string]: unknown; receiptId: string; grantId: string; kind: 'advance' | 'replenishment' | 'direct_payment'; withdrawalApplicationRef: string; valueDate: string; amountMinor: number; currency: string; fxRateToUsd: string | null; usdMinor: number; expenditureId: string | null; position: number }
/** The approved work plan of one fiscal year (id `<grantId>/<fiscalYearStart>`); a revision replaces it. */
export interface GsWorkPlan { [k: string]: unknown; grantId: string; fiscalYearStart: string; approvalRef: string; approvedOn: string; budgets: Array<{ budgetLine: string; period: string; amountMinor: number }> }
/** The latest cash forecast of a quarter (id `<grantId>/<period>`). */
export interface GsForecast { [k: string]: unknown; grantId: string; period: string; recordedOn: string; lines: Array<{ budgetLine: string; amountMinor: number }> }

type D = Record<string, any>;

/**
 * The grant's books as donors read them: lines with allocation (after reallocations), committed
 * amounts and disbursement category, every commitment and every expenditure with its date and
 * US-cent value, the money received, the work plans and the cash forecasts. The grant statement,
 * the interim financial report and the IATI document are views of it. Events come upcast (the
 * catalogue wraps every projection), so an agreement always carries its categories.
 */
export const grantStatementProjection: Projection = {
  name: 'grant-statement',
  version: 4,
  collections: Object.values(GS),
  handles: (e) => GRANT_EVENTS.has(e.type),
  async apply(e: StoredEvent, tx: ReadTx): Promise<void> {
    const d = e.data as D;
    switch (e.type) {
      case 'GrantAgreementSigned': {
        const grantId = d.grantId as string;
        const categories = disbursementCategoriesOf(d as never);
        const categoryOf = new Map(categories.flatMap((c) => c.budgetLines.map((l) => [l, c.code] as const)));
        await tx.put(GS.grants, grantId, {
          grantId, donor: d.donor, administrator: d.administrator, recipient: d.recipient, amountMinor: d.amountMinor, startDate: d.startDate, closingDate: d.closingDate,
          components: (d.components as D[]).map((c) => ({ code: c.code, name: c.name })), signedOn: dayOf(e.occurredAt), organisationRefs: d.organisationRefs ?? null,
          disbursementCategories: categories.map((c) => ({ code: c.code, name: c.name, budgetLines: [...c.budgetLines] })),
        });
        let order = 0;
        for (const c of d.components as D[]) {
          for (const l of c.budgetLines as D[]) {
            await tx.put(GS.lines, l.code, { grantId, component: c.code, code: l.code, name: l.name, purpose: l.purpose ?? null, allocationMinor: l.allocationMinor, committedMinor: 0, order: order++, category: categoryOf.get(l.code) ?? null });
          }
        }
        return;
      }
      case 'BudgetReallocated':
        await update<GsLine>(tx, GS.lines, d.fromLine, missing, (l) => void (l.allocationMinor -= d.amountMinor));
        await update<GsLine>(tx, GS.lines, d.toLine, missing, (l) => void (l.allocationMinor += d.amountMinor));
        return;
      case 'FundsCommitted': {
        const line = await tx.get<GsLine>(GS.lines, d.budgetLine);
        if (!line) return;
        await tx.put(GS.commitments, d.commitmentId, { commitmentId: d.commitmentId, grantId: line.grantId, budgetLine: d.budgetLine, amountMinor: d.amountMinor, outstandingMinor: d.amountMinor, committedOn: dayOf(e.occurredAt), reference: d.reference, position: e.position });
        await tx.put(GS.lines, line.code, { ...line, committedMinor: line.committedMinor + d.amountMinor });
        return;
      }
      case 'CommitmentReleased': {
        const c = await tx.get<GsCommitment>(GS.commitments, d.commitmentId);
        if (!c) return;
        await tx.put(GS.commitments, c.commitmentId, { ...c, outstandingMinor: c.outstandingMinor - d.amountMinor });
        await tx.put(GS.releases, e.eventId, { commitmentId: c.commitmentId, grantId: c.grantId, budgetLine: c.budgetLine, amountMinor: d.amountMinor, releasedOn: dayOf(e.occurredAt), position: e.position } satisfies GsRelease);
        await update<GsLine>(tx, GS.lines, c.budgetLine, missing, (l) => void (l.committedMinor -= d.amountMinor));
        return;
      }
      case 'ExpenditureRecorded': {
        const line = await tx.get<GsLine>(GS.lines, d.budgetLine);
        if (!line) return;
        await tx.put(GS.expenditures, d.expenditureId, {
          expenditureId: d.expenditureId, grantId: line.grantId, budgetLine: d.budgetLine, usdMinor: toUsdMinor(d.amountMinor, d.currency, d.fxRateToUsd),
          amountMinor: d.amountMinor, currency: d.currency, fxRateToUsd: d.fxRateToUsd ?? null, spentOn: dayOf(e.occurredAt), reversedOn: null,
          payee: d.payee, documentRef: d.documentRef, position: e.position, paidDirectlyBy: null,
        });
        return;
      }
      case 'ExpenditureReversed':
        await update<GsExpenditure>(tx, GS.expenditures, d.expenditureId, missing, (x) => void (x.reversedOn = dayOf(e.occurredAt)));
        return;
      case 'FundsReceived': {
        await tx.put(GS.receipts, d.receiptId, {
          receiptId: d.receiptId, grantId: d.grantId, kind: d.kind, withdrawalApplicationRef: d.withdrawalApplicationRef, valueDate: d.valueDate,
          amountMinor: d.amountMinor, currency: d.currency, fxRateToUsd: d.fxRateToUsd ?? null, usdMinor: toUsdMinor(d.amountMinor, d.currency, d.fxRateToUsd),
          expenditureId: d.expenditureId ?? null, position: e.position,
        } satisfies GsReceipt);
        if (d.kind === 'direct_payment') await update<GsExpenditure>(tx, GS.expenditures, d.expenditureId, missing, (x) => void (x.paidDirectlyBy = d.receiptId));
        return;
      }
      case 'WorkPlanBudgetApproved':
        await tx.put(GS.workPlans, `${d.grantId}/${d.fiscalYearStart}`, {
          grantId: d.grantId, fiscalYearStart: d.fiscalYearStart, approvalRef: d.approvalRef, approvedOn: dayOf(e.occurredAt),
          budgets: (d.budgets as D[]).map((b) => ({ budgetLine: b.budgetLine, period: b.period, amountMinor: b.amountMinor })),
        } satisfies GsWorkPlan);
        return;
      case 'CashForecastRecorded':
        await tx.put(GS.forecasts, `${d.grantId}/${d.period}`, {
          grantId: d.grantId, period: d.period, recordedOn: dayOf(e.occurredAt), lines: (d.lines as D[]).map((l) => ({ budgetLine: l.budgetLine, amountMinor: l.amountMinor })),
        } satisfies GsForecast);
        return;
    }
  },
};

function missing(): never {
  // The grant service only records events about lines, commitments and expenditures that exist.
  throw new Error('grant-statement projection: event refers to a record the ledger never created');
}
