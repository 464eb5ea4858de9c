import { actingFor } from '../auth/acting-principal';
import type { Principal } from '../auth/roles.guard';
import type { SubmissionResult } from './submission.schema';

/**
 * Bounds on one group commit: the ledger's write lock is held for the whole unit, and every other
 * writer (other processes, events this process decides outside units) waits for it.
 */
export const GROUP_COMMIT_MAX_EVENTS = 500;
export const GROUP_COMMIT_MAX_MS = 100;

/** Where one request's batch stands: its events, the next one to record, and who submitted them. */
export interface BatchCursor {
  readonly events: readonly unknown[];
  next: number;
  readonly principal: Principal;
}

/** One event up to its append; its follow-up runs once the unit has committed. */
export interface Recorded {
  result: SubmissionResult;
  followUp?: () => Promise<void>;
}

/** What one batch got from one committed unit: its results in order, and the follow-up that ended its share. */
export interface UnitShare {
  results: SubmissionResult[];
  followUp?: () => Promise<void>;
}

export interface SharedUnitsPorts {
  /** Records one event inside the open unit (validate, idempotency, decide, append). */
  record(raw: unknown, principal: Principal): Promise<Recorded>;
  /** Events whose decision asks another service are never recorded inside a unit. */
  mayJoinUnit(raw: unknown): boolean;
  /** Opens the ledger's unit of work (and the units inside it) around `work`. */
  inUnit<T>(work: () => Promise<T>): Promise<T>;
}

interface Waiter {
  cursor: BatchCursor;
  share: UnitShare | undefined;
  resolve(share: UnitShare): void;
  reject(err: unknown): void;
}

/**
 * Group commit across requests (decision 0100). Every batch waiting to record events hands its
 * cursor here; one unit of work at a time takes events from all of them in turn (round robin, each
 * batch's events in its own order) and commits them with one fsync, then gives each batch its
 * results. Sixteen clients posting one event each thus share one commit instead of queueing for
 * sixteen, and a large batch cannot hold back a small one for longer than one unit.
 *
 * A batch's share of a unit ends at an event with a follow-up (it runs after the commit, before the
 * batch's next event, as a later event may depend on it) or before an event that may not join a
 * unit. If the unit fails, every batch with events in it gets the error: none of those events were
 * committed. Batches that had no event in it wait for the next unit.
 */
export class SharedUnits {
  private readonly waiting: Waiter[] = [];
  private running = false;

  constructor(private readonly ports: SharedUnitsPorts) {}

  /** Resolves once a unit holding at least one event of `cursor` has committed (advancing `cursor.next`). */
  take(cursor: BatchCursor): Promise<UnitShare> {
    return new Promise<UnitShare>((resolve, reject) => {
      const waiter: Waiter = { cursor, share: undefined, resolve, reject };
      if (!this.eligible(waiter)) {
        reject(new Error('a batch may hand over only an event that can join a unit'));
        return;
      }
      this.waiting.push(waiter);
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      // Every waiter is eligible when it arrives and leaves with the unit it had events in, so each unit takes at least one event.
      while (this.waiting.length > 0) {
        // One turn of the event loop first: requests whose bytes have arrived reach take() and join
        // this unit. Without it a unit would open and commit within one turn, holding one request.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.oneUnit();
      }
    } finally {
      this.running = false;
    }
  }

  private eligible(w: Waiter): boolean {
    const { cursor } = w;
    return w.share?.followUp === undefined && cursor.next < cursor.events.length && this.ports.mayJoinUnit(cursor.events[cursor.next]);
  }

  private async oneUnit(): Promise<void> {
    const inUnit: Waiter[] = [];
    try {
      await this.ports.inUnit(async () => {
        const started = Date.now();
        let count = 0;
        const full = () => count >= GROUP_COMMIT_MAX_EVENTS || Date.now() - started >= GROUP_COMMIT_MAX_MS;
        for (let progressed = true; progressed && !full(); ) {
          progressed = false;
          // A fresh look each round: batches that arrived meanwhile join this unit.
          for (const w of [...this.waiting]) {
            if (!this.eligible(w)) continue;
            const { cursor } = w;
            // In the unit before its event is: if recording throws, this batch learns it.
            if (!w.share) {
              w.share = { results: [] };
              inUnit.push(w);
            }
            const raw = cursor.events[cursor.next++];
            const recorded = await actingFor(cursor.principal.recordAs, () => this.ports.record(raw, cursor.principal));
            w.share.results.push(recorded.result);
            w.share.followUp = recorded.followUp;
            count += 1;
            progressed = true;
            if (full()) break;
          }
        }
      });
    } catch (err) {
      for (const w of inUnit) this.settle(w, () => w.reject(err));
      return;
    }
    for (const w of inUnit) this.settle(w, () => w.resolve(w.share!));
  }

  private settle(w: Waiter, how: () => void): void {
    this.waiting.splice(this.waiting.indexOf(w), 1);
    how();
  }
}
