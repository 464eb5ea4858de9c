import type { Position, StoredEvent } from '../core/envelope';
import { hashEnvelope } from '../core/hash-chain';
import { CorruptEventError } from '../store/errors';
import type { EventStore } from '../store/event-store.port';
import { LedgerVerifier, type VerificationFailureReason } from './ledger-verifier';

/** The last event a follower verified: its position and the hash it had then. */
export interface VerifiedPoint {
  position: Position;
  hash: string;
}

export type LedgerFaultReason =
  | VerificationFailureReason
  /** The event at a verified position is gone: the ledger was cut back below what was verified. */
  | 'ledger_cut_back'
  /** A verified position now holds an event with another hash: history was rewritten there. */
  | 'verified_event_changed';

export interface LedgerFault {
  position: Position;
  reason: LedgerFaultReason;
  detail: string;
}

export interface FollowStep {
  /** The first fault found; once found, every later step returns it again and checks nothing. */
  fault?: LedgerFault;
  /** No event after the verified point was left unread by this step. */
  caughtUp: boolean;
  /** Events verified by this step. */
  checked: number;
}

export interface LedgerFollowerOptions {
  /** Resume after this point instead of from the first event; it is re-checked before anything else. */
  from?: VerifiedPoint | null;
  /** Streams whose last event is held in memory before all are forgotten (then looked up again). Default 100,000. */
  maxKnownStreams?: number;
}

/**
 * Follows the ledger, verifying each event once, as it appears: the same checks as verifyLedger
 * (hash recomputed, per-stream chain, contiguous positions where the store has them) at a cost of
 * O(new events) per step. Before reading on, each step re-checks the last verified event — it must
 * still be there, with the same hash, and its content must still hash to it — so a ledger cut back
 * or rewritten at its tip is noticed even when nothing new is written. An event changed below the
 * verified point is not re-read: a full verification (verifyLedger) finds it.
 */
export class LedgerFollower {
  private verifier: LedgerVerifier;
  private point: VerifiedPoint | null;
  private fault: LedgerFault | undefined;
  private readonly maxKnownStreams: number;

  constructor(private readonly store: EventStore, options: LedgerFollowerOptions = {}) {
    this.point = options.from ?? null;
    this.maxKnownStreams = options.maxKnownStreams ?? 100_000;
    this.verifier = this.newVerifier();
  }

  /** The last verified event, or null before the first. */
  get verified(): VerifiedPoint | null {
    return this.point;
  }

  /** Re-checks the verified point, then verifies at most `limit` events after it. */
  async step(limit = 5000): Promise<FollowStep> {
    if (this.fault) return { fault: this.fault, caughtUp: true, checked: 0 };
    const found = this.point ? await checkVerifiedPoint(this.store, this.point) : undefined;
    if (found) return this.failed(found);
    let page: Array<{ event: StoredEvent; dataJson?: string }>;
    try {
      page = await this.read(limit);
    } catch (err) {
      if (!(err instanceof CorruptEventError)) throw err;
      return this.failed({ position: err.position, reason: 'unreadable', detail: err.reason });
    }
    let checked = 0;
    for (const { event, dataJson } of page) {
      if (event.revision > 0 && !this.verifier.knows(event.streamId)) await this.lookUpStream(event);
      if (!this.verifier.check(event, dataJson)) return { ...this.failed(this.verifier.report().firstFailure!), checked };
      this.point = { position: event.position, hash: event.hash };
      checked += 1;
    }
    if (this.verifier.knownStreams > this.maxKnownStreams) this.verifier.forgetStreams();
    return { caughtUp: page.length < limit, checked };
  }

  private newVerifier(): LedgerVerifier {
    const contiguous = this.store.capabilities.contiguousPositions;
    return this.point ? new LedgerVerifier(contiguous, { after: this.point.position }) : new LedgerVerifier(contiguous);
  }

  private async read(limit: number): Promise<Array<{ event: StoredEvent; dataJson?: string }>> {
    const after = this.point?.position ?? null;
    if (this.store.readAllStored) return this.store.readAllStored(after, limit);
    return (await this.store.readAll(after, limit)).map((event) => ({ event }));
  }

  /**
   * The stream's previous event, verified before this follower resumed (or forgotten since): its
   * stored hash is what the next event must chain onto. When it is missing, the verifier reports
   * the revision gap.
   */
  private async lookUpStream(event: StoredEvent): Promise<void> {
    const [previous] = await this.store.readStream(event.streamId, { fromRevision: event.revision - 1, limit: 1 });
    if (previous && previous.revision === event.revision - 1 && previous.position < event.position) {
      this.verifier.knowStream(event.streamId, previous);
    }
  }

  private failed(fault: LedgerFault): FollowStep {
    this.fault = fault;
    return { fault, caughtUp: true, checked: 0 };
  }
}

/**
 * Whether a point verified earlier still stands: the ledger still holds an event at that position,
 * with the hash it had, and whose content still hashes to it. Undefined when it does; the fault
 * otherwise. One read and one hash: cheap enough to run before every step.
 */
export async function checkVerifiedPoint(store: EventStore, point: VerifiedPoint): Promise<LedgerFault | undefined> {
  let found: { event: StoredEvent; dataJson?: string } | undefined;
  try {
    // Strictly after position - 1: on EventStoreDB positions are log offsets, and this still lands on the event at `position`.
    found = store.readAllStored ? store.readAllStored(point.position - 1, 1)[0] : (await store.readAll(point.position - 1, 1)).map((event) => ({ event }))[0];
  } catch (err) {
    if (err instanceof CorruptEventError) return { position: err.position, reason: 'unreadable', detail: err.reason };
    throw err;
  }
  if (!found || found.event.position !== point.position) {
    const head = await store.headPosition();
    return {
      position: point.position,
      reason: 'ledger_cut_back',
      detail: `position ${point.position} was verified, but the ledger's head is ${head ?? 'empty'} and holds no event there`,
    };
  }
  if (found.event.hash !== point.hash) {
    return { position: point.position, reason: 'verified_event_changed', detail: `verified with hash ${point.hash}, now stored with ${found.event.hash}` };
  }
  const recomputed = hashEnvelope(found.event, found.dataJson);
  if (recomputed !== point.hash) {
    return { position: point.position, reason: 'hash_mismatch', detail: `stored hash ${point.hash} but content hashes to ${recomputed}` };
  }
  return undefined;
}
