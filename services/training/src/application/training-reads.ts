import { Inject, Injectable } from '@nestjs/common';
import {
  approvedPlanView,
  householdStatusView,
  type AssessmentEvent,
  type EnrolmentEvent,
  type HouseholdStatus,
  type PlanApproval,
  type TrainingModule,
} from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform/nest';
import { PublishedReader } from '@peil/platform/streams';

/**
 * What training decisions read of other contexts, from their published views in the ledger: the
 * household's status (enrolment) and its approved plan's modules (assessment), each stream kept
 * folded and caught up before every read.
 */
@Injectable()
export class TrainingReads {
  private readonly households: PublishedReader<HouseholdStatus, EnrolmentEvent>;
  private readonly plans: PublishedReader<PlanApproval | undefined, AssessmentEvent>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.households = new PublishedReader(store, householdStatusView);
    this.plans = new PublishedReader(store, approvedPlanView);
  }

  household(householdId: string): Promise<HouseholdStatus> {
    return this.households.read(householdId);
  }

  /** The modules of the household's approved plan, or undefined without a plan. */
  async planModules(householdId: string): Promise<TrainingModule[] | undefined> {
    return (await this.plans.read(householdId))?.data.trainingModules;
  }
}
