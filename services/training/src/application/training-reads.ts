import { Inject, Injectable } from '@nestjs/common';
import {
  TRAINING_EVENT_SCHEMAS,
  approvedPlanView,
  householdStatusView,
  participationStreamId,
  sessionStreamId,
  type AssessmentEvent,
  type EnrolmentEvent,
  type HouseholdStatus,
  type PlanApproval,
  type TrainingEvent,
  type TrainingModule,
} from '@peil/contracts';
import type { EventStore, ExpectedRevision } from '@peil/ledger';
import { EVENT_STORE, PublishedReader, StreamStateCache, typedFold } from '@peil/platform';
import {
  evolveParticipation,
  evolveSession,
  initialParticipation,
  initialSession,
  type Participation,
  type Session,
} from '../domain/training.decider';


/**
 * Reads for training decisions, from the ledger: each stream is kept folded and caught up before
 * every read, so a decision costs the events appended since the last one, not the whole stream.
 */
@Injectable()
export class TrainingReads {
  private readonly households: PublishedReader<HouseholdStatus, EnrolmentEvent>;
  private readonly sessions: StreamStateCache<Session>;
  private readonly participations: StreamStateCache<Participation>;
  /** The household's approved plan (assessment's published view), for its training modules. */
  private readonly plans: PublishedReader<PlanApproval | undefined, AssessmentEvent>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.households = new PublishedReader(store, householdStatusView);
    this.sessions = new StreamStateCache(store, typedFold<Session, TrainingEvent>(TRAINING_EVENT_SCHEMAS, initialSession, evolveSession));
    this.participations = new StreamStateCache(store, typedFold<Participation, TrainingEvent>(TRAINING_EVENT_SCHEMAS, initialParticipation, evolveParticipation));
    this.plans = new PublishedReader(store, approvedPlanView);
  }

  household(householdId: string): Promise<HouseholdStatus> {
    return this.households.read(householdId);
  }

  async session(sessionId: string): Promise<{ session: Session; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.sessions.aggregateStream(sessionStreamId(sessionId));
    return { session: state, expectedRevision };
  }

  async participation(householdId: string): Promise<{ participation: Participation; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.participations.aggregateStream(participationStreamId(householdId));
    return { participation: state, expectedRevision };
  }

  /** The modules of the household's approved plan, or undefined without a plan. */
  async planModules(householdId: string): Promise<TrainingModule[] | undefined> {
    return (await this.plans.read(householdId))?.data.trainingModules;
  }
}
