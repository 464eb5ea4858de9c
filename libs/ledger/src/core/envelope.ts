import type { JsonValue } from './canonical-json';

/** Ledger positions: contiguous 1, 2, 3… in the embedded store; `$all` commit positions on EventStoreDB. */
export type Position = number;

/** How an authenticated caller reached the ledger: an API key at the gateway, a Kafka producer, or a service on its own account. */
export type PrincipalVia = 'http' | 'kafka' | 'system';

/**
 * Who the ledger authenticated for an event, as opposed to `source`/`actor`, which are what the
 * client claims. `keyId` names the credential (an API key's id, a Kafka principal, `service:<name>`),
 * never the secret; `role` is the role it was authorised with. See docs/decisions/0027.
 */
export interface EventPrincipal {
  keyId: string;
  role: string;
  via: PrincipalVia;
}

/** What an event says, wherever it is: handed to the store, hashed in the chain, read back. */
interface EventContent {
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
  principal?: EventPrincipal;
}

/** What a service hands to the store: everything about the event except where it lands. */
export interface NewEvent extends EventContent {
  /**
   * The authenticated principal; absent only for events written around the submission pipeline
   * (tests, benchmarks). Not part of the content digest: the same event sent by another key is the same event.
   */
  principal?: EventPrincipal;
  /**
   * Keyed digest of the submission's plaintext content (see docs/decisions/0004). Two submissions
   * with one eventId are the same event exactly when their digests are equal; ciphertext cannot be
   * compared because every encryption draws a fresh IV.
   */
  contentDigest: string;
}

/**
 * The part of an envelope the hash covers: the whole envelope except `position` and `hash`.
 * `principal` is absent (not null) on events recorded before principals were: such events hash
 * exactly as they did when they were written (docs/decisions/0027).
 */
export interface HashedEnvelope extends EventContent {
  streamId: string;
  revision: number;
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
  'principal',
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
