import type { Subscription } from 'rxjs';
import type { EventStore, Position, StoredEvent } from '@peil/ledger';
import { backoffDelay, timerSleep, type RetryPolicy, type Sleep } from './backoff';
import { toOutboundMessage } from './event-message';
import type { OutboundMessage, Publisher } from './publisher.port';
import type { RelayCheckpointStore } from './relay-checkpoint.port';

export interface RelayOptions {
  /** Events per publish (one broker round trip). */
  batchSize: number;
  retry: RetryPolicy;
  /** Timestamps in status(); injected so tests can pin them. */
  clock?: { now(): Date };
  /** Injected so unit tests can observe the back-off schedule without waiting for it. */
  sleep?: Sleep;
  /** Checkpoint name: one per relay reading this ledger (default 'outbound'). */
  name?: string;
  /**
   * Longest wait for new events when the store's subscription says nothing: the subscription wakes
   * the relay at once for appends it sees, polling covers anything it might miss.
   */
  pollIntervalMs?: number;
  /** Called once per failed attempt, before the back-off; the relay itself never gives up. */
  onError?: (error: unknown, failures: number, delayMs: number) => void;
}

export type RelayState = 'stopped' | 'idle' | 'publishing' | 'backing-off';

export interface RelayStatus {
  state: RelayState;
  /** Last ledger position the broker acknowledged (and the checkpoint holds); null before the first. */
  checkpoint: Position | null;
  /** Events of the batch awaiting acknowledgement (0 when none is in flight). */
  inFlight: number;
  /** Consecutive failed attempts; 0 once a batch got through. */
  failures: number;
  lastError: string | null;
  lastAckAt: string | null;
  /** Events acknowledged since this object was created. */
  published: number;
}

/** A batch read from the ledger, kept until its checkpoint is saved so a retry resends exactly it. */
interface Pending {
  events: StoredEvent[];
  messages: OutboundMessage[];
  acknowledged: boolean;
}

/**
 * Publishes every committed ledger event to the bus, in position order, at least once.
 *
 * One batch is in flight at a time: read after the checkpoint, publish, and only once the broker
 * acknowledged the batch save its last position. A crash before that save republishes the batch
 * (duplicates, which consumers drop by eventId), never skips it. A failed publish is retried with
 * the SAME batch after an exponential, capped back-off, forever: a later batch never overtakes an
 * earlier one, so each stream (one key) stays in revision order on its partition.
 */
export class OutboundRelay {
  private readonly name: string;
  private readonly sleep: Sleep;
  private readonly clock: { now(): Date };
  private checkpoint: Position | null | undefined;
  private pending: Pending | undefined;
  private busy = false;
  private state: RelayState = 'stopped';
  private failures = 0;
  private lastError: string | null = null;
  private lastAckAt: string | null = null;
  private published = 0;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private subscription: Subscription | undefined;
  private woken = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly publisher: Publisher,
    private readonly checkpoints: RelayCheckpointStore,
    private readonly options: RelayOptions,
  ) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new Error('batchSize must be a positive integer');
    if (!(options.retry.initialMs > 0 && options.retry.maxMs >= options.retry.initialMs)) {
      throw new Error('retry needs 0 < initialMs <= maxMs');
    }
    this.name = options.name ?? 'outbound';
    this.sleep = options.sleep ?? timerSleep;
    this.clock = options.clock ?? { now: () => new Date() };
  }

  /**
   * One step: publish the next batch (or retry the pending one) and save the checkpoint after the
   * acknowledgement. Resolves with the number of events acknowledged (0: nothing to do); rejects
   * with the publish or checkpoint error, keeping the batch for the next call.
   */
  async runOnce(): Promise<number> {
    if (this.busy) throw new Error('OutboundRelay.runOnce: a batch is already in flight');
    this.busy = true;
    try {
      if (this.checkpoint === undefined) this.checkpoint = await this.checkpoints.load(this.name);
      if (!this.pending) {
        const events = await this.store.readAll(this.checkpoint, this.options.batchSize);
        if (events.length === 0) return 0;
        // Each message names the event read before it (the checkpoint for the first): the chain a
        // consumer re-sequences by. A republished batch carries the same links, since it is read again from the same checkpoint.
        const before = this.checkpoint;
        const messages = events.map((e, i) => toOutboundMessage(e, i === 0 ? before : events[i - 1]!.position));
        this.pending = { events, messages, acknowledged: false };
      }
      const batch = this.pending;
      if (!batch.acknowledged) {
        await this.publisher.publish(batch.messages);
        // Remembered so that a failing checkpoint save is retried alone, without republishing.
        batch.acknowledged = true;
      }
      const last = batch.events[batch.events.length - 1]!.position;
      await this.checkpoints.save(this.name, last);
      this.checkpoint = last;
      this.pending = undefined;
      this.published += batch.events.length;
      this.lastAckAt = this.clock.now().toISOString();
      return batch.events.length;
    } finally {
      this.busy = false;
    }
  }

  /** Catch up from the checkpoint, then follow the ledger until stop(). Returns once the loop runs. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.abort = new AbortController();
    this.state = 'idle';
    // The subscription is only a doorbell: events are read in batches by runOnce, from the checkpoint.
    const head = await this.store.headPosition();
    this.subscription = this.store.subscribe(head).subscribe({
      next: () => this.wake(),
      error: () => undefined, // polling carries on; the store reports its own failure on reads
    });
    this.loop = this.run();
  }

  /** Ends the loop after the batch in flight settles (publish is bounded by the adapter's timeouts). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake();
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.loop;
    this.loop = undefined;
    this.state = 'stopped';
  }

  /** stop(), then close the publisher and the checkpoint store (never the event store, which is shared). */
  async close(): Promise<void> {
    await this.stop();
    await this.publisher.close();
    await this.checkpoints.close();
  }

  status(): RelayStatus {
    return {
      state: this.state,
      checkpoint: this.checkpoint ?? null,
      inFlight: this.pending?.events.length ?? 0,
      failures: this.failures,
      lastError: this.lastError,
      lastAckAt: this.lastAckAt,
      published: this.published,
    };
  }

  /**
   * Ledger positions not yet acknowledged by the broker: events on the embedded store, whose
   * positions are contiguous; on EventStoreDB a distance in the log, zero exactly when caught up.
   */
  async lag(): Promise<number> {
    const head = (await this.store.headPosition()) ?? 0;
    const acknowledged = this.checkpoint === undefined ? await this.checkpoints.load(this.name) : this.checkpoint;
    return Math.max(0, head - (acknowledged ?? 0));
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      this.woken = false;
      try {
        this.state = 'publishing';
        const count = await this.runOnce();
        this.failures = 0;
        this.lastError = null;
        if (count === 0) {
          this.state = 'idle';
          if (!this.woken) await this.idle(signal);
        }
      } catch (error) {
        this.failures += 1;
        this.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const delay = backoffDelay(this.failures, this.options.retry);
        this.state = 'backing-off';
        this.options.onError?.(error, this.failures, delay);
        await this.sleep(delay, signal);
      }
    }
  }

  private idle(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollIntervalMs ?? 1_000);
      this.wakeUp = done;
      if (signal.aborted) done();
    });
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }
}
