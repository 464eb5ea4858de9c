import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AssetDelivered } from '@peil/contracts';
import type { EventStore, Position } from '@peil/ledger';
import { CLOCK, EVENT_STORE, type Clock } from '@peil/platform';
import { DeliveryExpenditures } from './delivery-expenditures';

export const RECOVERY_INTERVAL_MS = Symbol('RecoveryIntervalMs');

/**
 * Process manager for the delivery flow: every AssetDelivered in the ledger must have its
 * expenditure. After a crash between the two steps (or a grant outage), this resumes the missing
 * ones. It replays the ledger from the start at each boot, so nothing depends on memory that a
 * kill -9 could lose; recording is idempotent, so resuming twice records once.
 */
@Injectable()
export class DeliveryExpenditureRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('delivery-recovery');
  private readonly pending = new Map<string, { data: AssetDelivered; occurredAt: string; recordedAt: number; warned: boolean }>();
  private position: Position | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RECOVERY_INTERVAL_MS) private readonly intervalMs: number,
    private readonly expenditures: DeliveryExpenditures,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce().catch((err) => this.logger.warn(String(err))), this.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Deliveries still without an expenditure after this pass. */
  async runOnce(): Promise<number> {
    if (this.running) return this.pending.size;
    this.running = true;
    try {
      await this.catchUp();
      const now = this.clock.now().getTime();
      for (const [eventId, p] of this.pending) {
        // Leave fresh deliveries to the request that recorded them.
        if (now - p.recordedAt < this.intervalMs) continue;
        try {
          await this.expenditures.record(eventId, p.data, p.occurredAt);
          this.pending.delete(eventId);
          this.logger.warn(`recorded the missing expenditure of delivery ${p.data.deliveryId}`);
        } catch (err) {
          if (!p.warned) this.logger.warn(`delivery ${p.data.deliveryId} still has no expenditure: ${err instanceof Error ? err.message : String(err)}`);
          p.warned = true;
        }
      }
      return this.pending.size;
    } finally {
      this.running = false;
    }
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll(this.position, 5000);
      for (const e of page) {
        this.position = e.position;
        if (e.type === 'AssetDelivered') {
          this.pending.set(e.eventId, { data: e.data as unknown as AssetDelivered, occurredAt: e.occurredAt, recordedAt: Date.parse(e.recordedAt), warned: false });
        } else if (e.type === 'ExpenditureRecorded') {
          const related = (e.data as { relatedEventId?: string }).relatedEventId;
          if (related) this.pending.delete(related);
        }
      }
      if (page.length < 5000) return;
    }
  }
}
