import {
  disbursementCategoriesOf,
  moneyViolation,
  toUsdMinor,
  type BudgetReallocated,
  type DisbursementCategory,
  type CommitmentReleased,
  type ExpenditureRecorded,
  type ExpenditureReversed,
  type FundsCommitted,
  type GrantAgreementSigned,
  type GrantEvent,
} from '@peil/contracts';
import { grantOf, type GrantDirectory } from './grant-directory';
import { approveWorkPlan, forecast, receive } from './grant-funds';
import { reject } from '@peil/contracts';

import { evolve, initialState, outstandingMinor, remainingMinor, usedMinor, type Grant, type Outcome, type SignedGrant } from './grant.state';

export * from './grant.state';

/** A submission to the grant context: the event finance (or another service) says happened, and when. */
export type GrantCommand = GrantEvent & { occurredAt: string };

/** "US$2,500.00" for messages. */
export const usd = (cents: number): string =>
  `US$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** What a grant decision is told, read before it: the directory across grants, and the grant it routes the command to. */
export interface GrantContext {
  directory: GrantDirectory;
  grantId: string | undefined;
}

/** The directory's answer as a context: which grant stream a command goes to, undefined when no grant owns what it names. */
export const grantContextOf = (directory: GrantDirectory, command: GrantCommand): GrantContext => ({ directory, grantId: grantOf(directory, command) });

/** A grant's stream in Emmett's shape: folded by `evolve`, decided with the directory as a value. */
export const grantDecider = {
  initialState,
  evolve,
  decide: (command: GrantCommand, grant: Grant, context: GrantContext): Outcome => decide(command, { grant, directory: context.directory }),
};

/**
 * decide(command, state) → events | rejection. Pure: `grant` is the grant the command is routed to
 * (the unsigned state when the directory knows no grant for it), `directory` the view across grants.
 */
export function decide(command: GrantCommand, state: { grant: Grant; directory: GrantDirectory }): Outcome {
  switch (command.type) {
    case 'GrantAgreementSigned':
      return sign(command.data, state);
    case 'BudgetReallocated':
      return reallocate(command.data, state.grant);
    case 'FundsCommitted':
      return commit(command.data, state);
    case 'CommitmentReleased':
      return release(command.data, state.grant);
    case 'ExpenditureRecorded':
      return spend(command.data, state);
    case 'ExpenditureReversed':
      return reverse(command.data, state.grant);
    case 'FundsReceived':
      return receive(command.data, signedOrUndefined(state.grant));
    case 'WorkPlanBudgetApproved':
      return approveWorkPlan(command.data, signedOrUndefined(state.grant));
    case 'CashForecastRecorded':
      return forecast(command.data, signedOrUndefined(state.grant));
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}

const signedOrUndefined = (grant: Grant): SignedGrant | undefined => (grant.status === 'signed' ? grant : undefined);

function sign(data: GrantAgreementSigned, { grant, directory }: { grant: Grant; directory: GrantDirectory }): Outcome {
  if (grant.status === 'signed' || directory.grants.includes(data.grantId)) {
    return reject('grant_already_signed', `grant ${data.grantId} is already signed`, 'data.grantId');
  }
  const components = new Set<string>();
  const lines = new Set<string>();
  let total = 0n;
  for (const [i, component] of data.components.entries()) {
    if (components.has(component.code)) {
      return reject('duplicate_component_code', `component ${component.code} appears twice in the agreement`, `data.components[${i}].code`);
    }
    components.add(component.code);
    for (const [j, line] of component.budgetLines.entries()) {
      const path = `data.components[${i}].budgetLines[${j}].code`;
      if (lines.has(line.code)) return reject('duplicate_line_code', `budget line ${line.code} appears twice in the agreement`, path);
      lines.add(line.code);
      const owner = directory.lineOwners.get(line.code);
      if (owner !== undefined) return reject('line_code_taken', `budget line ${line.code} belongs to grant ${owner}; line codes are unique across grants`, path);
      total += BigInt(line.allocationMinor);
    }
  }
  if (total !== BigInt(data.amountMinor)) {
    return reject(
      'allocations_do_not_sum',
      `the budget lines allocate ${total} US cents but the grant is ${data.amountMinor} (${usd(data.amountMinor)})`,
      'data.amountMinor',
    );
  }
  const categories = checkCategories(data.disbursementCategories, lines);
  if (!categories.ok) return categories;
  // Recorded with its categories always (the default one when none is named), so readers never guess.
  return { ok: true, events: [{ type: 'GrantAgreementSigned', data: { ...data, disbursementCategories: disbursementCategoriesOf(data) } }] };
}

/** Every line of the agreement in exactly one category; none named is one default category. */
function checkCategories(categories: DisbursementCategory[] | undefined, lines: ReadonlySet<string>): Outcome {
  if (categories === undefined) return { ok: true, events: [] };
  const codes = new Set<string>();
  const categoryOf = new Map<string, string>();
  for (const [i, category] of categories.entries()) {
    const path = `data.disbursementCategories[${i}]`;
    if (codes.has(category.code)) return reject('duplicate_category_code', `disbursement category ${category.code} appears twice`, `${path}.code`);
    codes.add(category.code);
    for (const [j, line] of category.budgetLines.entries()) {
      if (!lines.has(line)) return reject('unknown_budget_line', `the agreement has no budget line ${line}`, `${path}.budgetLines[${j}]`);
      const other = categoryOf.get(line);
      if (other !== undefined) return reject('line_in_two_categories', `budget line ${line} is in categories ${other} and ${category.code}; a line belongs to one`, `${path}.budgetLines[${j}]`);
      categoryOf.set(line, category.code);
    }
  }
  const without = [...lines].filter((l) => !categoryOf.has(l));
  if (without.length > 0) return reject('line_without_category', `budget lines ${without.join(', ')} belong to no disbursement category`, 'data.disbursementCategories');
  return { ok: true, events: [] };
}

function reallocate(data: BudgetReallocated, grant: Grant): Outcome {
  if (grant.status !== 'signed') return reject('unknown_grant', `grant ${data.grantId} is not signed`, 'data.grantId');
  const from = grant.lines.get(data.fromLine);
  if (!from) return reject('unknown_budget_line', `grant ${data.grantId} has no budget line ${data.fromLine}`, 'data.fromLine');
  const to = grant.lines.get(data.toLine);
  if (!to) return reject('unknown_budget_line', `grant ${data.grantId} has no budget line ${data.toLine}`, 'data.toLine');
  if (from.code === to.code) return reject('same_line', 'a reallocation moves money between two different lines', 'data.toLine');
  if (from.allocationMinor - data.amountMinor < usedMinor(from)) {
    return reject(
      'reallocation_below_used',
      `${from.code} has ${usd(from.committedMinor)} committed and ${usd(from.spentMinor)} spent of ${usd(from.allocationMinor)}; at most ${usd(remainingMinor(from))} can move`,
      'data.amountMinor',
    );
  }
  return { ok: true, events: [{ type: 'BudgetReallocated', data }] };
}

function commit(data: FundsCommitted, { grant, directory }: { grant: Grant; directory: GrantDirectory }): Outcome {
  const line = grant.status === 'signed' ? grant.lines.get(data.budgetLine) : undefined;
  if (grant.status !== 'signed' || !line) return reject('unknown_budget_line', `no signed grant has a budget line ${data.budgetLine}`, 'data.budgetLine');
  if (grant.commitments.has(data.commitmentId) || directory.commitmentOwners.has(data.commitmentId)) {
    return reject('duplicate_commitment', `commitment ${data.commitmentId} already exists`, 'data.commitmentId');
  }
  if (usedMinor(line) + data.amountMinor > line.allocationMinor) {
    return reject('insufficient_funds', `${line.code} has ${usd(remainingMinor(line))} left; cannot commit ${usd(data.amountMinor)}`, 'data.amountMinor');
  }
  return { ok: true, events: [{ type: 'FundsCommitted', data }] };
}

function release(data: CommitmentReleased, grant: Grant): Outcome {
  const commitment = grant.status === 'signed' ? grant.commitments.get(data.commitmentId) : undefined;
  if (!commitment) return reject('unknown_commitment', `no commitment ${data.commitmentId}`, 'data.commitmentId');
  const outstanding = outstandingMinor(commitment);
  if (data.amountMinor > outstanding) {
    return reject('commitment_exceeded', `commitment ${data.commitmentId} still holds ${usd(outstanding)}; cannot release ${usd(data.amountMinor)}`, 'data.amountMinor');
  }
  return { ok: true, events: [{ type: 'CommitmentReleased', data }] };
}

function spend(data: ExpenditureRecorded, { grant, directory }: { grant: Grant; directory: GrantDirectory }): Outcome {
  const money = moneyViolation(data.amountMinor, data.currency, data.fxRateToUsd);
  if (money) return reject(money.code, money.message, `data.${money.field}`);
  const line = grant.status === 'signed' ? grant.lines.get(data.budgetLine) : undefined;
  if (grant.status !== 'signed' || !line) return reject('unknown_budget_line', `no signed grant has a budget line ${data.budgetLine}`, 'data.budgetLine');
  if (grant.expenditures.has(data.expenditureId) || directory.expenditureOwners.has(data.expenditureId)) {
    return reject('duplicate_expenditure', `expenditure ${data.expenditureId} is already recorded`, 'data.expenditureId');
  }
  const usdMinor = toUsdMinor(data.amountMinor, data.currency, data.fxRateToUsd);
  if (usdMinor === 0) {
    return reject('amount_rounds_to_zero', `${data.amountMinor} ${data.currency} at ${data.fxRateToUsd} is less than half a US cent`, 'data.amountMinor');
  }
  let drawDown = 0;
  if (data.commitmentId !== undefined) {
    const commitment = grant.commitments.get(data.commitmentId);
    if (!commitment) return reject('unknown_commitment', `no commitment ${data.commitmentId} on grant ${grant.grantId}`, 'data.commitmentId');
    if (commitment.budgetLine !== line.code) {
      return reject('commitment_line_mismatch', `commitment ${data.commitmentId} is on ${commitment.budgetLine}, not ${line.code}`, 'data.commitmentId');
    }
    // What the commitment still holds is drawn down, never more: the rest of the cost is new spending.
    drawDown = Math.min(data.commitmentConsumedMinor ?? 0, outstandingMinor(commitment));
  }
  if (usedMinor(line) - drawDown + usdMinor > line.allocationMinor) {
    return reject(
      'insufficient_funds',
      `${line.code} has ${usd(remainingMinor(line) + drawDown)} left for this expenditure; it costs ${usd(usdMinor)}`,
      'data.amountMinor',
    );
  }
  const expenditure: GrantEvent = { type: 'ExpenditureRecorded', data };
  if (drawDown === 0) return { ok: true, events: [expenditure] };
  // Released first, so that every prefix of the append also keeps committed + spent ≤ allocation.
  const drawn: GrantEvent = {
    type: 'CommitmentReleased',
    data: { commitmentId: data.commitmentId!, amountMinor: drawDown, reason: `drawn down by expenditure ${data.expenditureId}` },
  };
  return { ok: true, events: [drawn, expenditure] };
}

function reverse(data: ExpenditureReversed, grant: Grant): Outcome {
  const expenditure = grant.status === 'signed' ? grant.expenditures.get(data.expenditureId) : undefined;
  if (!expenditure) return reject('unknown_expenditure', `no expenditure ${data.expenditureId}`, 'data.expenditureId');
  if (expenditure.reversal) {
    return reject('expenditure_already_reversed', `expenditure ${data.expenditureId} was reversed on ${expenditure.reversal.occurredAt}`, 'data.expenditureId');
  }
  return { ok: true, events: [{ type: 'ExpenditureReversed', data }] };
}
