import * as crypto from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { EventPrincipal, HashedEnvelope, NewEvent, StoredEvent } from './envelope';

/**
 * hash = SHA-256 over the canonical JSON of the envelope without `hash` and without `position`.
 * The position is left out on purpose: a writer knows its stream's last hash (it holds the
 * expected revision) but not the global position, which EventStoreDB assigns at commit. This keeps
 * the chain computable without a global lock; order and completeness across streams are what seals prove.
 */
export function hashEnvelope(envelope: HashedEnvelope, dataJson?: string): string {
  return sha256Hex(canonicalEnvelope(envelope, dataJson));
}

// crypto.hash (Node ≥ 20.12) hashes in one call, without the Hash object createHash builds per
// event: on the append and verify paths that object cost more than hashing the kilobyte itself.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** SHA-256 of a string's UTF-8 bytes, hex. */
export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * The canonical JSON of the hashed part, written with its keys in their (fixed, sorted) order so
 * that only `data` needs the general canonicaliser — and not even that when the caller already
 * holds its canonical text (the store keeps it that way). Same bytes as canonicalJson(hashedPart(e)),
 * which a unit test checks. An envelope without `principal` (recorded before principals were) has
 * no `principal` member at all, so its bytes — and its hash — are those it was written with.
 */
export function canonicalEnvelope(e: HashedEnvelope, dataJson: string = canonicalJson(e.data)): string {
  const str = JSON.stringify;
  const opt = (v: string | null) => (v === null ? 'null' : str(v));
  const principal = e.principal === undefined ? '' : `"principal":${canonicalPrincipal(e.principal)},`;
  return (
    `{"actor":${str(e.actor)},"causationId":${opt(e.causationId)},"correlationId":${str(e.correlationId)},` +
    `"data":${dataJson},"eventId":${str(e.eventId)},"occurredAt":${str(e.occurredAt)},"prevHash":${opt(e.prevHash)},` +
    `${principal}"recordedAt":${str(e.recordedAt)},"revision":${canonicalJson(e.revision)},"schemaVersion":${canonicalJson(e.schemaVersion)},` +
    `"source":${str(e.source)},"streamId":${str(e.streamId)},"type":${str(e.type)}}`
  );
}

function canonicalPrincipal(p: EventPrincipal): string {
  return `{"keyId":${JSON.stringify(p.keyId)},"role":${JSON.stringify(p.role)},"via":${JSON.stringify(p.via)}}`;
}

export function hashedPart(e: HashedEnvelope): HashedEnvelope {
  const part: HashedEnvelope = {
    streamId: e.streamId,
    revision: e.revision,
    eventId: e.eventId,
    type: e.type,
    schemaVersion: e.schemaVersion,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    source: e.source,
    actor: e.actor,
    correlationId: e.correlationId,
    causationId: e.causationId,
    data: e.data,
    prevHash: e.prevHash,
  };
  // Copied member by member: a principal with extra members would otherwise change the hash.
  if (e.principal !== undefined) part.principal = copyPrincipal(e.principal);
  return part;
}

/** The principal's own members only, so that what is hashed and stored is exactly what was authenticated. */
export function copyPrincipal(p: EventPrincipal): EventPrincipal {
  return { keyId: p.keyId, role: p.role, via: p.via };
}

/** Chains new events onto a stream whose last event has `last` (undefined for a new stream). */
export function chain(
  streamId: string,
  events: readonly NewEvent[],
  last: { revision: number; hash: string } | undefined,
): Array<Omit<StoredEvent, 'position'> & { dataJson: string }> {
  let revision = last ? last.revision : -1;
  let prevHash = last ? last.hash : null;
  const out = new Array<Omit<StoredEvent, 'position'> & { dataJson: string }>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    revision += 1;
    const dataJson = canonicalJson(e.data);
    // Built once, with its hash filled in after: hashing reads only the envelope's own members.
    const chained: Omit<StoredEvent, 'position'> & { dataJson: string } = { ...hashedPart({ ...e, streamId, revision, prevHash }), hash: '', dataJson };
    chained.hash = hashEnvelope(chained, dataJson);
    prevHash = chained.hash;
    out[i] = chained;
  }
  return out;
}
