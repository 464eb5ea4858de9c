/** The grant context's test fixtures: the PEIL grant, command builders and the context as one decider. For specs only. */
import type { ExpenditureRecorded, GrantAgreementSigned } from '@peil/contracts';
import { deciderSpec, peilAgreement } from '@peil/testing';
import { grantContextOf, grantDecider, type Grant, type GrantCommand, type SignedGrant } from './grant.decider';
import { evolveDirectory, grantOf, initialDirectory, type GrantDirectory } from './grant-directory';

/**
 * The grant context as one decider: the directory plus every grant, each command routed as the
 * service routes it and decided by the grant stream's decider with the same context.
 */
export function grantContext() {
  type State = { directory: GrantDirectory; grants: Map<string, Grant> };
  const { initialState, evolve } = grantDecider;
  return {
    initialState: (): State => ({ directory: initialDirectory(), grants: new Map() }),
    evolve: (state: State, event: GrantCommand): State => {
      const id = grantOf(state.directory, event);
      if (id !== undefined) state.grants.set(id, evolve(state.grants.get(id) ?? initialState(), event));
      evolveDirectory(state.directory, event);
      return state;
    },
    decide: (command: GrantCommand, state: State) => {
      const context = grantContextOf(state.directory, command);
      return grantDecider.decide(command, (context.grantId === undefined ? undefined : state.grants.get(context.grantId)) ?? initialState(), context);
    },
  };
}

export const ON = '2025-10-01T09:00:00+03:00';
export const spec = deciderSpec(grantContext());

/** The JSDF grant of PEIL (shared with the acceptance specs through @peil/testing). */
export const agreement = peilAgreement;

export type Cmd<T extends GrantCommand['type']> = Extract<GrantCommand, { type: T }>;
export const signed = (over: Partial<GrantAgreementSigned> = {}): Cmd<'GrantAgreementSigned'> => ({ type: 'GrantAgreementSigned', occurredAt: '2025-07-01T09:00:00+03:00', data: agreement(over) });
export const reallocated = (fromLine: string, toLine: string, amountMinor: number, grantId = 'JSDF-PEIL'): Cmd<'BudgetReallocated'> => ({
  type: 'BudgetReallocated', occurredAt: ON, data: { grantId, fromLine, toLine, amountMinor, approvalRef: 'WB-NOL-2025-031' },
});
export const committed = (commitmentId: string, budgetLine: string, amountMinor: number): Cmd<'FundsCommitted'> => ({
  type: 'FundsCommitted', occurredAt: ON, data: { commitmentId, budgetLine, amountMinor, reference: `PO-${commitmentId}` },
});
export const released = (commitmentId: string, amountMinor: number): Cmd<'CommitmentReleased'> => ({ type: 'CommitmentReleased', occurredAt: ON, data: { commitmentId, amountMinor } });
export const spent = (expenditureId: string, budgetLine: string, amountMinor: number, over: Partial<ExpenditureRecorded> = {}): Cmd<'ExpenditureRecorded'> => ({
  type: 'ExpenditureRecorded',
  occurredAt: ON,
  data: { expenditureId, budgetLine, amountMinor, currency: 'USD', payee: 'Al Mina Sewing Supplies', documentRef: `INV-${expenditureId}`, ...over },
});
export const reversed = (expenditureId: string): Cmd<'ExpenditureReversed'> => ({ type: 'ExpenditureReversed', occurredAt: ON, data: { expenditureId, reason: 'duplicate invoice' } });

/** A second, co-financing grant with lines of its own. */
export const cofinancing = (lines: Array<{ code: string; allocationMinor: number }> = [{ code: 'CF-1', allocationMinor: 5_000_000 }]) =>
  signed({
    grantId: 'CF-2026',
    donor: 'Co-financier',
    amountMinor: lines.reduce((s, l) => s + l.allocationMinor, 0),
    components: [{ code: 'C2', name: 'Implementation', budgetLines: lines.map((l) => ({ ...l, name: `Line ${l.code}` })) }],
  });

export const stateAfter = (events: GrantCommand[]) => events.reduce(grantContext().evolve, grantContext().initialState());

/** The state of one grant after some events, for checks beyond the emitted events. */
export function grantAfter(events: GrantCommand[], grantId = 'JSDF-PEIL'): SignedGrant {
  const grant = stateAfter(events).grants.get(grantId);
  if (grant?.status !== 'signed') throw new Error(`grant ${grantId} not signed`);
  return grant;
}
export const lineOf = (events: GrantCommand[], code: string) => {
  const state = stateAfter(events);
  const grant = state.grants.get(state.directory.lineOwners.get(code) ?? '');
  if (grant?.status !== 'signed') throw new Error(`no line ${code}`);
  return grant.lines.get(code)!;
};

