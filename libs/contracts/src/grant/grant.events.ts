import { z } from 'zod';
import { MinorAmount, moneyFields, refineMoney } from '../common/money';
import { FreeText, Id, IsoDate, NonEmptyText } from '../common/primitives';
import { Quarter } from '../common/quarter';

/**
 * Grant context events, owned by the grant service and only read by others. One stream
 * per grant (`grant-<grantId>`) holds the agreement and every money event of its budget lines.
 * Grant money is in US cents, except an expenditure, which is recorded in the currency it was paid
 * in (with its rate) and counted on its line in US cents.
 */

/** Which line pays for what: other services look a line up by its purpose. */
export const BudgetLinePurpose = z.enum(['assets', 'training', 'coaching', 'nudges', 'evaluation', 'design', 'management']);
export type BudgetLinePurpose = z.infer<typeof BudgetLinePurpose>;

/** US cents a budget line starts with; zero is allowed (a line funded later by reallocation). */
const Allocation = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const BudgetLineAllocation = z.object({
  code: Id,
  name: NonEmptyText(200),
  allocationMinor: Allocation,
  purpose: BudgetLinePurpose.optional(),
});
export type BudgetLineAllocation = z.infer<typeof BudgetLineAllocation>;

/** An organisation identifier as IATI and org-id.guide write it: a registration-agency prefix, a hyphen, the id (XM-DAC-44000). */
export const OrgRef = z.string().regex(/^[A-Z]{2}(-[A-Za-z0-9]+)+$/, 'an organisation identifier such as XM-DAC-44000').max(100);

export const GrantComponent = z.object({
  code: Id,
  name: NonEmptyText(200),
  budgetLines: z.array(BudgetLineAllocation).min(1).max(200),
});
export type GrantComponent = z.infer<typeof GrantComponent>;

/**
 * A disbursement category of the agreement's withdrawal schedule ("Goods, consultants' services,
 * training and operating costs"): the administrator disburses, and the interim financial report
 * shows uses, per category. Every budget line belongs to exactly one category.
 */
export const DisbursementCategory = z.object({
  code: Id,
  name: NonEmptyText(300),
  budgetLines: z.array(Id).min(1).max(200),
});
export type DisbursementCategory = z.infer<typeof DisbursementCategory>;

/**
 * Schema versions of the grant context's events. Version 2 added `disbursementCategories` to
 * GrantAgreementSigned; a version-1 agreement is read as one default category holding every line
 * (see grant.upcasters.ts), and so is a submission that names no category.
 */
export const GRANT_SCHEMA_VERSION = 2;
export const DEFAULT_DISBURSEMENT_CATEGORY = { code: '1', name: 'All eligible expenditures of the grant' } as const;

export const GrantAgreementSigned = z
  .object({
    grantId: Id,
    donor: NonEmptyText(200),
    administrator: NonEmptyText(200),
    recipient: NonEmptyText(200),
    /**
     * The parties' organisation identifiers (org-id.guide), as the agreement names them, for IATI's
     * participating-org/@ref; absent, IATI names the party without an identifier rather than guess one.
     */
    organisationRefs: z
      .object({ donor: OrgRef.optional(), administrator: OrgRef.optional(), recipient: OrgRef.optional() })
      .strict()
      .optional(),
    currency: z.literal('USD'),
    amountMinor: MinorAmount,
    startDate: IsoDate,
    closingDate: IsoDate,
    components: z.array(GrantComponent).min(1).max(50),
    /** Since schema version 2; a submission without it gets the default category (one for every line). */
    disbursementCategories: z.array(DisbursementCategory).min(1).max(50).optional(),
  })
  .superRefine((d, ctx) => {
    if (d.closingDate <= d.startDate) ctx.addIssue({ code: 'custom', path: ['closingDate'], message: 'must be after startDate' });
  });
export type GrantAgreementSigned = z.infer<typeof GrantAgreementSigned>;

