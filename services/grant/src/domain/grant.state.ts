import {
  disbursementCategoriesOf,
  type BudgetLinePurpose,
  type DisbursementCategory,
  type GrantAgreementSigned,
  type GrantEvent,
} from '@peil/contracts';
import { evolveFunds, initialFunds, recorded, recordedMoney, type GrantFunds, type Recorded, type RecordedMoney } from './grant-funds';
import type { Outcome as DeciderOutcome } from '@peil/contracts';

/** The state half of the grant decider (its decide is in grant.decider.ts). */
export type Outcome = DeciderOutcome<GrantEvent>;

/**
 * One grant's budget: its lines with what each has committed and spent, its commitments and its
 * expenditures — the fold of the `grant-<grantId>` stream. Every amount here is US cents.
 * The rule of the whole context: on every line, committed + spent ≤ allocation (after reallocations).
 */
export interface BudgetLine {
  code: string;
  name: string;
  /** Code of the component (C1…C4) the line belongs to. */
  component: string;
  purpose: BudgetLinePurpose | null;
  allocationMinor: number;
  committedMinor: number;
  spentMinor: number;
}

export type { Recorded } from './grant-funds';

export interface Commitment extends Recorded {
  commitmentId: string;
  budgetLine: string;
  amountMinor: number;
  releasedMinor: number;
  reference: string;
  releases: Array<Recorded & { amountMinor: number; reason?: string }>;
}

/** Its `usdMinor` is what the line counts. */
export interface Expenditure extends Recorded, RecordedMoney {
  expenditureId: string;
  budgetLine: string;
  payee: string;
  documentRef: string;
  relatedEventId?: string;
  commitmentId?: string;
  reversal?: Recorded & { reason: string };
}

export interface Reallocation extends Recorded {
  fromLine: string;
  toLine: string;
  amountMinor: number;
  approvalRef: string;
}

export interface SignedGrant {
  status: 'signed';
  grantId: string;
  donor: string;
  administrator: string;
  recipient: string;
  currency: 'USD';
  amountMinor: number;
  startDate: string;
  closingDate: string;
  signedAt: string;
  components: Array<{ code: string; name: string }>;
  /** The agreement's disbursement categories (one default category for an agreement that names none). */
  disbursementCategories: DisbursementCategory[];
  /** In the order of the agreement. */
  lines: Map<string, BudgetLine>;
  commitments: Map<string, Commitment>;
  expenditures: Map<string, Expenditure>;
  reallocations: Reallocation[];
  /** Receipts, work plans and forecasts. */
  funds: GrantFunds;
}

export type Grant = { status: 'unsigned' } | SignedGrant;

export const initialState = (): Grant => ({ status: 'unsigned' });

export type RecordedGrantEvent = GrantEvent & Recorded;

export const usedMinor = (line: BudgetLine): number => line.committedMinor + line.spentMinor;
export const remainingMinor = (line: BudgetLine): number => line.allocationMinor - usedMinor(line);
export const outstandingMinor = (c: Commitment): number => c.amountMinor - c.releasedMinor;

/**
 * Mutates a signed grant in place for speed: a grant stream holds every commitment and expenditure
 * of the programme, and the state is folded from the ledger by one reader, never shared.
 * An expenditure counts on its line in US cents (converted with round-half-even); a commitment drawn
 * down by an expenditure is reduced by the CommitmentReleased recorded with it, never implicitly.
 */
export function evolve(state: Grant, event: RecordedGrantEvent): Grant {
  if (event.type === 'GrantAgreementSigned') return signed(event.data, event);
  if (state.status === 'unsigned') return state;
  switch (event.type) {
    case 'BudgetReallocated': {
      const from = state.lines.get(event.data.fromLine);
      const to = state.lines.get(event.data.toLine);
      if (!from || !to) return state;
      from.allocationMinor -= event.data.amountMinor;
      to.allocationMinor += event.data.amountMinor;
      state.reallocations.push({ ...recorded(event), fromLine: from.code, toLine: to.code, amountMinor: event.data.amountMinor, approvalRef: event.data.approvalRef });
      return state;
    }
    case 'FundsCommitted': {
      const line = state.lines.get(event.data.budgetLine);
      if (!line) return state;
      line.committedMinor += event.data.amountMinor;
      const { commitmentId, budgetLine, amountMinor, reference } = event.data;
      state.commitments.set(commitmentId, { ...recorded(event), commitmentId, budgetLine, amountMinor, reference, releasedMinor: 0, releases: [] });
      return state;
    }
    case 'CommitmentReleased': {
      const commitment = state.commitments.get(event.data.commitmentId);
      const line = commitment && state.lines.get(commitment.budgetLine);
      if (!commitment || !line) return state;
      commitment.releasedMinor += event.data.amountMinor;
      commitment.releases.push({ ...recorded(event), amountMinor: event.data.amountMinor, ...(event.data.reason ? { reason: event.data.reason } : {}) });
      line.committedMinor -= event.data.amountMinor;
      return state;
    }
    case 'ExpenditureRecorded': {
      const line = state.lines.get(event.data.budgetLine);
      if (!line) return state;
      const d = event.data;
      const money = recordedMoney(d);
      line.spentMinor += money.usdMinor;
      state.expenditures.set(d.expenditureId, {
        ...recorded(event),
        expenditureId: d.expenditureId,
        budgetLine: d.budgetLine,
        ...money,
        payee: d.payee,
        documentRef: d.documentRef,
        ...(d.relatedEventId === undefined ? {} : { relatedEventId: d.relatedEventId }),
        ...(d.commitmentId === undefined ? {} : { commitmentId: d.commitmentId }),
      });
      return state;
    }
    case 'ExpenditureReversed': {
      const expenditure = state.expenditures.get(event.data.expenditureId);
      const line = expenditure && state.lines.get(expenditure.budgetLine);
      if (!expenditure || !line || expenditure.reversal) return state;
      expenditure.reversal = { ...recorded(event), reason: event.data.reason };
      line.spentMinor -= expenditure.usdMinor;
      return state;
    }
    case 'FundsReceived':
    case 'WorkPlanBudgetApproved':
    case 'CashForecastRecorded':
      evolveFunds(state.funds, event);
      return state;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

function signed(d: GrantAgreementSigned, meta: Recorded): SignedGrant {
  const lines = new Map<string, BudgetLine>();
  for (const component of d.components) {
    for (const l of component.budgetLines) {
      lines.set(l.code, { code: l.code, name: l.name, component: component.code, purpose: l.purpose ?? null, allocationMinor: l.allocationMinor, committedMinor: 0, spentMinor: 0 });
    }
  }
  return {
    status: 'signed',
    grantId: d.grantId,
    donor: d.donor,
    administrator: d.administrator,
    recipient: d.recipient,
    currency: d.currency,
    amountMinor: d.amountMinor,
    startDate: d.startDate,
    closingDate: d.closingDate,
    signedAt: meta.occurredAt,
    components: d.components.map((c) => ({ code: c.code, name: c.name })),
    disbursementCategories: disbursementCategoriesOf(d),
    lines,
    commitments: new Map(),
    expenditures: new Map(),
    reallocations: [],
    funds: initialFunds(),
  };
}
