import { Inject, Injectable } from '@nestjs/common';
import { LivelihoodPlanApproved, MarketAssessmentCompleted, SkillsProfileRecorded } from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { CLOCK, type Clock } from '@peil/platform/clock';
import { DIGEST_KEY, EVENT_STORE } from '@peil/platform/nest';
import { SubmissionProcessor } from '@peil/platform/submissions';
import { AssessmentReads } from './context-reads';
import { PlanFunds } from './plan-funds';

/**
 * Assessment submissions through the decider runtime. Plan approval is the one flow that crosses
 * contexts (docs/decisions/0009, 0090): the pure decision → the reserve step commits the kit cost on
 * the grant → the append; a later rejection releases the commitment, and PlanCommitmentRecovery
 * releases one whose plan never reached the ledger (a crash between the two steps).
 */
@Injectable()
export class AssessmentSubmissions {
  readonly processor: SubmissionProcessor;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    reads: AssessmentReads,
    funds: PlanFunds,
  ) {
    this.processor = new SubmissionProcessor(
      store,
      {
        MarketAssessmentCompleted: reads.markets.handler(MarketAssessmentCompleted),
        SkillsProfileRecorded: reads.livelihoods.handler(SkillsProfileRecorded),
        LivelihoodPlanApproved: { ...reads.livelihoods.handler(LivelihoodPlanApproved), reserve: funds },
      },
      digestKey,
      clock,
      { groupCommit: true },
    );
  }
}
