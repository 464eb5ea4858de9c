import { z } from 'zod';

/**
 * Calendar quarters, the reporting periods of the grant ("2025Q3" = 1 July to 30 September 2025).
 * Work plans, cash forecasts and interim financial reports are all per calendar quarter.
 */
export const Quarter = z.string().regex(/^\d{4}Q[1-4]$/, 'a calendar quarter such as 2025Q3');
export type Quarter = z.infer<typeof Quarter>;

const mm = (n: number) => String(n).padStart(2, '0');

/** First and last day of a quarter; undefined for anything that is not YYYYQn. */
export function quarterDays(quarter: string): { start: string; end: string } | undefined {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter);
  if (!m) return undefined;
  const year = Number(m[1]);
  const startMonth = (Number(m[2]) - 1) * 3 + 1;
  const lastDay = new Date(Date.UTC(year, startMonth + 2, 0)).getUTCDate();
  return { start: `${m[1]}-${mm(startMonth)}-01`, end: `${m[1]}-${mm(startMonth + 2)}-${mm(lastDay)}` };
}

/** The quarter holding an ISO day (or timestamp, read as written): 2025-10-01 → 2025Q4. */
export const quarterOfDay = (isoDay: string): string => `${isoDay.slice(0, 4)}Q${Math.floor((Number(isoDay.slice(5, 7)) - 1) / 3) + 1}`;

/** The quarter `n` quarters after (or before, negative) a valid quarter. */
export function addQuarters(quarter: string, n: number): string {
  const index = Number(quarter.slice(0, 4)) * 4 + Number(quarter.slice(5)) - 1 + n;
  return `${Math.floor(index / 4)}Q${(index % 4) + 1}`;
}

/** Whether a day is the first of a calendar quarter (1 January, 1 April, 1 July, 1 October). */
export const isQuarterStart = (isoDay: string): boolean => /^\d{4}-(01|04|07|10)-01$/.test(isoDay);
