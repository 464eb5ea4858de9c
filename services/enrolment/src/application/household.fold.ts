import type { EnrolmentEvent } from '@peil/contracts';
import type { StreamFold } from '@peil/platform';
import { evolve, initialState, type Household } from '../domain/household.decider';

/** A household stream folded by the enrolment decider's own evolve. */
export const householdFold: StreamFold<Household> = {
  initialState,
  evolve: (state, e) => evolve(state, { type: e.type, data: e.data, occurredAt: e.occurredAt } as unknown as EnrolmentEvent & { occurredAt: string }),
};
