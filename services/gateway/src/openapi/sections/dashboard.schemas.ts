import { ref } from '../components';

/**
 * The summaries a dashboard draws from the grant statement, the beneficiaries report and the asset
 * register (US cents). Only these fields are spelled out here; the rest of each report is as its
 * route describes.
 */
const count = { type: 'integer', minimum: 0 };
const usdMinor = { type: 'integer', description: 'US cents' };
const summaryRow = (key: string, description: string) => ({
  type: 'object',
  required: [key, 'deliveries', 'quantity', 'totalUsdMinor'],
  properties: { [key]: { type: ['string', 'null'], description }, deliveries: count, quantity: count, totalUsdMinor: usdMinor },
});
const householdCounts = {
  type: 'object',
  required: ['total', 'F', 'M', 'active', 'withdrawn', 'replaced'],
  properties: { total: count, F: count, M: count, active: count, withdrawn: count, replaced: count },
};

export const DASHBOARD_SCHEMAS = {
  MonthlySpending: {
    type: 'object',
    required: ['month', 'spentMinor'],
    properties: {
      month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
      spentMinor: { ...usdMinor, description: 'US cents spent in the month by the expenditure’s date, less reversals dated in it (may be negative)' },
    },
  },
  GrantStatement: {
    type: 'object',
    required: ['report', 'ledgerPosition', 'asOf', 'period', 'periodStart', 'periodEnd', 'currency', 'grants'],
    properties: {
      grants: {
        type: 'array',
        items: {
          type: 'object',
          required: ['grantId', 'amountMinor', 'components', 'totals', 'spendingByMonth'],
          properties: {
            spendingByMonth: {
              type: 'array', items: ref('MonthlySpending'),
              description: 'Every month from the first with spending to the last up to the period’s end, without gaps; the sum equals `totals.spentCumulativeMinor`.',
            },
          },
        },
      },
    },
  },
  Beneficiaries: {
    type: 'object',
    required: ['report', 'ledgerPosition', 'asOf', 'households', 'funnel'],
    properties: {
      households: {
        type: 'object',
        description: 'Households now: active + withdrawn = total; replaced counts households whose participant was replaced, whatever their status; sex is the current participant’s.',
        required: ['total', 'byStatus', 'bySex', 'byGovernorate'],
        properties: {
          total: count,
          byStatus: { type: 'object', required: ['active', 'withdrawn', 'replaced'], properties: { active: count, withdrawn: count, replaced: count } },
          bySex: { type: 'object', required: ['F', 'M'], properties: { F: count, M: count } },
          byGovernorate: { type: 'object', additionalProperties: householdCounts, description: 'Keyed by governorate as enrolled (NFC).' },
        },
      },
    },
  },
  AssetRegister: {
    type: 'object',
    required: ['report', 'ledgerPosition', 'asOf', 'rows', 'totals', 'summary'],
    properties: {
      summary: {
        type: 'object',
        description: 'Deliveries, quantity and value per governorate (NFC) and per catalogue category, sorted, unknown (null) last; each adds up to `totals`.',
        required: ['byGovernorate', 'byCategory'],
        properties: {
          byGovernorate: { type: 'array', items: summaryRow('governorate', 'the household’s governorate as enrolled') },
          byCategory: { type: 'array', items: summaryRow('category', 'the catalogue category of the item') },
        },
      },
    },
  },
};
