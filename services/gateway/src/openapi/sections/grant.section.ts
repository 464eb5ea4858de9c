import { GRANT_EVENT_SCHEMAS } from '@peil/contracts';
import { eventsEndpoint } from '../components';
import type { ApiSection } from '../openapi.types';
import { readRoute } from './read-route';

const endpoint = eventsEndpoint({ context: 'grant', events: GRANT_EVENT_SCHEMAS });
const read = (operationId: string, summary: string, extra: { params?: string[]; query?: string[]; description?: string } = {}) =>
  readRoute({ tag: 'grant', operationId, summary, ...extra });

export const GRANT_SECTION: ApiSection = {
  service: 'grant',
  tag: {
    name: 'grant',
    description: 'The JSDF grant\'s budget and expenditure ledger: agreements, reallocations, commitments, expenditures, reversals. Amounts in US cents; LBP converted at fxRateToUsd, round-half-even. No line ever has committed + spent above its allocation.',
  },
  paths: {
    ...endpoint.paths,
    '/v1/grant/budget-lines': read('getBudgetLines', 'Every budget line: allocation, committed, spent, remaining'),
    '/v1/grant/expenditures': read('getExpenditures', 'Expenditures, optionally of one budget line', { query: ['budgetLine'] }),
    '/v1/grant/grants': read('getGrants', 'Registered grants with component and line totals'),
    '/v1/grant/grants/{grantId}': read('getGrant', 'One grant with its lines and commitments', { params: ['grantId'] }),
    '/v1/grant/commitments/{commitmentId}': read('getCommitment', 'One commitment and what it still holds', { params: ['commitmentId'] }),
    '/v1/grant/reconciliation': read('getReconciliation', 'Deliveries against assets-line expenditures', {
      description: 'Deliveries without expenditure, expenditures without delivery, deliveries counted twice, and totals that must agree to the cent.',
    }),
  },
  schemas: endpoint.schemas,
};
