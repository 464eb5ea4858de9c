import type { JsonValue } from './canonical-json';

/** Ledger positions: contiguous 1, 2, 3… in the embedded store; `$all` commit positions on EventStoreDB. */
export type Position = number;

/** What a service hands to the store: everything about the event except where it lands. */
export interface NewEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  recordedAt: string;
  source: string;
  actor: string;
  correlationId: string;
  causationId: string | null;
  data: { [key: string]: JsonValue };
  /**
   * Keyed digest of the submission's plaintext content (see docs/decisions/0004). Two submissions
   * with one eventId are the same event exactly when their digests are equal; ciphertext cannot be
   * compared because every encryption draws a fresh IV.
   */
  contentDigest: string;
}

/** The part of an envelope the hash covers: the whole envelope except `position` and `hash`. */
export interface HashedEnvelope {
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  recordedAt: string;
  source: string;
  actor: string;
  correlationId: string;
  causationId: string | null;
  data: { [key: string]: JsonValue };
  prevHash: string | null;
}

export interface StoredEvent extends HashedEnvelope {
  position: Position;
  hash: string;
}

/** Field order used when an envelope is shown; hashing does not depend on it (keys are sorted). */
export const ENVELOPE_FIELDS = [
  'position',
  'streamId',
  'revision',
  'eventId',
  'type',
  'schemaVersion',
  'occurredAt',
  'recordedAt',
  'source',
  'actor',
  'correlationId',
  'causationId',
  'data',
  'prevHash',
  'hash',
] as const;

/** The category of a stream is its prefix before the first '-' (household-H1 → household), as in EventStoreDB's `$ce-` projections. */
export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}
