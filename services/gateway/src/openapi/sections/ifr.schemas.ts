import { ref } from '../components';

/** The interim financial report's JSON form (amounts in US cents; LBP columns in whole pounds). */
const columns = {
  type: 'object',
  description: 'One figure over the quarter, the fiscal year to the quarter’s end, and the grant’s life to the quarter’s end.',
  required: ['periodMinor', 'yearToDateMinor', 'cumulativeMinor'],
  properties: { periodMinor: { type: 'integer' }, yearToDateMinor: { type: 'integer' }, cumulativeMinor: { type: 'integer' } },
};
const percent = { type: ['string', 'null'], pattern: '^-?\\d+\\.\\d{2}$', description: 'variance / budget × 100, two decimals, half to even; null without a budget' };
const budgetVersusActual = {
  allocationMinor: { type: 'integer' },
  budget: ref('IfrColumns'),
  actual: ref('IfrColumns'),
  variance: ref('IfrColumns'),
  variancePercent: { type: 'object', required: ['period', 'yearToDate', 'cumulative'], properties: { period: percent, yearToDate: percent, cumulative: percent } },
  lbp: { oneOf: [ref('IfrColumns'), { type: 'null' }], description: 'Lebanese pounds actually paid, where the line has LBP amounts' },
};
const figures = (extra: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  required: ['code', 'name', 'allocationMinor', 'budget', 'actual', 'variance', 'variancePercent', 'lbp', ...required],
  properties: { code: { type: 'string' }, name: { type: 'string' }, ...budgetVersusActual, ...extra },
});

export const IFR_SCHEMAS = {
  IfrColumns: columns,
  InterimFinancialReport: {
    type: 'object',
    required: ['report', 'ledgerPosition', 'asOf', 'period', 'periodStart', 'periodEnd', 'fiscalYearStart', 'nextPeriod', 'currency', 'grants'],
    properties: {
      report: { const: 'ifr' },
      ledgerPosition: { type: ['integer', 'null'] },
      asOf: { type: ['string', 'null'] },
      period: { type: 'string', pattern: '^\\d{4}Q[1-4]$' },
      periodStart: { type: 'string', format: 'date' },
      periodEnd: { type: 'string', format: 'date' },
      fiscalYearStart: { type: 'string', format: 'date' },
      nextPeriod: { type: 'string', pattern: '^\\d{4}Q[1-4]$' },
      currency: { const: 'USD' },
      grants: {
        type: 'array',
        items: {
          type: 'object',
          required: ['grantId', 'sourcesAndUses', 'usesByCategory', 'usesByComponent', 'designatedAccount', 'reconciliation', 'forecast'],
          properties: {
            grantId: { type: 'string' },
            sourcesAndUses: {
              type: 'object',
              required: ['openingCash', 'sources', 'uses', 'closingCash'],
              properties: {
                openingCash: ref('IfrColumns'),
                sources: {
                  type: 'object',
                  required: ['advances', 'replenishments', 'directPayments', 'total', 'lbp'],
                  properties: { advances: ref('IfrColumns'), replenishments: ref('IfrColumns'), directPayments: ref('IfrColumns'), total: ref('IfrColumns'), lbp: { oneOf: [ref('IfrColumns'), { type: 'null' }] } },
                },
                uses: ref('IfrColumns'),
                closingCash: ref('IfrColumns'),
              },
            },
            usesByCategory: { type: 'array', items: figures({ budgetLines: { type: 'array', items: { type: 'string' } } }, ['budgetLines']) },
            usesByComponent: {
              type: 'array',
              items: figures({ budgetLines: { type: 'array', items: figures({ category: { type: ['string', 'null'] }, forecastNextPeriodMinor: { type: 'integer' } }, ['category', 'forecastNextPeriodMinor']) } }, ['budgetLines']),
            },
            designatedAccount: {
              type: 'object',
              description: 'opening + received − paid = closing; a direct payment bypasses the account; a negative closing balance is pre-financing by the recipient.',
              required: ['opening', 'received', 'paid', 'closing', 'preFinancedMinor', 'receiptsInPeriod'],
              properties: { opening: ref('IfrColumns'), received: ref('IfrColumns'), paid: ref('IfrColumns'), closing: ref('IfrColumns'), preFinancedMinor: { type: 'integer', minimum: 0 }, receiptsInPeriod: { type: 'array', items: { type: 'object' } } },
            },
            reconciliation: {
              type: 'object',
              description: 'Each statement against the ledger’s totals to the period’s end; every differenceMinor is 0.',
              required: ['designatedAccount', 'cash', 'uses'],
            },
            forecast: {
              type: 'object',
              required: ['period', 'lines', 'totalMinor', 'designatedAccountClosingMinor', 'netRequirementMinor'],
              properties: { period: { type: 'string' }, totalMinor: { type: 'integer' }, netRequirementMinor: { type: 'integer', minimum: 0 } },
            },
          },
        },
      },
    },
  },
};
