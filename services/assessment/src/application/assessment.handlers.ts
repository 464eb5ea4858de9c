import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  LivelihoodPlanApproved,
  MarketAssessmentCompleted,
  SkillsProfileRecorded,
  livelihoodStreamId,
  marketStreamId,
  planCommitmentId,
} from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import {
  CLOCK,
  DIGEST_KEY,
  EVENT_STORE,
  SubmissionProcessor,
  decisionFrom,
  apiError,
  derivedEventId,
  type Clock,
  type Decision,
  type ValidSubmission,
} from '@peil/platform';
import { decideMarketAssessment, decidePlan, decideSkillsProfile } from '../domain/livelihood.decider';
import type { AssessmentPolicy } from '../domain/assessment-policy';
import { ASSESSMENT_POLICY } from './assessment-config';
import { AssessmentReads } from './context-reads';
import { GRANT_CLIENT, type GrantClient } from '@peil/platform';

@Injectable()
export class AssessmentSubmissions {
  readonly processor: SubmissionProcessor;
  private readonly logger = new Logger('assessment');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    @Inject(ASSESSMENT_POLICY) private readonly policy: AssessmentPolicy,
    @Inject(GRANT_CLIENT) private readonly grant: GrantClient,
    private readonly reads: AssessmentReads,
  ) {
    this.processor = new SubmissionProcessor(
      store,
      {
        MarketAssessmentCompleted: { schema: MarketAssessmentCompleted, decide: (s) => this.market(s) },
        SkillsProfileRecorded: { schema: SkillsProfileRecorded, decide: (s) => this.skills(s) },
        LivelihoodPlanApproved: { schema: LivelihoodPlanApproved, decide: (s) => this.plan(s) },
      },
      digestKey,
      clock,
    );
  }

  private async market(s: ValidSubmission<MarketAssessmentCompleted>): Promise<Decision> {
    const { market, ids, expectedRevision } = await this.reads.market(s.data.district);
    return decisionFrom(decideMarketAssessment(s.data, market, ids), s, marketStreamId(s.data.district), expectedRevision);
  }

  private async skills(s: ValidSubmission<SkillsProfileRecorded>): Promise<Decision> {
    const household = await this.reads.household(s.data.householdId);
    const { expectedRevision } = await this.reads.livelihood(s.data.householdId);
    return decisionFrom(decideSkillsProfile(s.data, { household }), s, livelihoodStreamId(s.data.householdId), expectedRevision);
  }

  /**
   * Plan approval is a two-step flow across contexts (docs/decisions/0009):
   *   1. decide every rule of the plan on fresh ledger state (nothing written yet);
   *   2. commit the kit cost on the assets line through the grant service — the reservation;
   *      `insufficient_funds` there rejects the plan with nothing written;
   *   3. append the plan (the SubmissionProcessor does, with the stream's expected revision).
   * The commitment's eventId is derived from the plan's, so re-deciding after a concurrency conflict,
   * or a resubmission after a crash, finds the same commitment instead of making a second one.
   * If the plan is rejected after its commitment exists, the commitment is released (compensation);
   * a crash between 2 and 3 is repaired by the PlanCommitmentRecovery process manager.
   */
  private async plan(s: ValidSubmission<LivelihoodPlanApproved>): Promise<Decision> {
    const household = await this.reads.household(s.data.householdId);
    const catalogue = await this.reads.catalogue();
    const { livelihood, expectedRevision } = await this.reads.livelihood(s.data.householdId);
    const market = household.status !== 'unknown' ? (await this.reads.market(household.district)).market : undefined;
    const outcome = decidePlan(s.data, { household, livelihood, market, catalogue }, this.policy);
    if (!outcome.ok) {
      await this.releaseIfCommitted(s);
      return decisionFrom(outcome, s, livelihoodStreamId(s.data.householdId), expectedRevision);
    }
    const cost = outcome.events[0]!.kitCostMinor;
    if (cost > 0) {
      const rejection = await this.commit(s, cost);
      if (rejection) return rejection;
    }
    return decisionFrom(outcome, s, livelihoodStreamId(s.data.householdId), expectedRevision);
  }

  private async commit(s: ValidSubmission<LivelihoodPlanApproved>, amountMinor: number): Promise<Decision | undefined> {
    const line = await this.grant.lineFor('assets');
    if (!line) return { kind: 'reject', error: apiError('no_assets_budget_line', 'no signed grant has a budget line with purpose "assets"') };
    const result = await this.grant.submit({
      eventId: derivedEventId(s.eventId, 'commit'),
      type: 'FundsCommitted',
      occurredAt: s.occurredAt,
      data: { commitmentId: planCommitmentId(s.data.planId), budgetLine: line.code, amountMinor, reference: `LivelihoodPlanApproved/${s.eventId}` },
    });
    if (result.status === 'rejected') {
      const code = result.error?.code ?? 'commitment_failed';
      return { kind: 'reject', error: apiError(code, `the kit cost of ${amountMinor} US cents could not be committed on ${line.code}: ${result.error?.message ?? code}`) };
    }
    return undefined;
  }

  /** Compensation: a plan rejected after its commitment was made must not leave the money held. */
  private async releaseIfCommitted(s: ValidSubmission<LivelihoodPlanApproved>): Promise<void> {
    const commitment = await this.store.findByEventId(derivedEventId(s.eventId, 'commit'));
    if (!commitment) return;
    const amount = (commitment.data as { amountMinor: number }).amountMinor;
    const result = await this.grant.submit({
      eventId: derivedEventId(s.eventId, 'release'),
      type: 'CommitmentReleased',
      occurredAt: s.occurredAt,
      data: { commitmentId: planCommitmentId(s.data.planId), amountMinor: amount },
    });
    if (result.status === 'rejected') this.logger.warn(`could not release commitment of plan ${s.data.planId}: ${result.error?.code}`);
  }
}
