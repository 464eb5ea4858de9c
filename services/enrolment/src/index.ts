// What other contexts may use from enrolment: its pure domain (for their own read of the ledger).
export { evolve as evolveHousehold, initialState as initialHousehold, type Household } from './domain/household.decider';
