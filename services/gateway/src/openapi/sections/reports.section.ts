import type { ApiSection } from '../openapi.types';
import { ref, response } from '../components';
import { DASHBOARD_SCHEMAS } from './dashboard.schemas';
import { IFR_SCHEMAS } from './ifr.schemas';
import type { MediaType } from '../openapi.types';
import { readRoute } from './read-route';

const READERS = ['donor', 'supervisor', 'auditor', 'finance', 'admin'] as const;
const AS_OF =
  '`asOf` (a ledger position, `size:<tree size>`, or an ISO time) gives the report as it stood then; the same position always gives the same bytes. Every report carries `ledgerPosition` (also the `X-Ledger-Position` header) and the Merkle tree head there, `treeSize` and `rootHash` (base64), as `GET /v1/ledger/checkpoint?size=<treeSize>` signs them. Households appear only by a pseudonymous `HR-…` reference. 503 `read_model_integrity_fault` when the read model stands on another ledger than this one (cut back or rewritten behind it), `ledger_integrity_fault` while the ledger fails verification, `tree_integrity_fault` when the Merkle tree disagrees with the ledger; reports `asOf` a position below the first failing one still answer.';
const JSON_BODY = { 'application/json': { schema: { type: 'object' } } };
// Every report answers 400 for a bad query value (format, period, asOf beyond the head or not a position).
const report = (operationId: string, summary: string, query: string[], description: string, extra: { content?: Record<string, MediaType>; responses?: Record<string, ReturnType<typeof response>> } = {}) =>
  readRoute({
    tag: 'reports', operationId, summary, roles: READERS, query: [...query, 'asOf'], description: `${description} ${AS_OF}`,
    content: extra.content ?? JSON_BODY,
    responses: { '400': response('BadRequest'), '503': response('ServiceUnavailable'), ...extra.responses },
  });

export const REPORTS_SECTION: ApiSection = {
  service: 'reporting',
  tag: {
    name: 'reports',
    description: 'Donor and MoSA reports projected from the ledger. Amounts in US cents. Reproducible: `npx peil-ledger report <name> --as-of <position>` computes the same bytes without a server.',
  },
  paths: {
    '/v1/reports/grant-statement': report('getGrantStatement', 'Interim financial report per grant, component and line', ['period'],
      '`period=YYYYQn` (default: the quarter of the as-of time): allocation, committed, spent in the period, spent to its end, remaining; component and grant totals; per grant `spendingByMonth`.',
      { content: { 'application/json': { schema: ref('GrantStatement') } } }),
    '/v1/reports/ifr': report('getIfr', 'World Bank interim financial report (IFR) for a quarter', ['period', 'format', 'bom'],
      '`period=YYYYQn` (default: the quarter of the as-of time), `format=json|csv`. Per grant: sources and uses of funds (advances, replenishments, direct payments; opening and closing cash), uses by disbursement category and by component and line with the work plan’s budget, actual, variance (budget − actual) and variance %, each for the quarter, the fiscal year to date (`PEIL_FISCAL_YEAR_START_MONTH`) and cumulatively; LBP columns where amounts were in LBP; the designated-account statement (opening, received, paid, closing — negative is pre-financing) and its reconciliation to the ledger; the next quarter’s cash forecast less the account balance. JSON amounts in US cents; CSV (UTF-8 with a byte-order mark, `bom=false` for machines, formula-guarded) in dollars with two decimals.',
      { content: { 'application/json': { schema: ref('InterimFinancialReport') }, 'text/csv': { schema: { type: 'string' } } } }),
    '/v1/reports/asset-register': report('getAssetRegister', 'One row per asset delivery, with totals', ['format', 'bom'],
      '`format=json|csv`. Governorate and district, item code, name and category, quantity, serials, original amount and currency, rate, US cents, supplier, invoice, receipt, latest verification, expenditure. CSV is UTF-8 starting with a byte-order mark so that Excel shows Arabic text (`bom=false` leaves it out, for machines); a cell that starts with = + - @ and is not a number gets a leading apostrophe so a spreadsheet never runs it as a formula. `summary.byGovernorate` and `summary.byCategory` add up deliveries and value.',
      { content: { 'application/json': { schema: ref('AssetRegister') }, 'text/csv': { schema: { type: 'string' } } } }),
    '/v1/reports/beneficiaries': report('getBeneficiaries', 'The participation funnel, by sex and governorate', [],
      '`households`: total, by status (active, withdrawn, replaced), by sex and by governorate. `funnel`: enrolled, active, withdrawn, profiled, with plan, with assets, trained per module, coached, nudged, surveyed per round.',
      { content: { 'application/json': { schema: ref('Beneficiaries') } } }),
    '/v1/reports/indicators': report('getIndicators', 'Outcome indicators by survey round', [],
      'Households surveyed, mean income and savings (US cents), shares operating a business and employed; change baseline → endline on the same households.'),
    '/v1/reports/iati': report('getIati', 'IATI 2.03 activity document (XML)', [],
      'One activity per grant, `xml:lang="en"`, published by the configured reporting organisation (`PEIL_IATI_REPORTING_ORG_REF`, `_TYPE`, `_NAME`; unset: 503 `iati_not_configured`). Budgets per line and grant year (no period over a year), commitments (type 2) with releases as negative type-2 adjustments, expenditures (type 4), in USD with value dates.',
      { content: { 'application/xml': { schema: { type: 'string' } } }, responses: { '503': response('ServiceUnavailable') } }),
  },
  schemas: { ...IFR_SCHEMAS, ...DASHBOARD_SCHEMAS },
};
