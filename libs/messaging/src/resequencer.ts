import type { Position, StoredEvent } from '@peil/ledger';

/**
 * Puts bus messages back into exact ledger order. Each message names its predecessor
 * (`prevPosition`, null for the ledger's first event), so the next event to deliver is always the
 * one whose predecessor was delivered last — on any store, gaps in positions or not. Arrivals
 * ahead of their turn wait in memory; copies of what was delivered (at-least-once, a re-fetch after
 * a rebalance) are dropped by position, copies of what waits by eventId.
 */
export class Resequencer {
  /** Waiting events by the position of their predecessor ('' for the first event). */
  private readonly waiting = new Map<string, StoredEvent>();
  private last: Position | null;

  /** `afterPosition`: the last event the subscriber already has (null: it has none). */
  constructor(afterPosition: Position | null) {
    this.last = afterPosition;
  }

  /** Offers one message; returns the events it makes deliverable, in ledger order (often none or one). */
  push(event: StoredEvent, prevPosition: Position | null): StoredEvent[] {
    if (this.last !== null && event.position <= this.last) return [];
    const link = linkOf(prevPosition);
    const other = this.waiting.get(link);
    if (other) {
      if (other.eventId === event.eventId) return [];
      // Two events claiming one predecessor: the chain is not a ledger's, and guessing would reorder.
      throw new Error(`events ${other.eventId} and ${event.eventId} both follow position ${link || '(start)'}`);
    }
    this.waiting.set(link, event);
    const ready: StoredEvent[] = [];
    for (let next = this.waiting.get(linkOf(this.last)); next; next = this.waiting.get(linkOf(this.last))) {
      this.waiting.delete(linkOf(this.last));
      ready.push(next);
      this.last = next.position;
    }
    return ready;
  }

  /** The last event delivered (or the starting position). */
  get position(): Position | null {
    return this.last;
  }

  /** Events received ahead of their turn. */
  get buffered(): number {
    return this.waiting.size;
  }
}

const linkOf = (position: Position | null): string => (position === null ? '' : String(position));
