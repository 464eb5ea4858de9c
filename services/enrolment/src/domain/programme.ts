import type { EnrolmentEvent, RecordedHouseholdEnrolled } from '@peil/contracts';

/**
 * What the programme as a whole knows about its households: enough to enforce capacity and
 * one-household-per-ESSN-id. Built from every household stream (the `household` category).
 */
export interface Programme {
  activeCount: number;
  /**
   * ESSN pseudonym → householdId, for every household ever enrolled: neither withdrawal nor erasure
   * frees the ESSN id (decision 0037). Pseudonyms, so the view never holds an ESSN id in clear.
   */
  essnPseudonyms: ReadonlyMap<string, string>;
  households: ReadonlyMap<string, 'active' | 'withdrawn'>;
}

export const initialProgramme = (): Programme => ({ activeCount: 0, essnPseudonyms: new Map(), households: new Map() });

/** Enrolment events whose HouseholdEnrolled carries its ESSN pseudonym (computed by the reader for older events). */
export type PseudonymisedEvent =
  | Exclude<EnrolmentEvent, { type: 'HouseholdEnrolled' }>
  | { type: 'HouseholdEnrolled'; data: RecordedHouseholdEnrolled & { essnPseudonym: string } };

/** Mutates in place for speed; the programme view is rebuilt from the ledger, never shared. */
export function evolveProgramme(programme: Programme, event: PseudonymisedEvent): Programme {
  const essnPseudonyms = programme.essnPseudonyms as Map<string, string>;
  const households = programme.households as Map<string, 'active' | 'withdrawn'>;
  switch (event.type) {
    case 'HouseholdEnrolled':
      essnPseudonyms.set(event.data.essnPseudonym, event.data.householdId);
      households.set(event.data.householdId, 'active');
      return { ...programme, activeCount: programme.activeCount + 1 };
    case 'HouseholdWithdrawn':
      if (households.get(event.data.householdId) !== 'active') return programme;
      households.set(event.data.householdId, 'withdrawn');
      return { ...programme, activeCount: programme.activeCount - 1 };
    case 'ParticipantReplaced':
    case 'HouseholdPersonalDataErased':
      return programme;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
