import type { Position, StoredEvent } from '../core/envelope';
import { hashEnvelope } from '../core/hash-chain';
import { CorruptEventError } from '../store/errors';

export type VerificationFailureReason =
  | 'hash_mismatch'
  | 'chain_broken'
  | 'revision_gap'
  | 'position_gap'
  | 'position_order'
  | 'unreadable';

export interface VerificationFailure {
  position: Position;
  reason: VerificationFailureReason;
  detail: string;
}

export interface VerificationReport {
  ok: boolean;
  checkedEvents: number;
  /** The ledger's real head when the report was made — also when verification stopped before it. */
  headPosition: Position | null;
  /** The last position that verified (the head when ok; null when none did). */
  verifiedThrough: Position | null;
  firstFailure?: VerificationFailure;
}

/** Where a verifier resumes: the last verified position, before which nothing is checked again. */
export interface VerifierResume {
  /** null: from the first event (with deferUnknownStreams, the first range of a parallel verification). */
  after: Position | null;
  /**
   * One range of a ledger verified in parallel: a stream's first event in the range is not checked
   * against a predecessor this verifier never saw, but kept as a link (streamLinks) for whoever
   * verified the range before it to check.
   */
  deferUnknownStreams?: boolean;
}

/** A stream's first event in a range verified with deferUnknownStreams: what it must chain onto. */
export interface StreamLink {
  streamId: string;
  position: Position;
  /** Events of the range verified before it, and the last of them (the range's start if none). */
  index: number;
  after: Position | null;
  revision: number;
  prevHash: string | null;
}

/**
 * Incremental verifier: feed events in position order, ask for the report at the end.
 * Kept separate from the store so that the CLI verifies exported packs with the same code.
 */
export class LedgerVerifier {
  private readonly streams = new Map<string, { revision: number; hash: string }>();
  private lastPosition: Position | null;
  private checked = 0;
  private failure: VerificationFailure | undefined;
  private readonly deferUnknown: boolean;
  /** First events of streams this verifier did not know, when it defers them. */
  readonly streamLinks: StreamLink[] = [];

  /**
   * From the first event, or — `resume` — after a position verified earlier: the next event must then
   * follow it, and a stream's earlier events must be made known (knowStream) before its next one.
   */
  constructor(private readonly contiguousPositions: boolean, resume?: VerifierResume) {
    this.lastPosition = resume ? resume.after : null;
    this.deferUnknown = resume?.deferUnknownStreams === true;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** The last position that verified. */
  get verifiedThrough(): Position | null {
    return this.lastPosition;
  }

  /** Whether the verifier holds the last revision and hash of this stream. */
  knows(streamId: string): boolean {
    return this.streams.has(streamId);
  }

  /**
   * The last verified event of a stream whose earlier events this verifier did not see (it resumed
   * after them, or forgot them): its next event must chain onto it.
   */
  knowStream(streamId: string, last: { revision: number; hash: string }): void {
    this.streams.set(streamId, { revision: last.revision, hash: last.hash });
  }

  /** The last revision and hash of every stream seen. */
  get streamHeads(): ReadonlyMap<string, { revision: number; hash: string }> {
    return this.streams;
  }

  /** How many streams are held; a long-running verifier forgets them all (forgetStreams) past a bound. */
  get knownStreams(): number {
    return this.streams.size;
  }

  forgetStreams(): void {
    this.streams.clear();
  }

  /** Returns false once a failure is found; later events are not checked. */
  check(event: StoredEvent, dataJson?: string): boolean {
    if (this.failure) return false;
    const fail = (reason: VerificationFailureReason, detail: string) => {
      this.failure = { position: event.position, reason, detail };
      return false;
    };
    const expectedPosition = this.lastPosition === null ? 1 : this.lastPosition + 1;
    if (this.lastPosition !== null && event.position <= this.lastPosition) {
      return fail('position_order', `position ${event.position} follows ${this.lastPosition}`);
    }
    if (this.contiguousPositions && event.position !== expectedPosition) {
      return fail('position_gap', `expected position ${expectedPosition}, found ${event.position}`);
    }
    const recomputed = hashEnvelope(event, dataJson);
    if (recomputed !== event.hash) {
      // Rows read for hashing parse their data only when asked: data that no longer parses is unreadable.
      const unreadable = unreadableData(event);
      if (unreadable) return fail('unreadable', unreadable.reason);
      return fail('hash_mismatch', `stored hash ${event.hash} but content hashes to ${recomputed}`);
    }
    const previous = this.streams.get(event.streamId);
    if (!previous && this.deferUnknown) {
      this.streamLinks.push({ streamId: event.streamId, position: event.position, index: this.checked, after: this.lastPosition, revision: event.revision, prevHash: event.prevHash });
      return this.passed(event);
    }
    const expectedRevision = previous ? previous.revision + 1 : 0;
    if (event.revision !== expectedRevision) {
      return fail('revision_gap', `stream ${event.streamId}: expected revision ${expectedRevision}, found ${event.revision}`);
    }
    const expectedPrev = previous ? previous.hash : null;
    if (event.prevHash !== expectedPrev) {
      return fail('chain_broken', `stream ${event.streamId}: prevHash does not match the previous event's hash`);
    }
    return this.passed(event);
  }

  private passed(event: StoredEvent): true {
    this.streams.set(event.streamId, { revision: event.revision, hash: event.hash });
    this.lastPosition = event.position;
    this.checked += 1;
    return true;
  }

  unreadable(position: Position, detail: string): void {
    if (!this.failure) this.failure = { position, reason: 'unreadable', detail };
  }

  /** `headPosition`: the ledger's head, when the caller knows it; else the last verified position. */
  report(headPosition: Position | null = this.lastPosition): VerificationReport {
    const report: VerificationReport = {
      ok: !this.failure,
      checkedEvents: this.checked,
      headPosition,
      verifiedThrough: this.lastPosition,
    };
    if (this.failure) report.firstFailure = this.failure;
    return report;
  }
}

function unreadableData(event: StoredEvent): CorruptEventError | undefined {
  try {
    void event.data;
    return undefined;
  } catch (err) {
    if (err instanceof CorruptEventError) return err;
    throw err;
  }
}
