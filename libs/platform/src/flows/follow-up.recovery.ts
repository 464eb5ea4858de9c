import { Logger } from '@nestjs/common';
import type { EventStore, Position, StoredEvent } from '@peil/ledger';
import type { Clock } from '../clock/clock';

export interface FollowUpRule {
  /** Human name for logs ("delivery expenditure"). */
  name: string;
  /** Does this event need a follow-up? */
  needsFollowUp(event: StoredEvent): boolean;
  /** The eventId of the event this one completes (e.g. an expenditure's relatedEventId), if any. */
  completes(event: StoredEvent): string | undefined;
  /** Performs the follow-up; must be idempotent (derived eventIds). */
  resume(event: StoredEvent): Promise<void>;
}

/**
 * Process manager for two-step flows across contexts ("every delivery has its expenditure"):
 * after a crash between the steps, or while the other service was down, it finds events whose
 * follow-up is missing and performs it. It replays the ledger from the start at each boot, so it
 * depends on nothing a kill -9 could lose; fresh events are left to the request that wrote them
 * for one interval.
 */
export class FollowUpRecovery {
  private readonly logger: Logger;
  private readonly pending = new Map<string, { event: StoredEvent; warned: boolean }>();
  private position: Position | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly rule: FollowUpRule,
    private readonly intervalMs: number,
  ) {
    this.logger = new Logger(`recovery:${rule.name}`);
  }

  start(): void {
    this.timer = setInterval(() => void this.runOnce().catch((err) => this.logger.warn(String(err))), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; resolves to the number of events still waiting for their follow-up. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    await this.catchUp();
    const now = this.clock.now().getTime();
    for (const [eventId, p] of this.pending) {
      if (now - Date.parse(p.event.recordedAt) < this.intervalMs) continue;
      try {
        await this.rule.resume(p.event);
        this.pending.delete(eventId);
        this.logger.warn(`completed the missing ${this.rule.name} of event ${eventId}`);
      } catch (err) {
        if (!p.warned) this.logger.warn(`${this.rule.name} of event ${eventId} still missing: ${err instanceof Error ? err.message : String(err)}`);
        p.warned = true;
      }
    }
    return this.pending.size;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll(this.position, 5000);
      for (const e of page) {
        this.position = e.position;
        if (this.rule.needsFollowUp(e)) this.pending.set(e.eventId, { event: e, warned: false });
        const done = this.rule.completes(e);
        if (done) this.pending.delete(done);
      }
      if (page.length < 5000) return;
    }
  }
}
