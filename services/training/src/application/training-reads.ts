import { Inject, Injectable } from '@nestjs/common';
import { livelihoodStreamId, participationStreamId, sessionStreamId, type TrainingModule } from '@peil/contracts';
import type { EventStore, ExpectedRevision, StoredEvent } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform';
import { readHouseholdStatus, type HouseholdStatus } from '../../../enrolment/src';
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
const revisionOf = (events: StoredEvent[]): ExpectedRevision => (events.length ? events[events.length - 1]!.revision : 'no_stream');

/** Reads for training decisions, fresh from the ledger. */
@Injectable()
export class TrainingReads {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  household(householdId: string): Promise<HouseholdStatus> {
    return readHouseholdStatus(this.store, householdId);
  }

  async session(sessionId: string): Promise<{ session: Session; expectedRevision: ExpectedRevision }> {
    const events = await this.store.readStream(sessionStreamId(sessionId));
    return { session: events.map(asEvent).reduce(evolveSession, initialSession()), expectedRevision: revisionOf(events) };
  }

  async participation(householdId: string): Promise<{ participation: Participation; expectedRevision: ExpectedRevision }> {
    const events = await this.store.readStream(participationStreamId(householdId));
    return { participation: events.map(asEvent).reduce(evolveParticipation, initialParticipation()), expectedRevision: revisionOf(events) };
  }

  /** The modules of the household's approved plan, or undefined without a plan. */
  async planModules(householdId: string): Promise<TrainingModule[] | undefined> {
    const events = await this.store.readStream(livelihoodStreamId(householdId));
    const plan = events.find((e) => e.type === 'LivelihoodPlanApproved');
    return plan ? ((plan.data as { trainingModules: TrainingModule[] }).trainingModules) : undefined;
  }
}
