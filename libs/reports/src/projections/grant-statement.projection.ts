import { disbursementCategoriesOf, toUsdMinor } from '@peil/contracts';
import type { StoredEvent } from '@peil/ledger';
import type { Projection, ReadTx } from '@peil/projections';
import { dayOf, update } from './docs';
import { reportedTypes } from './upcasting';

export const GS = {
  grants: 'gs_grants', lines: 'gs_lines', commitments: 'gs_commitments', releases: 'gs_releases', expenditures: 'gs_expenditures',
  receipts: 'gs_receipts', workPlans: 'gs_work_plans', forecasts: 'gs_forecasts',
} as const;

const GRANT = reportedTypes(
  'GrantAgreementSigned', 'BudgetReallocated', 'FundsCommitted', 'CommitmentReleased', 'ExpenditureRecorded', 'ExpenditureReversed',
  'FundsReceived', 'WorkPlanBudgetApproved', 'CashForecastRecorded',
);

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
  handles: GRANT.handles,
  async apply(e: StoredEvent, tx: ReadTx): Promise<void> {
    if (!GRANT.is(e)) return;
    switch (e.type) {
      case 'GrantAgreementSigned': {
        const grantId = e.data.grantId;
        const categories = disbursementCategoriesOf(e.data);
        const categoryOf = new Map(categories.flatMap((c) => c.budgetLines.map((l) => [l, c.code] as const)));
        await tx.put(GS.grants, grantId, {
          grantId, donor: e.data.donor, administrator: e.data.administrator, recipient: e.data.recipient, amountMinor: e.data.amountMinor, startDate: e.data.startDate, closingDate: e.data.closingDate,
          components: e.data.components.map((c) => ({ code: c.code, name: c.name })), signedOn: dayOf(e.occurredAt), organisationRefs: e.data.organisationRefs ?? null,
          disbursementCategories: categories.map((c) => ({ code: c.code, name: c.name, budgetLines: [...c.budgetLines] })),
        });
        let order = 0;
        for (const c of e.data.components) {
          for (const l of c.budgetLines) {
            await tx.put(GS.lines, l.code, { grantId, component: c.code, code: l.code, name: l.name, purpose: l.purpose ?? null, allocationMinor: l.allocationMinor, committedMinor: 0, order: order++, category: categoryOf.get(l.code) ?? null });
          }
        }
        return;
      }
      case 'BudgetReallocated':
        await update<GsLine>(tx, GS.lines, e.data.fromLine, missing, (l) => void (l.allocationMinor -= e.data.amountMinor));
        await update<GsLine>(tx, GS.lines, e.data.toLine, missing, (l) => void (l.allocationMinor += e.data.amountMinor));
        return;
      case 'FundsCommitted': {
        const line = await tx.get<GsLine>(GS.lines, e.data.budgetLine);
        if (!line) return;
        await tx.put(GS.commitments, e.data.commitmentId, { commitmentId: e.data.commitmentId, grantId: line.grantId, budgetLine: e.data.budgetLine, amountMinor: e.data.amountMinor, outstandingMinor: e.data.amountMinor, committedOn: dayOf(e.occurredAt), reference: e.data.reference, position: e.position });
        await tx.put(GS.lines, line.code, { ...line, committedMinor: line.committedMinor + e.data.amountMinor });
        return;
      }
      case 'CommitmentReleased': {
        const c = await tx.get<GsCommitment>(GS.commitments, e.data.commitmentId);
        if (!c) return;
        await tx.put(GS.commitments, c.commitmentId, { ...c, outstandingMinor: c.outstandingMinor - e.data.amountMinor });
        await tx.put(GS.releases, e.eventId, { commitmentId: c.commitmentId, grantId: c.grantId, budgetLine: c.budgetLine, amountMinor: e.data.amountMinor, releasedOn: dayOf(e.occurredAt), position: e.position } satisfies GsRelease);
        await update<GsLine>(tx, GS.lines, c.budgetLine, missing, (l) => void (l.committedMinor -= e.data.amountMinor));
        return;
      }
      case 'ExpenditureRecorded': {
        const line = await tx.get<GsLine>(GS.lines, e.data.budgetLine);
        if (!line) return;
        await tx.put(GS.expenditures, e.data.expenditureId, {
          expenditureId: e.data.expenditureId, grantId: line.grantId, budgetLine: e.data.budgetLine, usdMinor: toUsdMinor(e.data.amountMinor, e.data.currency, e.data.fxRateToUsd),
          amountMinor: e.data.amountMinor, currency: e.data.currency, fxRateToUsd: e.data.fxRateToUsd ?? null, spentOn: dayOf(e.occurredAt), reversedOn: null,
          payee: e.data.payee, documentRef: e.data.documentRef, position: e.position, paidDirectlyBy: null,
        });
        return;
      }
      case 'ExpenditureReversed':
        await update<GsExpenditure>(tx, GS.expenditures, e.data.expenditureId, missing, (x) => void (x.reversedOn = dayOf(e.occurredAt)));
        return;
      case 'FundsReceived': {
        await tx.put(GS.receipts, e.data.receiptId, {
          receiptId: e.data.receiptId, grantId: e.data.grantId, kind: e.data.kind, withdrawalApplicationRef: e.data.withdrawalApplicationRef, valueDate: e.data.valueDate,
          amountMinor: e.data.amountMinor, currency: e.data.currency, fxRateToUsd: e.data.fxRateToUsd ?? null, usdMinor: toUsdMinor(e.data.amountMinor, e.data.currency, e.data.fxRateToUsd),
          expenditureId: e.data.expenditureId ?? null, position: e.position,
        } satisfies GsReceipt);
        // The schema requires a direct payment to name the expenditure it paid.
        const paid = e.data.kind === 'direct_payment' ? e.data.expenditureId : undefined;
        if (paid !== undefined) await update<GsExpenditure>(tx, GS.expenditures, paid, missing, (x) => void (x.paidDirectlyBy = e.data.receiptId));
        return;
      }
      case 'WorkPlanBudgetApproved':
        await tx.put(GS.workPlans, `${e.data.grantId}/${e.data.fiscalYearStart}`, {
          grantId: e.data.grantId, fiscalYearStart: e.data.fiscalYearStart, approvalRef: e.data.approvalRef, approvedOn: dayOf(e.occurredAt),
          budgets: e.data.budgets.map((b) => ({ budgetLine: b.budgetLine, period: b.period, amountMinor: b.amountMinor })),
        } satisfies GsWorkPlan);
        return;
      case 'CashForecastRecorded':
        await tx.put(GS.forecasts, `${e.data.grantId}/${e.data.period}`, {
          grantId: e.data.grantId, period: e.data.period, recordedOn: dayOf(e.occurredAt), lines: e.data.lines.map((l) => ({ budgetLine: l.budgetLine, amountMinor: l.amountMinor })),
        } satisfies GsForecast);
        return;
    }
  },
};

function missing(): never {
  // The grant service only records events about lines, commitments and expenditures that exist.
  throw new Error('grant-statement projection: event refers to a record the ledger never created');
}
