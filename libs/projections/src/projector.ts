import type { EventStore, Position, StoredEvent } from '@peil/ledger';
import { bufferTime, concatMap, filter, type Subscription } from 'rxjs';
import { applyBatch, assertDistinct, isCurrent, lowest } from './apply-batch';
import { StoreTailFeed, type LedgerFeed } from './ledger-feed';
import type { Projection } from './projection';
import { CheckpointMovedError, type ReadStore } from './read-store.port';

export interface ProjectorOptions {
  /**
   * Events read per ledger page, and at most per commit. Default 2,000 in live mode and, when
   * catching up (a rebuild), the read store's maxCatchUpBatch or 10,000: fewer, larger commits write
   * each document once per batch rather than once per event. Given explicitly, it is used for both.
   */
  batchSize?: number;
  /** How long live mode gathers arriving events into one commit. Default 20 ms. */
  liveBufferMs?: number;
  /** Called when live mode stops on an error (a projection threw, the store failed). */
  onError?: (error: unknown) => void;
  /**
   * Where live mode gets events (default: tailing the store). Catch-up always pages through the
   * store, which alone can be read by position; the feed only has to carry what follows.
   */
  source?: LedgerFeed;
}

/**
 * Runs projections over the ledger. Each projection has its own checkpoint; each batch of events and
 * the checkpoint after it are one ReadStore commit, so a crash at any moment neither applies an event
 * twice nor skips one: the next run resumes from the checkpoint. All work of one Projector — catch-up
 * and live batches — runs one at a time, so its cached checkpoints are never raced from inside.
 */
export class Projector {
  private readonly batchSize: number;
  private readonly catchUpBatchSize: number;
  private readonly liveBufferMs: number;
  /** Checkpoints as last committed by this projector, index-aligned with `projections`. */
  private checkpoints: Array<Position | null> = [];
  private prepared: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private live: Subscription | undefined;
  private starting = false;
  /** Bumped by stop(), so a start() still catching up when stopped does not go live afterwards. */
  private generation = 0;
  private liveError: unknown;
  private readonly source: LedgerFeed;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly projections: readonly Projection[],
    private readonly options: ProjectorOptions = {},
  ) {
    assertDistinct(projections);
    this.batchSize = options.batchSize ?? 2000;
    this.catchUpBatchSize = options.batchSize ?? readStore.maxCatchUpBatch ?? 10_000;
    this.liveBufferMs = options.liveBufferMs ?? 20;
    this.source = options.source ?? new StoreTailFeed(store);
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  }

  /**
   * Applies every ledger event up to `untilPosition` (default: the head) that a projection has not
   * applied yet. Returns the position every projection has reached.
   */
  catchUp(untilPosition?: Position): Promise<Position | null> {
    return this.exclusive(() => this.catchUpNow(untilPosition));
  }

  /** Catches up, then follows the ledger live until stop(). Resolves once caught up. */
  async start(): Promise<void> {
    if (this.live || this.starting) throw new Error('projector already started');
    this.starting = true;
    const generation = this.generation;
    try {
      const from = await this.catchUp();
      if (generation === this.generation) this.goLive(from);
    } finally {
      this.starting = false;
    }
  }

  /** Stops live mode and waits for the batch being committed, if any; events not yet committed are read again on the next start. */
  async stop(): Promise<void> {
    this.generation += 1;
    this.live?.unsubscribe();
    this.live = undefined;
    await this.queue;
  }

  /**
   * Runs `fn` between batches: no commit of this projector lands while it runs, so a read of the
   * read models and of their checkpoints inside it sees one position.
   */
  between<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(fn);
  }

  /** The error that stopped live mode, if one did. */
  get failure(): unknown {
    return this.liveError;
  }

  private goLive(from: Position | null): void {
    this.liveError = undefined;
    this.live = this.source
      .events(from)
      .pipe(
        // Whatever arrived within the window (or a full batch) becomes one commit per projection.
        bufferTime(this.liveBufferMs, null, this.batchSize),
        filter((events) => events.length > 0),
        concatMap((events) => this.exclusive(() => this.applyLive(events))),
      )
      .subscribe({
        error: (err: unknown) => {
          this.live = undefined;
          this.liveError = err;
          this.options.onError?.(err);
        },
      });
  }

  private async catchUpNow(untilPosition: Position | undefined): Promise<Position | null> {
    await this.prepare();
    for (;;) {
      this.checkpoints = await Promise.all(this.projections.map((p) => this.readStore.checkpoint(p.name)));
      try {
        let after = lowest(this.checkpoints);
        for (;;) {
          if (untilPosition !== undefined && after !== null && after >= untilPosition) break;
          const page = await this.store.readAll(after, this.catchUpBatchSize);
          const events = untilPosition === undefined ? page : page.filter((e) => e.position <= untilPosition);
          if (events.length === 0) break;
          await this.applyAll(events);
          after = events[events.length - 1]!.position;
          if (events.length < page.length) break;
        }
        const reached = lowest(this.checkpoints);
        if (reached !== null) this.source.applied(reached);
        return reached;
      } catch (err) {
        // Another projector on the same read store committed first: start over from the stored checkpoints.
        if (!(err instanceof CheckpointMovedError)) throw err;
      }
    }
  }

  private async applyLive(events: StoredEvent[]): Promise<void> {
    try {
      await this.applyAll(events);
      // Committed for every projection: the feed may forget these events (Kafka: commit offsets).
      const reached = lowest(this.checkpoints);
      if (reached !== null) this.source.applied(reached);
    } catch (err) {
      // The stored checkpoints moved under us (another projector, a reset): re-read them and the ledger.
      if (!(err instanceof CheckpointMovedError)) throw err;
      await this.catchUpNow(undefined);
    }
  }

  private async applyAll(events: readonly StoredEvent[]): Promise<void> {
    for (const [i, projection] of this.projections.entries()) {
      this.checkpoints[i] = await applyBatch(this.readStore, projection, this.checkpoints[i] ?? null, events);
    }
  }

  /** Once per Projector: a projection built by another version of its code is dropped and rebuilt. */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      for (const p of this.projections) {
        if (!(await isCurrent(this.readStore, p))) await this.readStore.reset([p.name], p.collections);
      }
    })().catch((err: unknown) => {
      this.prepared = undefined;
      throw err;
    });
    return this.prepared;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
