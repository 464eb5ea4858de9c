import { reject, type Outcome } from '../common/outcome';
import type { PublishedView } from '../common/view';
import { householdStreamId, type EnrolmentEvent } from './enrolment.events';

/** What other contexts know of a household: whether it is enrolled and active, and where. */
export type HouseholdStatus =
  | { status: 'unknown' }
  | { status: 'active' | 'withdrawn'; district: string; governorate: string; enrolledAt: string; withdrawnAt?: string };

/**
 * The household's status folded from its enrolment stream (`household-<id>`). Every context whose
 * rules need "an active household" reads this view, caught up before each decision: a withdrawal is
 * seen by the very next decision, with no read model in between.
 */
export const householdStatusView: PublishedView<HouseholdStatus, EnrolmentEvent> = {
  types: ['HouseholdEnrolled', 'HouseholdWithdrawn'],
  streamId: householdStreamId,
  initialState: () => ({ status: 'unknown' }),
  evolve: (state, event) => {
    if (event.type === 'HouseholdEnrolled') {
      return { status: 'active', district: event.data.district, governorate: event.data.governorate, enrolledAt: event.occurredAt };
    }
    if (event.type === 'HouseholdWithdrawn' && state.status !== 'unknown') return { ...state, status: 'withdrawn', withdrawnAt: event.occurredAt };
    return state;
  },
};

/**
 * The rule every context shares: a household must be enrolled (`household_not_found`) and not
 * withdrawn (`household_inactive`). Undefined when it is active.
 */
export function householdStatusRejection(household: { status: HouseholdStatus['status']; withdrawnAt?: string }, householdId: string): Outcome<never> | undefined {
  if (household.status === 'unknown') return reject('household_not_found', `household ${householdId} is not enrolled`, 'data.householdId');
  if (household.status === 'withdrawn') {
    return reject('household_inactive', `household ${householdId} was withdrawn${household.withdrawnAt ? ` on ${household.withdrawnAt}` : ''}`, 'data.householdId');
  }
  return undefined;
}
