import { Inject, Injectable } from '@nestjs/common';
import { livelihoodStreamId, participationStreamId, sessionStreamId, type TrainingModule } from '@peil/contracts';
import type { EventStore, ExpectedRevision, StoredEvent } from '@peil/ledger';
import { EVENT_STORE, StreamStateCache } from '@peil/platform';
import { HouseholdStatusReader, type HouseholdStatus } from '../../../enrolment/src';
import {
  evolveParticipation,
  evolveSession,
  initialParticipation,
  initialSession,
  type Participation,
  type Session,
  type StoredTrainingEvent,
} from '../domain/training.decider';

const asEvent = (e: StoredEvent) => ({ type: e.type, data: e.data, occurredAt: e.occurredAt, eventId: e.eventId }) as unknown as StoredTrainingEvent;

/** The modules of a household's approved plan (its livelihood stream, written by assessment). */
type PlanModules = TrainingModule[] | undefined;

/**
 * Reads for training decisions, from the ledger: each stream is kept folded and caught up before
 * every read, so a decision costs the events appended since the last one, not the whole stream.
 */
@Injectable()
export class TrainingReads {
  private readonly households: HouseholdStatusReader;
  private readonly sessions: StreamStateCache<Session>;
  private readonly participations: StreamStateCache<Participation>;
  private readonly plans: StreamStateCache<PlanModules>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.households = new HouseholdStatusReader(store);
    this.sessions = new StreamStateCache(store, { initialState: initialSession, evolve: (s, e) => evolveSession(s, asEvent(e)) });
    this.participations = new StreamStateCache(store, { initialState: initialParticipation, evolve: (s, e) => evolveParticipation(s, asEvent(e)) });
    this.plans = new StreamStateCache<PlanModules>(store, {
      initialState: () => undefined,
      // The first approved plan counts (a household has one plan).
      evolve: (modules, e) => (modules === undefined && e.type === 'LivelihoodPlanApproved' ? (e.data as { trainingModules: TrainingModule[] }).trainingModules : modules),
    });
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
    return (await this.plans.aggregateStream(livelihoodStreamId(householdId))).state;
  }
}
