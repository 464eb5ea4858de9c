/** Whole years between a birth date and a day, both YYYY-MM-DD (a 29 February birthday turns over on 1 March). */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const beforeBirthday = m < bm || (m === bm && d < bd);
  return y - by - (beforeBirthday ? 1 : 0);
}

/**
 * The local calendar day of an ISO-8601 timestamp as the field office wrote it
 * ("2026-03-01T00:30:00+02:00" is 1 March in Tripoli even though it is still 28 February in UTC).
 */
export function localDay(occurredAt: string): string {
  return occurredAt.slice(0, 10);
}
