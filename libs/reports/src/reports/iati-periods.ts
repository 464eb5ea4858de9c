/**
 * A grant's period cut into budget periods of at most a year (IATI rule 7.5.3): from the start date,
 * one period per grant year, the last ending on the closing date. The allocation is spread over
 * them by days, in whole cents, the remainder going to the last period so that the periods add up
 * to the allocation exactly.
 */
export function budgetPeriods(startDate: string, closingDate: string, allocationMinor: number): Array<{ start: string; end: string; amountMinor: number }> {
  const periods: Array<{ start: string; end: string; days: number }> = [];
  let start = startDate;
  while (start <= closingDate) {
    const anniversary = addYears(start, 1);
    const end = minDay(addDays(anniversary, -1), closingDate);
    periods.push({ start, end, days: daysBetween(start, end) + 1 });
    start = anniversary;
  }
  const total = periods.reduce((s, p) => s + p.days, 0);
  let given = 0;
  return periods.map((p, i) => {
    const amountMinor = i === periods.length - 1 ? allocationMinor - given : Math.floor((allocationMinor * p.days) / total);
    given += amountMinor;
    return { start: p.start, end: p.end, amountMinor };
  });
}

const toDate = (day: string) => new Date(`${day}T00:00:00Z`);
const toDay = (d: Date) => d.toISOString().slice(0, 10);
const minDay = (a: string, b: string) => (a < b ? a : b);
const daysBetween = (a: string, b: string) => Math.round((toDate(b).getTime() - toDate(a).getTime()) / 86_400_000);

function addDays(day: string, n: number): string {
  const d = toDate(day);
  d.setUTCDate(d.getUTCDate() + n);
  return toDay(d);
}

/** Same month and day a year on; 29 February goes to 1 March. */
function addYears(day: string, n: number): string {
  const d = toDate(day);
  d.setUTCFullYear(d.getUTCFullYear() + n);
  return toDay(d);
}
