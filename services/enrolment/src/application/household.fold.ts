import { ENROLMENT_EVENT_SCHEMAS, type EnrolmentEvent } from '@peil/contracts';
import { typedFold, type StreamFold } from '@peil/platform';
import { evolve, initialState, type Household } from '../domain/household.decider';

/** A household stream folded by the enrolment decider's own evolve. */
export const householdFold: StreamFold<Household> = typedFold<Household, EnrolmentEvent>(ENROLMENT_EVENT_SCHEMAS, initialState, evolve);
