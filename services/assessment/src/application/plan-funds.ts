import { Inject, Injectable, Logger } from '@nestjs/common';
import { planCommitmentId, type LivelihoodPlanApproved } from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { GRANT_CLIENT, type GrantClient } from '@peil/platform/clients';
import { apiError, type ApiError } from '@peil/platform/http';
import { derivedEventId } from '@peil/platform/ids';
import { EVENT_STORE } from '@peil/platform/nest';
import { type ReserveStep, type ValidSubmission } from '@peil/platform/submissions';
import type { PlanHold } from '../domain/livelihood.decider';
import { commitmentOf, planReference } from './plan-commitment.events';

/**
 * The reserve step of plan approval (see docs/decisions/0090): after the pure decision, and before
 * the plan is appended, the kit cost is committed on the assets line through the grant service.
 * Its eventId derives from the plan's, so a re-decision after a concurrency conflict, or a
 * resubmission after a crash, finds the same commitment instead of making a second one.
 */
@Injectable()
export class PlanFunds implements ReserveStep<LivelihoodPlanApproved, PlanHold> {
  private readonly logger = new Logger('assessment');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GRANT_CLIENT) private readonly grant: GrantClient,
  ) {}

  /** `insufficient_funds` (or any refusal of the grant) rejects the plan with nothing written. */
  async reserve(s: ValidSubmission<LivelihoodPlanApproved>, hold: PlanHold): Promise<ApiError | undefined> {
    const line = await this.grant.lineFor('assets');
    if (!line) return apiError('no_assets_budget_line', 'no signed grant has a budget line with purpose "assets"');
    const amountMinor = hold.kitCostMinor;
    const result = await this.grant.submit({
      eventId: derivedEventId(s.eventId, 'commit'),
      type: 'FundsCommitted',
      occurredAt: s.occurredAt,
      data: { commitmentId: planCommitmentId(s.data.planId), budgetLine: line.code, amountMinor, reference: planReference(s.eventId) },
    });
    if (result.status !== 'rejected') return undefined;
    const code = result.error?.code ?? 'commitment_failed';
    return apiError(code, `the kit cost of ${amountMinor} US cents could not be committed on ${line.code}: ${result.error?.message ?? code}`);
  }

  /** Compensation: a plan rejected after its commitment was made must not leave the money held. */
  async release(s: ValidSubmission<LivelihoodPlanApproved>): Promise<void> {
    const stored = await this.store.findByEventId(derivedEventId(s.eventId, 'commit'));
    const commitment = stored && commitmentOf(stored);
    if (!commitment) return;
    const amount = commitment.data.amountMinor;
    const result = await this.grant.submit({
      eventId: derivedEventId(s.eventId, 'release'),
      type: 'CommitmentReleased',
      occurredAt: s.occurredAt,
      data: { commitmentId: planCommitmentId(s.data.planId), amountMinor: amount },
    });
    if (result.status === 'rejected') this.logger.warn(`could not release commitment of plan ${s.data.planId}: ${result.error?.code}`);
  }
}
