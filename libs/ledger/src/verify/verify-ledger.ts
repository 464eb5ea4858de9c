import type { Position, StoredEvent } from '../core/envelope';
import { hashEnvelope } from '../core/hash-chain';
import { CorruptEventError } from '../store/errors';
import type { EventStore } from '../store/event-store.port';

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
  after: Position;
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

  /**
   * From the first event, or — `resume` — after a position verified earlier: the next event must then
   * follow it, and a stream's earlier events must be made known (knowStream) before its next one.
   */
  constructor(private readonly contiguousPositions: boolean, resume?: VerifierResume) {
    this.lastPosition = resume ? resume.after : null;
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
      return fail('hash_mismatch', `stored hash ${event.hash} but content hashes to ${recomputed}`);
    }
    const previous = this.streams.get(event.streamId);
    const expectedRevision = previous ? previous.revision + 1 : 0;
    if (event.revision !== expectedRevision) {
      return fail('revision_gap', `stream ${event.streamId}: expected revision ${expectedRevision}, found ${event.revision}`);
    }
    const expectedPrev = previous ? previous.hash : null;
    if (event.prevHash !== expectedPrev) {
      return fail('chain_broken', `stream ${event.streamId}: prevHash does not match the previous event's hash`);
    }
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

/**
 * Verifies a whole store from its first event; stops at the first failure. The report names the
 * ledger's real head, read after the pages: an auditor must see how much lies beyond a failure, not
 * only where verification stopped.
 */
export async function verifyLedger(store: EventStore, pageSize = 5000): Promise<VerificationReport> {
  const verifier = await verifyPages(store, pageSize);
  return verifier.report(await store.headPosition());
}

async function verifyPages(store: EventStore, pageSize: number): Promise<LedgerVerifier> {
  const verifier = new LedgerVerifier(store.capabilities.contiguousPositions);
  let after: Position | null = null;
  for (;;) {
    let page: Array<{ event: StoredEvent; dataJson?: string }>;
    try {
      page = store.readAllStored ? store.readAllStored(after, pageSize) : (await store.readAll(after, pageSize)).map((event) => ({ event }));
    } catch (err) {
      if (err instanceof CorruptEventError) {
        verifier.unreadable(err.position, err.reason);
        break;
      }
      throw err;
    }
    for (const { event, dataJson } of page) {
      if (!verifier.check(event, dataJson)) return verifier;
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.event.position;
  }
  return verifier;
}
