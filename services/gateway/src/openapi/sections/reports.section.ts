import type { ApiSection } from '../openapi.types';
import { readRoute } from './read-route';

const READERS = ['donor', 'supervisor', 'auditor', 'finance', 'admin'] as const;
const AS_OF =
  '`asOf` (a ledger position, or an ISO time) gives the report as it stood then; the same position always gives the same bytes. Every report carries `ledgerPosition` (also the `X-Ledger-Position` header). Households appear only by a pseudonymous `HR-…` reference. 503 `read_model_integrity_fault` when the read model stands on another ledger than this one (cut back or rewritten behind it), `ledger_integrity_fault` while the ledger fails verification; reports `asOf` a position below the first failing one still answer.';
const report = (operationId: string, summary: string, query: string[], description: string) =>
  readRoute({ tag: 'reports', operationId, summary, roles: READERS, query: [...query, 'asOf'], description: `${description} ${AS_OF}` });

export const REPORTS_SECTION: ApiSection = {
  service: 'reporting',
  tag: {
    name: 'reports',
    description: 'Donor and MoSA reports projected from the ledger. Amounts in US cents. Reproducible: `npx peil-ledger report <name> --as-of <position>` computes the same bytes without a server.',
  },
  paths: {
    '/v1/reports/grant-statement': report('getGrantStatement', 'Interim financial report per grant, component and line', ['period'],
      '`period=YYYYQn` (default: the quarter of the as-of time): allocation, committed, spent in the period, spent to its end, remaining; component and grant totals.'),
    '/v1/reports/asset-register': report('getAssetRegister', 'One row per asset delivery, with totals', ['format'],
      '`format=json|csv`. Item, category, quantity, serials, original amount and currency, rate, US cents, supplier, invoice, receipt, latest verification, expenditure.'),
    '/v1/reports/beneficiaries': report('getBeneficiaries', 'The participation funnel, by sex and governorate', [],
      'Enrolled, active, withdrawn, profiled, with plan, with assets, trained per module, coached, nudged, surveyed per round.'),
    '/v1/reports/indicators': report('getIndicators', 'Outcome indicators by survey round', [],
      'Households surveyed, mean income and savings (US cents), shares operating a business and employed; change baseline → endline on the same households.'),
    '/v1/reports/iati': report('getIati', 'IATI 2.03 activity document (XML)', [],
      'Budget per line, commitment (type 2) and expenditure (type 4) transactions in USD with value dates.'),
  },
  schemas: {},
};
