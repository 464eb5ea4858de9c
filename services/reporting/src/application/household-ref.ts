import { createHmac } from 'node:crypto';

/**
 * The pseudonymous reference under which a household appears in donor reports: a keyed hash of
 * its id, stable across rebuilds and processes (the key derives from the master key), but not
 * reversible by a reader who lacks the key — unlike the id itself, which field teams know.
 */
export function householdRefFunction(key: Buffer): (householdId: string) => string {
  return (householdId) => `HR-${createHmac('sha256', key).update(`household-ref/${householdId}`).digest('hex').slice(0, 16)}`;
}
