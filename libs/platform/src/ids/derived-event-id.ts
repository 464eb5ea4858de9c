import { createHash } from 'node:crypto';

/** Namespace of peil-ledger's derived event ids (a fixed random UUID). */
const NAMESPACE = Buffer.from('6f1c2a8e4b7d4e0f9a3c5b1d2e7f8a90', 'hex');

/**
 * A name-based UUID (RFC 9562 version 5) for an event that another event causes: the expenditure a
 * delivery becomes, the commitment a plan holds. Derived ids make every step of a cross-service
 * flow idempotent: retrying after a crash or a timeout submits the same eventId, which the ledger
 * answers `duplicate` instead of counting twice.
 */
export function derivedEventId(causeEventId: string, purpose: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${causeEventId}/${purpose}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
