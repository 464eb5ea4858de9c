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

export interface VerificationReport {
  ok: boolean;
  checkedEvents: number;
  headPosition: Position | null;
  firstFailure?: { position: Position; reason: VerificationFailureReason; detail: string };
}

/**
 * Incremental verifier: feed events in position order, ask for the report at the end.
 * Kept separate from the store so that the CLI verifies exported packs with the same code.
 */
export class LedgerVerifier {
  private readonly streams = new Map<string, { revision: number; hash: string }>();
  private lastPosition: Position | null = null;
  private checked = 0;
  private failure: VerificationReport['firstFailure'];

  constructor(private readonly contiguousPositions: boolean) {}

  get failed(): boolean {
    return this.failure !== undefined;
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

  report(): VerificationReport {
    const report: VerificationReport = { ok: !this.failure, checkedEvents: this.checked, headPosition: this.lastPosition };
    if (this.failure) report.firstFailure = this.failure;
    return report;
  }
}

/** Verifies a whole store from its first event; stops at the first failure. */
export async function verifyLedger(store: EventStore, pageSize = 5000): Promise<VerificationReport> {
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
      if (!verifier.check(event, dataJson)) return verifier.report();
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.event.position;
  }
  return verifier.report();
}
