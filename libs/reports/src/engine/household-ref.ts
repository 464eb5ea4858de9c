import { createHmac } from 'node:crypto';

/** Bounds the memo: the pilot has 1,500 households; a scale-up may have many more. */
const MEMO_LIMIT = 100_000;

/**
 * The pseudonymous reference under which a household appears in donor reports: a keyed hash of
 * its id, stable across rebuilds and processes (the key derives from the master key), but not
 * reversible by a reader who lacks the key — unlike the id itself, which field teams know.
 * Memoised: projections ask for it on nearly every event, and an HMAC costs more than the rest.
 */
export function householdRefFunction(key: Buffer): (householdId: string) => string {
  const memo = new Map<string, string>();
  return (householdId) => {
    let ref = memo.get(householdId);
    if (ref === undefined) {
      ref = `HR-${createHmac('sha256', key).update(`household-ref/${householdId}`).digest('hex').slice(0, 16)}`;
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(householdId, ref);
    }
    return ref;
  };
}