export const BudgetReallocated = z.object({
  grantId: Id,
  fromLine: Id,
  toLine: Id,
  amountMinor: MinorAmount,
  /** The donor's or administrator's no-objection, or the steering committee minute, that allows it. */
  approvalRef: NonEmptyText(200),
});
export type BudgetReallocated = z.infer<typeof BudgetReallocated>;

export const FundsCommitted = z.object({
  commitmentId: Id,
  budgetLine: Id,
  /** US cents held on the line. */
  amountMinor: MinorAmount,
  reference: NonEmptyText(500),
});
export type FundsCommitted = z.infer<typeof FundsCommitted>;

export const CommitmentReleased = z.object({
  commitmentId: Id,
  /** US cents given back to the line; at most what the commitment still holds. */
  amountMinor: MinorAmount,
  reason: FreeText(500).optional(),
});
export type CommitmentReleased = z.infer<typeof CommitmentReleased>;

/**
 * The fields of an expenditure without its cross-field rules. The grant service validates with this
 * and decides the money rules itself, so that they answer with their own codes (fx_rate_required…)
 * rather than a generic invalid_field; everyone else uses ExpenditureRecorded.
 */
export const ExpenditureRecordedFields = z.object({
  expenditureId: Id,
  budgetLine: Id,
  ...moneyFields('amountMinor'),
  payee: NonEmptyText(200),
  documentRef: NonEmptyText(200),
  /** The eventId of what this pays for (a delivery, a training session). */
  relatedEventId: z.uuid().optional(),
  /** A commitment on the same line this expenditure draws down… */
  commitmentId: Id.optional(),
  /** …by up to this many US cents (capped at what it still holds); the rest of the cost is new spending. */
  commitmentConsumedMinor: MinorAmount.optional(),
});

const refineCommitmentPair = (d: { commitmentId?: string | undefined; commitmentConsumedMinor?: number | undefined }, ctx: z.RefinementCtx) => {
  if (d.commitmentId !== undefined && d.commitmentConsumedMinor === undefined) {
    ctx.addIssue({ code: 'custom', path: ['commitmentConsumedMinor'], message: 'a commitmentId needs commitmentConsumedMinor' });
  }
  if (d.commitmentId === undefined && d.commitmentConsumedMinor !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['commitmentId'], message: 'commitmentConsumedMinor needs the commitmentId it draws down' });
  }
};

/** Structure and the commitment pairing, without the money rules (see ExpenditureRecordedFields). */
export const ExpenditureRecordedShape = ExpenditureRecordedFields.superRefine(refineCommitmentPair);

export const ExpenditureRecorded = ExpenditureRecordedFields.superRefine(refineCommitmentPair).superRefine(refineMoney('amountMinor'));
export type ExpenditureRecorded = z.infer<typeof ExpenditureRecordedFields>;

export const ExpenditureReversed = z.object({
  expenditureId: Id,
  reason: FreeText(500),
});
export type ExpenditureReversed = z.infer<typeof ExpenditureReversed>;

/** The agreement's categories, or the default one holding every line when it names none (version 1). */
export function disbursementCategoriesOf(d: Pick<GrantAgreementSigned, 'components' | 'disbursementCategories'>): DisbursementCategory[] {
  if (d.disbursementCategories !== undefined) return d.disbursementCategories;
  return [{ ...DEFAULT_DISBURSEMENT_CATEGORY, budgetLines: d.components.flatMap((c) => c.budgetLines.map((l) => l.code)) }];
}

/**
 * Money the grant administrator disbursed for the grant. An advance or a replenishment goes into
 * the designated account, from which the recipient pays; a direct payment goes from the
 * administrator straight to a supplier and pays one recorded expenditure, bypassing the account.
 */
export const FUNDS_RECEIVED_KINDS = ['advance', 'replenishment', 'direct_payment'] as const;
export const FundsReceivedKind = z.enum(FUNDS_RECEIVED_KINDS);
export type FundsReceivedKind = z.infer<typeof FundsReceivedKind>;

