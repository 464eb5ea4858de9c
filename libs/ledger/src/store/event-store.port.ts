import type { Observable } from 'rxjs';
import type { NewEvent, Position, StoredEvent } from '../core/envelope';

/**
 * The last revision a writer saw on the stream (0-based), 'no_stream' when it saw none,
 * or 'any' to skip the check (only for streams with a single writer by construction).
 */
export type ExpectedRevision = number | 'no_stream' | 'any';

/**
 * A consistency condition wider than one stream (a "dynamic consistency boundary"): the append
 * fails when any stream of `category` received an event after `lastPositionSeen`. Programme-wide
 * rules (enrolment capacity, one household per ESSN id) span many household streams; see
 * docs/decisions/0003 for how each adapter honours it.
 */
export interface AppendCondition {
  category: string;
  lastPositionSeen: Position | null;
}

export interface AppendOptions {
  condition?: AppendCondition;
}

export interface AppendedEvent {
  eventId: string;
  status: 'appended' | 'duplicate';
  position: Position;
  streamId: string;
  revision: number;
  hash: string;
}

export interface EventStoreCapabilities {
  /** Positions are 1, 2, 3… with no holes, so verification can prove that none is missing. */
  contiguousPositions: boolean;
  /** AppendCondition is checked atomically with the append. */
  atomicConditions: boolean;
  /**
   * unitOfWork commits or undoes its appends together. Without it (EventStoreDB) each append inside a
   * unit is durable on its own, and a unit that throws keeps the appends it made before.
   */
  atomicUnits: boolean;
}

export interface EventStore {
  readonly capabilities: EventStoreCapabilities;

  /**
   * Appends events to one stream, atomically. Idempotent by eventId: when every event already
   * exists with the same content digest, returns them as 'duplicate' with their original
   * positions and writes nothing. Throws WrongExpectedRevisionError, ConditionFailedError,
   * or EventIdConflictError (an eventId reused with other content).
   */
  append(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
    options?: AppendOptions,
  ): Promise<AppendedEvent[]>;

  /**
   * Runs `work` as one unit: appends made inside it (through this store, in its async context) are
   * seen by reads inside it at once and become durable together when `work` resolves — one commit
   * instead of one per append. An append that throws inside the unit is undone alone; when `work`
   * throws, every append of the unit is undone. Code outside the unit never observes its open
   * appends, and its own appends wait for the unit to end. Never call another process that writes
   * to the same ledger from inside a unit: the unit holds the ledger's write lock. Adapters without
   * transactions (EventStoreDB) run `work` as is: each append is then durable on its own, and
   * `capabilities.atomicUnits` is false so callers can tell. Nested
   * calls join the enclosing unit.
   */
  unitOfWork<T>(work: () => Promise<T>): Promise<T>;

  /** Events of one stream in revision order, from `fromRevision` (default 0). */
  readStream(streamId: string, options?: { fromRevision?: number; limit?: number }): Promise<StoredEvent[]>;

  /** Events of every stream in position order, strictly after `afterPosition` (null: from the start). */
  readAll(afterPosition: Position | null, limit: number): Promise<StoredEvent[]>;

  /**
   * Events of one category's streams in position order, strictly after `afterPosition` (null: from the
   * start), up to `limit`: what a programme-wide index needs without reading every other context's
   * events. A stream's category is its id up to the first '-' (`categoryOf`), as EventStoreDB's `$ce-`
   * projection defines it. Reads what is committed when it runs, like readAll (no projection lag):
   * an append that returned is in the next read. An unknown category reads as empty.
   */
  readCategory(category: string, afterPosition: Position | null, limit: number): Promise<StoredEvent[]>;

  /**
   * Optional fast path for verification: events with their `data` exactly as stored (canonical JSON
   * text), so the verifier hashes the stored bytes instead of parsing and re-serialising them.
   * `event.data` may be parsed only when read, and then throws CorruptEventError if it no longer parses.
   */
  readAllStored?(afterPosition: Position | null, limit: number): Array<{ event: StoredEvent; dataJson: string }>;

  /**
   * Optional fast path for the Merkle tree: only the position and hash of each event in position
   * order, strictly after `afterPosition` — what catching the tree up needs, without parsing data.
   */
  readHashes?(afterPosition: Position | null, limit: number): Array<{ position: Position; hash: string }>;

  /** The stored event with this id, with its content digest, or null. */
  findByEventId(eventId: string): Promise<(StoredEvent & { contentDigest: string }) | null>;

  /** Position of the newest event, or null on an empty ledger. */
  headPosition(): Promise<Position | null>;

  /** Catch-up then live: every event after `afterPosition`, in order, until unsubscribed. */
  subscribe(afterPosition: Position | null): Observable<StoredEvent>;

  close(): Promise<void>;
}
