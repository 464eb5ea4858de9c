import type { EventStore, Position, StoredEvent } from '@peil/ledger';
import { yieldToEventLoop, type StreamFold } from './stream-fold';

export interface LedgerViewOptions {
  /** Events read (and folded synchronously) per page; the event loop runs between pages. */
  pageSize?: number;
  /**
   * Fold only this category's events, read by the store's category read (an index range on SQLite, a
   * server-side filter on EventStoreDB) instead of tailing the whole ledger; `lastPositionSeen` is
   * then the position of the category's newest event, which is what an append condition on the
   * category compares with.
   */
  category?: string;
}

/**
 * A state folded from the ledger in position order (a programme-wide index such as "which household
 * holds this ESSN id"), caught up from the last position it saw before each use: each use reads only
 * the events appended since. `evolve` sees every event of the ledger, or of `options.category`; it
 * ignores the ones it does not index. Like StreamStateCache, each catch-up re-reads the last event folded and compares its hash,
 * and folds again from the start when a rolled-back unit of work gave its position to another event.
 */
export class LedgerView<State> {
  private state: State;
  private position: Position | null = null;
  private hash = '';
  private running: Promise<unknown> = Promise.resolve();
  private readonly pageSize: number;
  private readonly readPage: (afterPosition: Position | null, limit: number) => Promise<StoredEvent[]>;

  constructor(
    private readonly store: EventStore,
    private readonly fold: StreamFold<State>,
    options: LedgerViewOptions = {},
  ) {
    this.state = fold.initialState();
    this.pageSize = options.pageSize ?? 1_000;
    if (!(this.pageSize >= 2)) throw new RangeError('pageSize must be at least 2');
    const { category } = options;
    this.readPage = category === undefined
      ? (after, limit) => store.readAll(after, limit)
      : (after, limit) => store.readCategory(category, after, limit);
  }

  /** The view caught up to the newest event the caller's context of the store sees, and that event's position. */
  current(): Promise<{ state: State; lastPositionSeen: Position | null }> {
    // One catch-up at a time; `then` keeps the caller's async context (a unit of work reads what it wrote).
    const run = this.running.then(() => this.catchUp(), () => this.catchUp());
    this.running = run;
    return run;
  }

  /** Forgets the view; the next use folds the ledger again from the start. */
  reset(): void {
    this.state = this.fold.initialState();
    this.position = null;
    this.hash = '';
  }

  private async catchUp(): Promise<{ state: State; lastPositionSeen: Position | null }> {
    // Only a store with contiguous positions can re-read the event at a position ("after position - 1");
    // it is also the only kind whose units of work roll back. EventStoreDB never reuses a position.
    if (this.position !== null && this.store.capabilities.contiguousPositions) {
      // Of a category, the event at this position comes first only if it is still the one folded.
      const page = await this.readPage(this.position - 1, this.pageSize);
      const head = page[0];
      if (head && head.position === this.position && head.hash === this.hash) {
        this.apply(page.slice(1));
        if (page.length < this.pageSize) return this.seen();
      } else {
        this.reset();
      }
    }
    for (let first = true; ; first = false) {
      if (!first) await yieldToEventLoop();
      const page = await this.readPage(this.position, this.pageSize);
      this.apply(page);
      if (page.length < this.pageSize) return this.seen();
    }
  }

  private apply(page: readonly StoredEvent[]): void {
    for (const event of page) {
      try {
        this.state = this.fold.evolve(this.state, event);
      } catch (err) {
        this.reset();
        throw err;
      }
      this.position = event.position;
      this.hash = event.hash;
    }
  }

  private seen(): { state: State; lastPositionSeen: Position | null } {
    return { state: this.state, lastPositionSeen: this.position };
  }
}
