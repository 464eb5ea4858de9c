import {
  isQuarterStart,
  moneyViolation,
  quarterDays,
  reject,
  toUsdMinor,
  addQuarters,
  quarterOfDay,
  type CashForecastRecorded,
  type Currency,
  type FundsReceived,
  type FundsReceivedKind,
  type GrantEvent,
  type Outcome,
  type WorkPlanBudgetApproved,
} from '@peil/contracts';

/**
 * The grant's finance beyond its budget lines: money received from the administrator, the
 * approved work plans and the cash forecasts. None of it limits spending — a delivery or a session
 * paid before an advance arrives is recorded all the same (the designated account then shows a
 * negative balance, which the interim financial report calls pre-financing) — so these rules only
 * keep each record sound.
 */

/** Where an event sits in the ledger, when the state was folded from it (absent in pure tests). */
export interface Recorded {
  occurredAt: string;
  eventId?: string;
  position?: number;
}

export interface Receipt extends Recorded, RecordedMoney {
  receiptId: string;
  kind: FundsReceivedKind;
  withdrawalApplicationRef: string;
  valueDate: string;
  expenditureId?: string;
}

export interface GrantFunds {
  receipts: Map<string, Receipt>;
  /** Expenditures the administrator paid directly: expenditureId → receiptId. */
  paidDirectly: Map<string, string>;
  /** Approved work plans by fiscal-year start; each holds its budgets by line, then by quarter. */
  workPlans: Map<string, Recorded & { approvalRef: string; budgets: Map<string, Map<string, number>> }>;
  /** The latest cash forecast of each quarter, by line. */
  forecasts: Map<string, Recorded & { lines: Map<string, number> }>;
}

export const initialFunds = (): GrantFunds => ({ receipts: new Map(), paidDirectly: new Map(), workPlans: new Map(), forecasts: new Map() });

/** What the finance rules need to know of the grant. */
export interface FundsContext {
  grantId: string;
  startDate: string;
  closingDate: string;
  lines: ReadonlyMap<string, { allocationMinor: number }>;
  expenditures: ReadonlyMap<string, { usdMinor: number; reversal?: unknown }>;
  funds: GrantFunds;
}

type FundsEvent = Extract<GrantEvent, { type: 'FundsReceived' | 'WorkPlanBudgetApproved' | 'CashForecastRecorded' }>;

/** Where an event sits, copied from it onto what the fold keeps (only the members it has). */
export const recorded = (e: Recorded): Recorded => ({
  occurredAt: e.occurredAt,
  ...(e.eventId === undefined ? {} : { eventId: e.eventId }),
  ...(e.position === undefined ? {} : { position: e.position }),
});

/** An amount as submitted in its currency, kept with what it counts in US cents (round-half-even). */
export interface RecordedMoney {
  amountMinor: number;
  currency: Currency;
  fxRateToUsd?: string;
  usdMinor: number;
}

/** Receipts and expenditures fold their money the same way: the fold keeps the rate only when one was given. */
export const recordedMoney = (d: { amountMinor: number; currency: Currency; fxRateToUsd?: string | undefined }): RecordedMoney => ({
  amountMinor: d.amountMinor,
  currency: d.currency,
  ...(d.fxRateToUsd === undefined ? {} : { fxRateToUsd: d.fxRateToUsd }),
  usdMinor: toUsdMinor(d.amountMinor, d.currency, d.fxRateToUsd),
});

