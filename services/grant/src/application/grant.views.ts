import type { BudgetLine, Commitment, Expenditure, SignedGrant } from '../domain/grant.decider';
import { outstandingMinor, remainingMinor } from '../domain/grant.decider';
import { designatedAccount } from '../domain/grant-funds';

/** How the grant context shows its state to readers (finance, auditors, supervisors, donors, other services). */

export const budgetLineView = (grantId: string, line: BudgetLine) => ({
  grantId,
  code: line.code,
  name: line.name,
  component: line.component,
  purpose: line.purpose,
  allocationMinor: line.allocationMinor,
  committedMinor: line.committedMinor,
  spentMinor: line.spentMinor,
  remainingMinor: remainingMinor(line),
});
export type BudgetLineView = ReturnType<typeof budgetLineView>;

export const commitmentView = (grantId: string, c: Commitment) => ({
  commitmentId: c.commitmentId,
  grantId,
  budgetLine: c.budgetLine,
  amountMinor: c.amountMinor,
  releasedMinor: c.releasedMinor,
  outstandingMinor: outstandingMinor(c),
  reference: c.reference,
  committedAt: c.occurredAt,
  eventId: c.eventId,
  position: c.position,
  releases: c.releases.map((r) => ({ ...r })),
});

export const expenditureView = (grantId: string, e: Expenditure) => ({
  expenditureId: e.expenditureId,
  grantId,
  budgetLine: e.budgetLine,
  amountMinor: e.amountMinor,
  currency: e.currency,
  ...(e.fxRateToUsd === undefined ? {} : { fxRateToUsd: e.fxRateToUsd }),
  usdMinor: e.usdMinor,
  payee: e.payee,
  documentRef: e.documentRef,
  ...(e.relatedEventId === undefined ? {} : { relatedEventId: e.relatedEventId }),
  ...(e.commitmentId === undefined ? {} : { commitmentId: e.commitmentId }),
  occurredAt: e.occurredAt,
  eventId: e.eventId,
  position: e.position,
  reversed: e.reversal !== undefined,
  ...(e.reversal ? { reversal: { ...e.reversal } } : {}),
});
export type ExpenditureView = ReturnType<typeof expenditureView>;

function totals(lines: Iterable<BudgetLine>) {
  let allocationMinor = 0;
  let committedMinor = 0;
  let spentMinor = 0;
  for (const l of lines) {
    allocationMinor += l.allocationMinor;
    committedMinor += l.committedMinor;
    spentMinor += l.spentMinor;
  }
  return { allocationMinor, committedMinor, spentMinor, remainingMinor: allocationMinor - committedMinor - spentMinor };
}

export const grantSummaryView = (g: SignedGrant) => ({
  grantId: g.grantId,
  donor: g.donor,
  administrator: g.administrator,
  recipient: g.recipient,
  currency: g.currency,
  amountMinor: g.amountMinor,
  startDate: g.startDate,
  closingDate: g.closingDate,
  signedAt: g.signedAt,
  totals: totals(g.lines.values()),
  /** US cents received into the designated account, paid from it, its balance (negative: pre-financed), and direct payments beside it. */
  designatedAccount: designatedAccount(g),
});

export const grantView = (g: SignedGrant) => {
  const commitments = [...g.commitments.values()];
  const expenditures = [...g.expenditures.values()];
  return {
    ...grantSummaryView(g),
    components: g.components.map((c) => {
      const lines = [...g.lines.values()].filter((l) => l.component === c.code);
      return { code: c.code, name: c.name, totals: totals(lines), budgetLines: lines.map((l) => budgetLineView(g.grantId, l)) };
    }),
    disbursementCategories: g.disbursementCategories.map((c) => ({ ...c, budgetLines: [...c.budgetLines] })),
    reallocations: g.reallocations.map((r) => ({ ...r })),
    receipts: [...g.funds.receipts.values()].map((r) => ({ ...r })),
    commitments: {
      count: commitments.length,
      open: commitments.filter((c) => outstandingMinor(c) > 0).length,
      outstandingMinor: commitments.reduce((s, c) => s + outstandingMinor(c), 0),
      items: commitments.map((c) => commitmentView(g.grantId, c)),
    },
    expenditures: {
      count: expenditures.length,
      reversed: expenditures.filter((e) => e.reversal).length,
    },
  };
};
