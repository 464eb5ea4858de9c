// What other contexts may use from the grant context: its client over the HTTP API.
export { GrantClient, type BudgetLineView } from './client/grant.client';