/** Mutates in place, like the grant's evolve (one reader folds it, never shared). */
export function evolveFunds(funds: GrantFunds, event: FundsEvent & Recorded): void {
  switch (event.type) {
    case 'FundsReceived': {
      const d = event.data;
      funds.receipts.set(d.receiptId, {
        ...recorded(event),
        receiptId: d.receiptId,
        kind: d.kind,
        withdrawalApplicationRef: d.withdrawalApplicationRef,
        valueDate: d.valueDate,
        ...recordedMoney(d),
        ...(d.expenditureId === undefined ? {} : { expenditureId: d.expenditureId }),
      });
      if (d.kind === 'direct_payment' && d.expenditureId !== undefined) funds.paidDirectly.set(d.expenditureId, d.receiptId);
      return;
    }
    case 'WorkPlanBudgetApproved': {
      const budgets = new Map<string, Map<string, number>>();
      for (const b of event.data.budgets) {
        const line = budgets.get(b.budgetLine) ?? new Map<string, number>();
        line.set(b.period, b.amountMinor);
        budgets.set(b.budgetLine, line);
      }
      // A revised plan for the same fiscal year replaces the whole plan, not single entries.
      funds.workPlans.set(event.data.fiscalYearStart, { ...recorded(event), approvalRef: event.data.approvalRef, budgets });
      return;
    }
    case 'CashForecastRecorded':
      funds.forecasts.set(event.data.period, { ...recorded(event), lines: new Map(event.data.lines.map((l) => [l.budgetLine, l.amountMinor])) });
      return;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/** US cents received into the designated account, paid from it, and its balance (negative: pre-financed by the recipient). */
export function designatedAccount(grant: FundsContext) {
  let receivedMinor = 0;
  let directPaymentsMinor = 0;
  for (const r of grant.funds.receipts.values()) {
    if (r.kind === 'direct_payment') directPaymentsMinor += r.usdMinor;
    else receivedMinor += r.usdMinor;
  }
  let paidMinor = 0;
  for (const [id, x] of grant.expenditures) {
    if (!x.reversal && !grant.funds.paidDirectly.has(id)) paidMinor += x.usdMinor;
  }
  return { receivedMinor, paidMinor, balanceMinor: receivedMinor - paidMinor, directPaymentsMinor };
}

const quarterIndex = (quarter: string) => Number(quarter.slice(0, 4)) * 4 + Number(quarter.slice(5));

type Decide<T> = (data: T, grant: FundsContext | undefined) => Outcome<GrantEvent>;

const unknownGrant = (grantId: string) => reject('unknown_grant', `grant ${grantId} is not signed`, 'data.grantId');

/** The quarter overlaps the grant's life (start date to closing date). */
const withinGrant = (quarter: string, grant: FundsContext): boolean => {
  const days = quarterDays(quarter)!;
  return days.end >= grant.startDate && days.start <= grant.closingDate;
};

export const receive: Decide<FundsReceived> = (data, grant) => {
  const money = moneyViolation(data.amountMinor, data.currency, data.fxRateToUsd);
  if (money) return reject(money.code, money.message, `data.${money.field}`);
  if (!grant) return unknownGrant(data.grantId);
  if (grant.funds.receipts.has(data.receiptId)) return reject('duplicate_receipt', `receipt ${data.receiptId} is already recorded on grant ${grant.grantId}`, 'data.receiptId');
  const usdMinor = toUsdMinor(data.amountMinor, data.currency, data.fxRateToUsd);
  if (usdMinor === 0) return reject('amount_rounds_to_zero', `${data.amountMinor} ${data.currency} at ${data.fxRateToUsd} is less than half a US cent`, 'data.amountMinor');
  if (data.valueDate < grant.startDate) {
    return reject('value_date_before_grant', `grant ${grant.grantId} starts on ${grant.startDate}; no funds are disbursed for it before`, 'data.valueDate');
  }
  if (data.kind === 'direct_payment') {
    const id = data.expenditureId!;
    const paid = grant.expenditures.get(id);
    if (!paid) return reject('unknown_expenditure', `grant ${grant.grantId} has no expenditure ${id}`, 'data.expenditureId');
    if (paid.reversal) return reject('expenditure_already_reversed', `expenditure ${id} was reversed; nothing is left to pay`, 'data.expenditureId');
    const by = grant.funds.paidDirectly.get(id);
    if (by !== undefined) return reject('expenditure_already_paid', `expenditure ${id} was paid directly by receipt ${by}`, 'data.expenditureId');
    // The payment is the expenditure's money: a different value would leave cash in no account.
    if (usdMinor !== paid.usdMinor) {
      return reject('direct_payment_mismatch', `expenditure ${id} is ${paid.usdMinor} US cents; the direct payment is ${usdMinor}`, 'data.amountMinor');
    }
  }
  return { ok: true, events: [{ type: 'FundsReceived', data }] };
};

export const approveWorkPlan: Decide<WorkPlanBudgetApproved> = (data, grant) => {
  if (!grant) return unknownGrant(data.grantId);
  if (!isQuarterStart(data.fiscalYearStart)) {
    return reject('fiscal_year_start_not_quarter', 'a fiscal year starts on the first day of a calendar quarter (1 January, 1 April, 1 July or 1 October)', 'data.fiscalYearStart');
  }
  const first = quarterOfDay(data.fiscalYearStart);
  const quarters = [0, 1, 2, 3].map((n) => addQuarters(first, n));
  // Fiscal years follow one another: a plan for a year that overlaps another plan's would give a quarter two budgets.
  for (const other of grant.funds.workPlans.keys()) {
    const apart = Math.abs(quarterIndex(quarterOfDay(other)) - quarterIndex(first));
    if (apart !== 0 && apart % 4 !== 0) {
      return reject('fiscal_year_overlaps', `a work plan exists for the fiscal year starting ${other}; fiscal years start on the same day of the year`, 'data.fiscalYearStart');
    }
  }
  const seen = new Set<string>();
  const planned = new Map<string, number>();
  for (const [i, b] of data.budgets.entries()) {
    const path = `data.budgets[${i}]`;
    if (!grant.lines.has(b.budgetLine)) return reject('unknown_budget_line', `grant ${grant.grantId} has no budget line ${b.budgetLine}`, `${path}.budgetLine`);
    if (!quarters.includes(b.period)) {
      return reject('period_outside_fiscal_year', `the fiscal year starting ${data.fiscalYearStart} is ${quarters[0]}–${quarters[3]}, not ${b.period}`, `${path}.period`);
    }
    if (!withinGrant(b.period, grant)) return reject('period_outside_grant', `${b.period} is outside grant ${grant.grantId} (${grant.startDate} to ${grant.closingDate})`, `${path}.period`);
    const key = `${b.budgetLine}@${b.period}`;
    if (seen.has(key)) return reject('duplicate_budget_entry', `${b.budgetLine} has two budgets for ${b.period}`, path);
    seen.add(key);
    planned.set(b.budgetLine, (planned.get(b.budgetLine) ?? 0) + b.amountMinor);
  }
  // Over the grant's life, the plans of every fiscal year (this one replacing its predecessor) fit the line.
  for (const [other, plan] of grant.funds.workPlans) {
    if (other === data.fiscalYearStart) continue;
    for (const [line, byQuarter] of plan.budgets) {
      if (planned.has(line)) for (const amount of byQuarter.values()) planned.set(line, planned.get(line)! + amount);
    }
  }
  for (const [line, total] of planned) {
    const allocation = grant.lines.get(line)!.allocationMinor;
    if (total > allocation) {
      return reject('work_plan_exceeds_allocation', `the work plans budget ${total} US cents on ${line} over the grant's life; its allocation is ${allocation}`, 'data.budgets');
    }
  }
  return { ok: true, events: [{ type: 'WorkPlanBudgetApproved', data }] };
};

export const forecast: Decide<CashForecastRecorded> = (data, grant) => {
  if (!grant) return unknownGrant(data.grantId);
  if (!withinGrant(data.period, grant)) return reject('period_outside_grant', `${data.period} is outside grant ${grant.grantId} (${grant.startDate} to ${grant.closingDate})`, 'data.period');
  const seen = new Set<string>();
  for (const [i, l] of data.lines.entries()) {
    const path = `data.lines[${i}].budgetLine`;
    if (!grant.lines.has(l.budgetLine)) return reject('unknown_budget_line', `grant ${grant.grantId} has no budget line ${l.budgetLine}`, path);
    if (seen.has(l.budgetLine)) return reject('duplicate_forecast_line', `${l.budgetLine} appears twice in the forecast`, path);
    seen.add(l.budgetLine);
  }
  return { ok: true, events: [{ type: 'CashForecastRecorded', data }] };
};
