import type { EnrolmentEvent } from '@peil/contracts';

/**
 * What the programme as a whole knows about its households: enough to enforce capacity and
 * one-household-per-ESSN-id. Built from every household stream (the `household` category).
 */
export interface Programme {
  activeCount: number;
  /** essnId → householdId, for every household ever enrolled (withdrawal does not free the id). */
  essnIds: ReadonlyMap<string, string>;
  households: ReadonlyMap<string, 'active' | 'withdrawn'>;
}

export const initialProgramme = (): Programme => ({ activeCount: 0, essnIds: new Map(), households: new Map() });

/** Mutates in place for speed; the programme view is rebuilt from the ledger, never shared. */
export function evolveProgramme(programme: Programme, event: EnrolmentEvent): Programme {
  const essnIds = programme.essnIds as Map<string, string>;
  const households = programme.households as Map<string, 'active' | 'withdrawn'>;
  switch (event.type) {
    case 'HouseholdEnrolled':
      essnIds.set(event.data.essnId, event.data.householdId);
      households.set(event.data.householdId, 'active');
      return { ...programme, activeCount: programme.activeCount + 1 };
    case 'HouseholdWithdrawn':
      if (households.get(event.data.householdId) !== 'active') return programme;
      households.set(event.data.householdId, 'withdrawn');
      return { ...programme, activeCount: programme.activeCount - 1 };
    case 'ParticipantReplaced':
      return programme;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
