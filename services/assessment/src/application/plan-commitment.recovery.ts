import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { planCommitmentId } from '@peil/contracts';
import type { EventStore, StoredEvent } from '@peil/ledger';
import { GRANT_CLIENT, type GrantClient } from '@peil/platform/clients';
import { CLOCK, type Clock } from '@peil/platform/clock';
import { FollowUpRecovery } from '@peil/platform/flows';
import { derivedEventId } from '@peil/platform/ids';
import { EVENT_STORE, LEDGER_FEEDS } from '@peil/platform/nest';
import type { LedgerFeeds } from '@peil/projections';
import { AssessmentReads } from './context-reads';
import { commitmentOf, planEventIdOf, withdrawalOf } from './plan-commitment.events';

export const PLAN_RECOVERY_GRACE_MS = Symbol('PlanRecoveryGraceMs');

/**
 * The two process managers of the assessment context, both following the ledger:
 * - a commitment made for a plan whose approval never reached the ledger (the service died
 *   between the reserve step and the append) is released once older than the grace period (compensation);
 * - a withdrawn household's plan commitment is released at once (what is undelivered is no longer
 *   needed), so the assets line's committed amount drops by the undelivered kit.
 * Releases carry eventIds derived from their cause, so running twice releases once.
 */
@Injectable()
export class PlanCommitmentRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly orphans: FollowUpRecovery;
  readonly withdrawals: FollowUpRecovery;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(GRANT_CLIENT) private readonly grant: GrantClient,
    @Inject(PLAN_RECOVERY_GRACE_MS) graceMs: number,
    private readonly reads: AssessmentReads,
    @Inject(LEDGER_FEEDS) feeds: LedgerFeeds,
  ) {
    this.orphans = new FollowUpRecovery(store, clock, {
      name: 'plan of a commitment',
      needsFollowUp: (e) => planEventIdOf(e) !== undefined,
      key: (e) => planEventIdOf(e) ?? '',
      completes: (e) => (e.type === 'LivelihoodPlanApproved' ? e.eventId : undefined),
      resume: (e) => this.releaseOrphan(e),
      graceMs,
    }, Math.min(graceMs, 30_000), feeds);
    this.withdrawals = new FollowUpRecovery(store, clock, {
      name: 'release of a withdrawn household',
      needsFollowUp: (e) => withdrawalOf(e) !== undefined,
      completes: () => undefined,
      resume: (e) => this.releaseWithdrawn(e),
      graceMs: 0,
    }, 5_000, feeds);
  }

  onApplicationBootstrap(): void {
    this.orphans.start();
    this.withdrawals.start();
  }

  onApplicationShutdown(): void {
    this.orphans.stop();
    this.withdrawals.stop();
  }

  private async releaseOrphan(stored: StoredEvent): Promise<void> {
    const planEventId = planEventIdOf(stored);
    const commitment = commitmentOf(stored);
    if (!planEventId || !commitment || (await this.store.findByEventId(planEventId))) return;
    await this.release(commitment.data.commitmentId, derivedEventId(planEventId, 'release'), commitment.occurredAt);
  }

  private async releaseWithdrawn(stored: StoredEvent): Promise<void> {
    const withdrawal = withdrawalOf(stored);
    if (!withdrawal) return;
    const { livelihood } = await this.reads.livelihood(withdrawal.data.householdId);
    if (!livelihood.plan) return;
    await this.release(planCommitmentId(livelihood.plan.planId), derivedEventId(withdrawal.eventId, 'release-plan'), withdrawal.occurredAt);
  }

  private async release(commitmentId: string, eventId: string, occurredAt: string): Promise<void> {
    const outstanding = await this.grant.commitmentOutstanding(commitmentId);
    if (outstanding <= 0) return;
    const result = await this.grant.submit({ eventId, type: 'CommitmentReleased', occurredAt, data: { commitmentId, amountMinor: outstanding } });
    // `conflict` means this release was recorded before with another amount: the flow is done.
    if (result.status === 'rejected' && result.error?.code !== 'conflict') {
      throw new Error(`release of ${commitmentId} refused: ${result.error?.code} ${result.error?.message}`);
    }
  }
}
