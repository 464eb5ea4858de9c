import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { planCommitmentId } from '@peil/contracts';
import type { EventStore, Position } from '@peil/ledger';
import { CLOCK, EVENT_STORE, derivedEventId, type Clock } from '@peil/platform';
import { GRANT_CLIENT } from './assessment-config';
import type { GrantClient } from '../../../grant/src/client/grant.client';

const REFERENCE_PREFIX = 'LivelihoodPlanApproved/';

interface PendingCommitment {
  planEventId: string;
  commitmentId: string;
  amountMinor: number;
  recordedAt: number;
  occurredAt: string;
}

/**
 * Process manager for the plan flow: a commitment made for a plan whose approval never reached
 * the ledger (the service died between the two steps) is released once it is older than the grace
 * period. It tails the ledger from the start at every boot, so a restart finds every orphan; the
 * release's eventId is derived from the plan's, so running twice releases once.
 */
@Injectable()
export class PlanCommitmentRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('plan-recovery');
  private readonly pending = new Map<string, PendingCommitment>();
  private position: Position | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GRANT_CLIENT) private readonly grant: GrantClient,
    @Inject('PLAN_RECOVERY_GRACE_MS') private readonly graceMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce().catch((err) => this.logger.warn(String(err))), Math.min(this.graceMs, 30_000));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass: catch up with the ledger, then release what is orphaned and old enough. */
  async runOnce(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      await this.catchUp();
      let released = 0;
      const now = this.clock.now().getTime();
      for (const p of this.pending.values()) {
        if (now - p.recordedAt < this.graceMs) continue;
        if (await this.store.findByEventId(p.planEventId)) {
          this.pending.delete(p.planEventId);
          continue;
        }
        const result = await this.grant.submit({
          eventId: derivedEventId(p.planEventId, 'release'),
          type: 'CommitmentReleased',
          occurredAt: p.occurredAt,
          data: { commitmentId: p.commitmentId, amountMinor: p.amountMinor },
        });
        if (result.status !== 'rejected') {
          released += 1;
          this.logger.warn(`released orphan commitment ${p.commitmentId}: its plan was never recorded`);
        }
        this.pending.delete(p.planEventId);
      }
      return released;
    } finally {
      this.running = false;
    }
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll(this.position, 5000);
      for (const e of page) {
        this.position = e.position;
        if (e.type === 'FundsCommitted') {
          const d = e.data as { commitmentId: string; amountMinor: number; reference?: string };
          if (d.reference?.startsWith(REFERENCE_PREFIX)) {
            const planEventId = d.reference.slice(REFERENCE_PREFIX.length);
            this.pending.set(planEventId, { planEventId, commitmentId: d.commitmentId, amountMinor: d.amountMinor, recordedAt: Date.parse(e.recordedAt), occurredAt: e.occurredAt });
          }
        } else if (e.type === 'LivelihoodPlanApproved') {
          this.pending.delete(e.eventId);
        } else if (e.type === 'CommitmentReleased') {
          const id = (e.data as { commitmentId: string }).commitmentId;
          for (const [key, p] of this.pending) if (p.commitmentId === id) this.pending.delete(key);
        }
      }
      if (page.length < 5000) return;
    }
  }
}

export { planCommitmentId };
