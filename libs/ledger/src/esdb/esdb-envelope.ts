import { createHash } from 'node:crypto';
import type * as Esdb from '@eventstore/db-client';
import type { EventPrincipal, NewEvent, Position, StoredEvent } from '../core/envelope';
import { copyPrincipal, hashedPart } from '../core/hash-chain';
import { CorruptEventError } from '../store/errors';
import type { AppendedEvent } from '../store/event-store.port';
import { esdb, ledgerName } from './esdb-streams';

/**
 * How a ledger event is written to and read from EventStoreDB: `data` is the JSON event body; the
 * rest of the envelope travels in the event metadata; positions are `$all` commit positions.
 */

/**
 * The envelope fields EventStoreDB does not hold natively (stream, revision, type and position are
 * native; `data` is the event body), plus the content digest. `eventId` is the submitter's id
 * verbatim; the native event id is its UUID form (see esdbEventId). `principal` is absent on events
 * recorded before principals were (decision 0027).
 */
export type EnvelopeMetadata = Omit<StoredEvent, 'streamId' | 'revision' | 'type' | 'position' | 'data'> & Pick<NewEvent, 'contentDigest'>;

export type Claim = { eventId: string; streamId: string; revision: number };
export type Found = StoredEvent & { contentDigest: string };

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * EventStoreDB event ids are UUIDs and come back lower-cased. A UUID eventId is used as is (so the
 * server's own retry detection applies); any other id maps to a stable name-based UUID. The envelope
 * keeps the submitted eventId verbatim in the metadata.
 */
export function esdbEventId(eventId: string): string {
  if (UUID.test(eventId)) return eventId.toLowerCase();
  const h = createHash('sha256').update(eventId).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function toEventData(e: Omit<StoredEvent, 'position'>, contentDigest: string) {
  const { streamId: _stream, revision: _revision, type, data, ...hashed } = hashedPart(e);
  const metadata: EnvelopeMetadata = { ...hashed, hash: e.hash, contentDigest };
  return esdb().jsonEvent({ id: esdbEventId(e.eventId), type, data, metadata });
}

export function allPosition(position: Position): Esdb.Position {
  // Events appended over gRPC are single log records: their commit and prepare positions are equal.
  return { commit: BigInt(position), prepare: BigInt(position) };
}

export function positionOf(event: { position?: Esdb.Position | undefined }): Position {
  const commit = event.position?.commit;
  if (commit === undefined || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    // Servers before 22.6 return no $all position on stream reads (or 2^64-1).
    throw new Error('EventStoreDB returned no $all position for an event: server 22.6 or later is required');
  }
  return Number(commit);
}

export function answer(e: StoredEvent, status: AppendedEvent['status']): AppendedEvent {
  return { eventId: e.eventId, status, position: e.position, streamId: e.streamId, revision: e.revision, hash: e.hash };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

export function toClaim(data: unknown): Claim | undefined {
  if (!isRecord(data)) return undefined;
  const { eventId, streamId, revision } = data;
  if (typeof eventId !== 'string' || typeof streamId !== 'string' || typeof revision !== 'number') return undefined;
  return { eventId, streamId, revision };
}

export const STRING_FIELDS = ['eventId', 'occurredAt', 'recordedAt', 'source', 'actor', 'correlationId', 'hash', 'contentDigest'] as const;

/**
 * An event that does not carry a complete envelope (written around this adapter, or damaged) is
 * reported as CorruptEventError, which verification reports as 'unreadable' at its position.
 */
export function toFound(event: Esdb.RecordedEvent, position: Position): Found {
  const m = event.metadata;
  const data: unknown = event.data;
  const corrupt = (why: string) => new CorruptEventError(position, `${event.streamId}@${event.revision}: ${why}`);
  if (!event.isJson || !isRecord(m)) throw corrupt('no envelope metadata');
  if (!isRecord(data)) throw corrupt('data is not a JSON object');
  for (const field of STRING_FIELDS) if (typeof m[field] !== 'string') throw corrupt(`metadata.${field} is not a string`);
  if (typeof m.schemaVersion !== 'number') throw corrupt('metadata.schemaVersion is not a number');
  if (m.causationId !== null && typeof m.causationId !== 'string') throw corrupt('metadata.causationId is invalid');
  if (m.prevHash !== null && typeof m.prevHash !== 'string') throw corrupt('metadata.prevHash is invalid');
  if (m.principal !== undefined && !isPrincipal(m.principal)) throw corrupt('metadata.principal is invalid');
  const meta = m as EnvelopeMetadata;
  const found: Found = {
    position,
    streamId: ledgerName(event.streamId),
    revision: Number(event.revision),
    eventId: meta.eventId,
    type: event.type,
    schemaVersion: meta.schemaVersion,
    occurredAt: meta.occurredAt,
    recordedAt: meta.recordedAt,
    source: meta.source,
    actor: meta.actor,
    correlationId: meta.correlationId,
    causationId: meta.causationId,
    data: data as StoredEvent['data'],
    prevHash: meta.prevHash,
    hash: meta.hash,
    contentDigest: meta.contentDigest,
  };
  // Only when recorded: an old event must come back without the member, to hash as it was written.
  if (meta.principal !== undefined) found.principal = copyPrincipal(meta.principal);
  return found;
}

export function isPrincipal(value: unknown): value is EventPrincipal {
  if (!isRecord(value)) return false;
  const { keyId, role, via } = value;
  return typeof keyId === 'string' && typeof role === 'string' && (via === 'http' || via === 'kafka' || via === 'system');
}

/** The envelope alone: the content digest is the store's business, returned by findByEventId only. */
export function toStored(event: Esdb.RecordedEvent, position: Position): StoredEvent {
  const { contentDigest: _digest, ...envelope } = toFound(event, position);
  return envelope;
}
