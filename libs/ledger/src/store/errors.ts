import type { ExpectedRevision } from './event-store.port';

/** Base of the errors a writer answers by re-reading and deciding again. */
export abstract class ConcurrencyError extends Error {}

export class WrongExpectedRevisionError extends ConcurrencyError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${expected}, found ${actual}`);
  }
}

export class ConditionFailedError extends ConcurrencyError {
  constructor(readonly category: string, readonly lastPositionSeen: number | null, readonly actual: number) {
    super(`category ${category} moved past position ${lastPositionSeen ?? 'start'} (now ${actual})`);
  }
}

/** The same eventId was submitted before with different content. Never retried. */
export class EventIdConflictError extends Error {
  constructor(readonly eventId: string, readonly position: number) {
    super(`eventId ${eventId} is already recorded at position ${position} with different content`);
  }
}

/** A stored event that cannot even be read back (bytes altered on disk). */
export class CorruptEventError extends Error {
  constructor(readonly position: number, readonly reason: string) {
    super(`event at position ${position} is corrupt: ${reason}`);
  }
}
