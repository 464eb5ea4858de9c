import type { EventStore, ExpectedRevision, StoredEvent } from '@peil/ledger';
import { yieldToEventLoop, type StreamFold } from './stream-fold';

/** A stream folded up to a revision. */
export interface AggregatedStream<State> {
  state: State;
  /** Revision of the last event folded; -1 when the stream has none. */
  revision: number;
  /** What the next append to this stream expects: `revision`, or 'no_stream'. */
  expectedRevision: ExpectedRevision;
  streamExists: boolean;
}

export interface StreamStateCacheOptions {
  /** Streams whose folded state is kept; the least recently read is dropped first. */
  maxStreams?: number;
  /** Events read (and folded synchronously) per page of a catch-up; the event loop runs between pages. */
  pageSize?: number;
}

export const DEFAULT_MAX_STREAMS = 2_000;
export const DEFAULT_PAGE_SIZE = 500;

interface Entry<State> {
  state: State;
  revision: number;
  /** Hash of the event at `revision`: it chains over the stream's earlier events, so it stands for the whole prefix folded. */
  hash: string;
}

/**
 * The folded state of streams, kept per stream and caught up by reading only the events after the
 * revision it holds: reading or deciding on a stream costs O(new events), not O(stream).
 *
 * Each catch-up re-reads the last event it folded and compares its hash. The hash chains over every
 * earlier event of the stream, so an equal hash proves the ledger still holds exactly the prefix that
 * was folded. It differs, or the event is gone, when that prefix came from a unit of work that rolled
 * back (SQLite then gives its revisions to other events): the state is then folded again from the
 * start. The cache is thus never trusted on its own word, and needs no notice of aborted units to
 * stay correct; `clear()` is there to free memory at once when one is known.
 *
 * Catch-ups of one stream run one after the other (each sees what the previous one folded); other
 * streams are not held up, and a long catch-up yields to the event loop between pages.
 */
export class StreamStateCache<State> {
  private readonly entries = new Map<string, Entry<State>>();
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly maxStreams: number;
  private readonly pageSize: number;

  constructor(
    private readonly store: EventStore,
    private readonly fold: StreamFold<State>,
    options: StreamStateCacheOptions = {},
  ) {
    this.maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!(this.maxStreams >= 1 && this.pageSize >= 2)) throw new RangeError('maxStreams must be at least 1 and pageSize at least 2');
  }

  /** The stream folded up to its newest event, as the caller's context of the store sees it. */
  aggregateStream(streamId: string): Promise<AggregatedStream<State>> {
    const previous = this.running.get(streamId);
    // `then` runs the catch-up in this caller's async context: inside a unit of work, it reads what the unit sees.
    const run = previous ? previous.then(() => this.catchUp(streamId), () => this.catchUp(streamId)) : this.catchUp(streamId);
    this.running.set(streamId, run);
    const settled = (): void => {
      if (this.running.get(streamId) === run) this.running.delete(streamId);
    };
    run.then(settled, settled);
    return run;
  }

  /** Forgets one stream, or every stream; the next read folds it from the start. */
  invalidate(streamId: string): void {
    this.entries.delete(streamId);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Streams currently held. */
  get size(): number {
    return this.entries.size;
  }

  private async catchUp(streamId: string): Promise<AggregatedStream<State>> {
    let entry = this.entries.get(streamId);
    if (entry) {
      // Most recently read last: Map keeps insertion order, so the first key is the one to drop.
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
      const page = await this.store.readStream(streamId, { fromRevision: entry.revision, limit: this.pageSize });
      const head = page[0];
      if (head && head.revision === entry.revision && head.hash === entry.hash) {
        this.apply(streamId, entry, page, 1);
        if (page.length < this.pageSize) return result(entry);
      } else {
        // The ledger no longer holds what was folded: a rolled-back unit of work. Fold it again.
        this.entries.delete(streamId);
        entry = undefined;
      }
    }
    if (!entry) {
      const first = await this.store.readStream(streamId, { fromRevision: 0, limit: this.pageSize });
      if (first.length === 0) return { state: this.fold.initialState(), revision: -1, expectedRevision: 'no_stream', streamExists: false };
      entry = { state: this.fold.initialState(), revision: -1, hash: '' };
      this.apply(streamId, entry, first, 0);
      this.remember(streamId, entry);
      if (first.length < this.pageSize) return result(entry);
    }
    for (;;) {
      await yieldToEventLoop();
      const page = await this.store.readStream(streamId, { fromRevision: entry.revision + 1, limit: this.pageSize });
      this.apply(streamId, entry, page, 0);
      if (page.length < this.pageSize) return result(entry);
    }
  }

  /** Folds `page[from…]` into the entry, which always matches its revision: an evolve that throws drops it. */
  private apply(streamId: string, entry: Entry<State>, page: readonly StoredEvent[], from: number): void {
    for (let i = from; i < page.length; i++) {
      const event = page[i]!;
      try {
        entry.state = this.fold.evolve(entry.state, event);
      } catch (err) {
        this.entries.delete(streamId);
        throw err;
      }
      entry.revision = event.revision;
      entry.hash = event.hash;
    }
  }

  private remember(streamId: string, entry: Entry<State>): void {
    this.entries.set(streamId, entry);
    if (this.entries.size > this.maxStreams) this.entries.delete(this.entries.keys().next().value!);
  }
}

function result<State>(entry: Entry<State>): AggregatedStream<State> {
  return { state: entry.state, revision: entry.revision, expectedRevision: entry.revision, streamExists: true };
}