/** The fields without the money rules, which the grant decider answers with their own codes (as for expenditures). */
export const FundsReceivedFields = z.object({
  receiptId: Id,
  grantId: Id,
  kind: FundsReceivedKind,
  /** The withdrawal application the administrator paid (its number in the administrator's system). */
  withdrawalApplicationRef: NonEmptyText(100),
  /** The day the money was credited (the bank's value date); the reporting period follows it. */
  valueDate: IsoDate,
  ...moneyFields('amountMinor'),
  /** A direct payment: the expenditure it paid. */
  expenditureId: Id.optional(),
});

const refineDirectPayment = (d: { kind: FundsReceivedKind; expenditureId?: string | undefined }, ctx: z.RefinementCtx) => {
  if (d.kind === 'direct_payment' && d.expenditureId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['expenditureId'], message: 'a direct payment names the expenditure it paid' });
  }
  if (d.kind !== 'direct_payment' && d.expenditureId !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['expenditureId'], message: `an ${d.kind} goes into the designated account; only a direct payment names an expenditure` });
  }
};

export const FundsReceivedShape = FundsReceivedFields.superRefine(refineDirectPayment);
export const FundsReceived = FundsReceivedFields.superRefine(refineDirectPayment).superRefine(refineMoney('amountMinor'));
export type FundsReceived = z.infer<typeof FundsReceivedFields>;

/** US cents a plan or forecast sets for a line in a quarter; zero is a decision too. */
const PlannedAmount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * The approved work plan of a fiscal year: a budget per line per calendar quarter, in US cents.
 * It replaces any plan approved before for the same fiscal year; a line it does not name has no
 * budget in that year.
 */
export const WorkPlanBudgetApproved = z.object({
  grantId: Id,
  /** First day of the fiscal year, the first day of a calendar quarter; the year runs four quarters from it. */
  fiscalYearStart: IsoDate,
  approvalRef: NonEmptyText(200),
  budgets: z.array(z.object({ budgetLine: Id, period: Quarter, amountMinor: PlannedAmount })).min(1).max(2000),
});
export type WorkPlanBudgetApproved = z.infer<typeof WorkPlanBudgetApproved>;

/** Cash the recipient expects to spend in a coming quarter, per line (US cents); the latest for a quarter replaces the one before. */
export const CashForecastRecorded = z.object({
  grantId: Id,
  period: Quarter,
  lines: z.array(z.object({ budgetLine: Id, amountMinor: PlannedAmount })).min(1).max(200),
});
export type CashForecastRecorded = z.infer<typeof CashForecastRecorded>;

export const GRANT_EVENT_SCHEMAS = {
  GrantAgreementSigned,
  BudgetReallocated,
  FundsCommitted,
  CommitmentReleased,
  ExpenditureRecorded,
  ExpenditureReversed,
  FundsReceived,
  WorkPlanBudgetApproved,
  CashForecastRecorded,
} as const;

/** The grant events as a discriminated union on an explicit, stored `type`. */
export type GrantEvent =
  | { type: 'GrantAgreementSigned'; data: GrantAgreementSigned }
  | { type: 'BudgetReallocated'; data: BudgetReallocated }
  | { type: 'FundsCommitted'; data: FundsCommitted }
  | { type: 'CommitmentReleased'; data: CommitmentReleased }
  | { type: 'ExpenditureRecorded'; data: ExpenditureRecorded }
  | { type: 'ExpenditureReversed'; data: ExpenditureReversed }
  | { type: 'FundsReceived'; data: FundsReceived }
  | { type: 'WorkPlanBudgetApproved'; data: WorkPlanBudgetApproved }
  | { type: 'CashForecastRecorded'; data: CashForecastRecorded };
export type GrantEventType = GrantEvent['type'];

/** One stream per grant: plain optimistic concurrency on it keeps committed + spent ≤ allocation. */
export const grantStreamId = (grantId: string): string => `grant-${grantId}`;
export const GRANT_CATEGORY = 'grant';
