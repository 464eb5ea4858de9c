import { createHmac } from 'node:crypto';
import { canonicalJson } from '@peil/ledger';

/**
 * Keyed digest of plaintext content (ADR 0004): tells whether a resubmitted eventId carries the same
 * content although its stored ciphertexts differ (fresh IVs). Keyed, because a plain SHA-256 of a birth
 * date or phone number can be brute-forced by anyone who reads the ledger.
 * Use the key from HouseholdKeyStore.digestKey(), which every process derives identically.
 */
export function contentDigest(key: Buffer, content: unknown): string {
  if (key.length < 32) throw new RangeError('content digest key must be at least 32 bytes');
  return createHmac('sha256', key).update(canonicalJson(content), 'utf8').digest('hex');
}
