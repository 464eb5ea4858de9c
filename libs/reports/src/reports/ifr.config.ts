import { loadConfig } from '@peil/config';
import { z } from 'zod';

/**
 * The month the grant's fiscal year starts in, for the interim financial report's year-to-date
 * columns: 1 (January, Lebanon's public-sector year) unless the agreement says otherwise (7 for a
 * July–June year). Only the first month of a calendar quarter: reports and work plans are per
 * calendar quarter, and a fiscal year must be a whole number of them.
 */
const schema = z.object({
  PEIL_FISCAL_YEAR_START_MONTH: z
    .enum(['1', '4', '7', '10'], { message: 'the month a fiscal year starts in: 1, 4, 7 or 10 (the first month of a calendar quarter)' })
    .optional(),
});

export function loadFiscalYearStartMonth(env: NodeJS.ProcessEnv = process.env): number {
  return Number(loadConfig(schema, env).PEIL_FISCAL_YEAR_START_MONTH ?? '1');
}
