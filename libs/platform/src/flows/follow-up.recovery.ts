import { Logger } from '@nestjs/common';
import type { EventStore, StoredEvent } from '@peil/ledger';
import { StoreTailFeed, type LedgerFeed, type LedgerFeeds } from '@peil/projections';
import type { Subscription } from 'rxjs';
import { onOwnAccount } from '../auth/acting-principal';
import type { Clock } from '../clock/clock';

export interface FollowUpRule {
  /** Human name for logs ("delivery expenditure"). */
  name: string;
  /** Does this event need a follow-up? */
  needsFollowUp(event: StoredEvent): boolean;
  /** What identifies the flow an event starts (default: its eventId). */
  key?(event: StoredEvent): string;
  /** The key of the flow this event completes (e.g. an expenditure's relatedEventId), if any. */
  completes(event: StoredEvent): string | undefined;
  /** Performs the follow-up; must be idempotent (derived eventIds). */
  resume(event: StoredEvent): Promise<void>;
  /**
   * How long a fresh event is left to the request that wrote it before the recovery steps in.
   * 0 makes the rule a live reaction (a withdrawal releasing its household's commitments at once).
   */
  graceMs?: number;
}

/**
 * Process manager for two-step flows across contexts ("every delivery has its expenditure"): it
 * follows the ledger (catch-up from the first event at every boot, then live) and completes events
 * whose follow-up is missing — after a crash between the steps, or while the other service was down.
 * It depends on nothing a kill -9 could lose, and resume() is idempotent, so completing twice records once.
 */
export class FollowUpRecovery {
  private readonly logger: Logger;
  private readonly pending = new Map<string, { event: StoredEvent; warned: boolean }>();
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private readonly graceMs: number;
  private readonly feed: LedgerFeed;

  /**
   * `feeds`: where the ledger is followed from (LEDGER_FEEDS: the store or Kafka, by configuration);
   * the store itself when absent. The reader is named after the rule, so each recovery is its own
   * consumer group on Kafka. It records no progress: every boot reads from the first event again.
   */
  constructor(
    store: EventStore,
    private readonly clock: Clock,
    private readonly rule: FollowUpRule,
    private readonly retryIntervalMs: number,
    feeds?: LedgerFeeds,
  ) {
    this.logger = new Logger(`recovery:${rule.name}`);
    this.graceMs = rule.graceMs ?? retryIntervalMs;
    this.feed = feeds ? feeds.feed(readerName(rule.name)) : new StoreTailFeed(store);
  }

  start(): void {
    this.subscription = this.feed.events(null).subscribe({
      next: (e) => this.observe(e),
      error: (err) => this.logger.error(`ledger subscription failed: ${String(err)}`),
    });
    this.timer = setInterval(() => void this.runOnce(), this.retryIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.subscription?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }

  /** Events still waiting for their follow-up. */
  get waiting(): number {
    return this.pending.size;
  }

  private observe(e: StoredEvent): void {
    if (this.rule.needsFollowUp(e)) {
      this.pending.set(this.rule.key ? this.rule.key(e) : e.eventId, { event: e, warned: false });
      if (this.graceMs === 0) void this.runOnce();
    }
    const done = this.rule.completes(e);
    if (done) this.pending.delete(done);
  }

  /** One pass over what is due; a pass requested while one runs is run right after it. */
  runOnce(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass()
      .catch((err) => {
        this.logger.warn(String(err));
        return this.pending.size;
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.runOnce();
        }
      });
    return this.running;
  }

  private async pass(): Promise<number> {
    const now = this.clock.now().getTime();
    for (const [eventId, p] of [...this.pending]) {
      if (now - Date.parse(p.event.recordedAt) < this.graceMs) continue;
      try {
        // What recovery records is on the service's own account (via system), whichever request's
        // async context happened to wake this pass.
        await onOwnAccount(() => this.rule.resume(p.event));
        this.pending.delete(eventId);
        if (this.graceMs > 0) this.logger.warn(`completed the missing ${this.rule.name} of event ${eventId}`);
      } catch (err) {
        if (!p.warned) this.logger.warn(`${this.rule.name} of event ${eventId} still missing: ${err instanceof Error ? err.message : String(err)}`);
        p.warned = true;
      }
    }
    return this.pending.size;
  }
}

/** "delivery expenditure" → "recovery-delivery-expenditure": a stable consumer-group suffix. */
export const readerName = (ruleName: string): string => `recovery-${ruleName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
