import { createHmac } from 'node:crypto';

/**
 * Keyed pseudonym of an identifier (HMAC-SHA-256, hex): equal identifiers give equal pseudonyms, so
 * uniqueness can be checked on the ledger without the identifier in clear, and nobody who reads the
 * ledger can test guesses (ESSN ids are short and structured) without the key, which is derived from
 * the master key and never stored. Use HouseholdKeyStore.essnPseudonymKey().
 * The identifier is taken exactly as validated (no case folding): that is how uniqueness was always checked.
 */
export function pseudonym(key: Buffer, identifier: string): string {
  if (key.length < 32) throw new RangeError('pseudonym key must be at least 32 bytes');
  return createHmac('sha256', key).update(identifier, 'utf8').digest('hex');
}
