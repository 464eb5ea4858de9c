import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { HashedEnvelope, NewEvent, StoredEvent } from './envelope';

/**
 * hash = SHA-256 over the canonical JSON of the envelope without `hash` and without `position`.
 * The position is left out on purpose: a writer knows its stream's last hash (it holds the
 * expected revision) but not the global position, which EventStoreDB assigns at commit. This keeps
 * the chain computable without a global lock; order and completeness across streams are what seals prove.
 */
export function hashEnvelope(envelope: HashedEnvelope): string {
  return createHash('sha256').update(canonicalJson(hashedPart(envelope))).digest('hex');
}

export function hashedPart(e: HashedEnvelope): HashedEnvelope {
  return {
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
}

/** Chains new events onto a stream whose last event has `last` (undefined for a new stream). */
export function chain(
  streamId: string,
  events: readonly NewEvent[],
  last: { revision: number; hash: string } | undefined,
): Array<Omit<StoredEvent, 'position'>> {
  let revision = last ? last.revision : -1;
  let prevHash = last ? last.hash : null;
  return events.map((e) => {
    revision += 1;
    const envelope: HashedEnvelope = {
      streamId,
      revision,
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
      prevHash,
    };
    const hash = hashEnvelope(envelope);
    prevHash = hash;
    return { ...envelope, hash };
  });
}
