// What other contexts may use from enrolment: its pure domain and the household-status read.
export { evolve as evolveHousehold, initialState as initialHousehold, type Household } from './domain/household.decider';
export { HouseholdStatusReader, type HouseholdStatus } from './application/household-status.reader';
