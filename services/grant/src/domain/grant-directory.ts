import type { GrantEvent } from '@peil/contracts';

/**
 * What the grant context as a whole knows across grants: which grant owns each budget line,
 * commitment and expenditure. FundsCommitted and ExpenditureRecorded name only their line,
 * CommitmentReleased only its commitment, ExpenditureReversed only its expenditure; the directory
 * routes each to its grant's stream. Line codes, commitment ids and expenditure ids are unique
 * programme-wide, so one owner each. Built from every grant stream (the `grant` category).
 */
export interface GrantDirectory {
  /** Grant ids in the order they were signed. */
  grants: string[];
  lineOwners: ReadonlyMap<string, string>;
  commitmentOwners: ReadonlyMap<string, string>;
  expenditureOwners: ReadonlyMap<string, string>;
}

export const initialDirectory = (): GrantDirectory => ({ grants: [], lineOwners: new Map(), commitmentOwners: new Map(), expenditureOwners: new Map() });

/** The grant an event belongs to, or undefined when the directory does not know its line, commitment or expenditure. */
export function grantOf(directory: GrantDirectory, event: GrantEvent): string | undefined {
  switch (event.type) {
    case 'GrantAgreementSigned':
    case 'BudgetReallocated':
    case 'FundsReceived':
    case 'WorkPlanBudgetApproved':
    case 'CashForecastRecorded':
      return event.data.grantId;
    case 'FundsCommitted':
    case 'ExpenditureRecorded':
      return directory.lineOwners.get(event.data.budgetLine);
    case 'CommitmentReleased':
      return directory.commitmentOwners.get(event.data.commitmentId);
    case 'ExpenditureReversed':
      return directory.expenditureOwners.get(event.data.expenditureId);
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/** Mutates in place for speed: the directory is rebuilt from the ledger by one reader, never shared. */
export function evolveDirectory(directory: GrantDirectory, event: GrantEvent): GrantDirectory {
  const lineOwners = directory.lineOwners as Map<string, string>;
  switch (event.type) {
    case 'GrantAgreementSigned':
      if (!directory.grants.includes(event.data.grantId)) directory.grants.push(event.data.grantId);
      for (const component of event.data.components) {
        for (const line of component.budgetLines) lineOwners.set(line.code, event.data.grantId);
      }
      return directory;
    case 'FundsCommitted': {
      const owner = lineOwners.get(event.data.budgetLine);
      if (owner !== undefined) (directory.commitmentOwners as Map<string, string>).set(event.data.commitmentId, owner);
      return directory;
    }
    case 'ExpenditureRecorded': {
      const owner = lineOwners.get(event.data.budgetLine);
      if (owner !== undefined) (directory.expenditureOwners as Map<string, string>).set(event.data.expenditureId, owner);
      return directory;
    }
    case 'BudgetReallocated':
    case 'CommitmentReleased':
    case 'ExpenditureReversed':
    // Receipts, work plans and forecasts name their grant and create no programme-wide id.
    case 'FundsReceived':
    case 'WorkPlanBudgetApproved':
    case 'CashForecastRecorded':
      return directory;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
