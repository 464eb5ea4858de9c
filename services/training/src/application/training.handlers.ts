import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  CoachingVisitRecorded,
  SavingsNudgeSent,
  TRAINING_EVENT_SCHEMAS,
  TrainingAttended,
  TrainingSessionHeld,
  participationStreamId,
  sessionStreamId,
  toUsdMinor,
  type TrainingEvent,
} from '@peil/contracts';
import type { EventStore, ExpectedRevision } from '@peil/ledger';
import { CLOCK, type Clock } from '@peil/platform/clock';
import { FollowUpRecovery } from '@peil/platform/flows';
import { DIGEST_KEY, EVENT_STORE, LEDGER_FEEDS } from '@peil/platform/nest';
import { DeciderRuntime, recordedAs } from '@peil/platform/streams';
import { SubmissionProcessor } from '@peil/platform/submissions';
import type { LedgerFeeds } from '@peil/projections';
import {
  participationDecider,
  sessionDecider,
  type Participation,
  type ParticipationCommand,
  type ParticipationContext,
  type Session,
  type SessionContext,
} from '../domain/training.decider';
import { SessionExpenditures } from './session-expenditures';
import { RECOVERY_INTERVAL_MS } from './tokens';
import { TrainingReads } from './training-reads';

const HELD = new Set(['TrainingSessionHeld']);
type ParticipationData = ParticipationCommand['data'];

/**
 * Training's two stream kinds through the decider runtime: sessions (with the grant's budget line
 * read before a costed session is decided) and each household's participation (with the household's
 * status, and for attendance the session and the plan's modules). A costed session's expenditure
 * follows it as the flow's next step, resumed by the follow-up recovery.
 */
@Injectable()
export class TrainingSubmissions implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly processor: SubmissionProcessor;
  readonly recovery: FollowUpRecovery;
  private readonly sessions: DeciderRuntime<Session, TrainingSessionHeld, TrainingEvent, SessionContext>;
  private readonly participations: DeciderRuntime<Participation, ParticipationData, TrainingEvent, ParticipationContext>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    @Inject(RECOVERY_INTERVAL_MS) intervalMs: number,
    reads: TrainingReads,
    expenditures: SessionExpenditures,
    @Inject(LEDGER_FEEDS) feeds: LedgerFeeds,
  ) {
    this.sessions = new DeciderRuntime<Session, TrainingSessionHeld, TrainingEvent, SessionContext>(store, {
      streamId: (s) => sessionStreamId(s.sessionId),
      decider: sessionDecider(toUsdMinor),
      events: TRAINING_EVENT_SCHEMAS,
      inputs: async (s) => ({ budgetLine: await expenditures.budgetLine(s) }),
    });
    this.participations = new DeciderRuntime<Participation, ParticipationData, TrainingEvent, ParticipationContext>(store, {
      streamId: (data) => participationStreamId(data.householdId),
      decider: participationDecider,
      events: TRAINING_EVENT_SCHEMAS,
      inputs: async (data) => {
        if (!('sessionId' in data)) return { household: await reads.household(data.householdId) };
        const [{ state: session }, household, planModules] = await Promise.all([
          this.sessions.aggregate(sessionStreamId(data.sessionId)),
          reads.household(data.householdId),
          reads.planModules(data.householdId),
        ]);
        return { household, attendance: { session, planModules } };
      },
    });
    this.processor = new SubmissionProcessor(
      store,
      {
        TrainingSessionHeld: {
          ...this.sessions.handler(TrainingSessionHeld),
          // A costed session's inputs ask the grant service for its budget line.
          asksOtherServices: true,
          afterAppend: (s) => expenditures.record(s.eventId, s.data, s.occurredAt),
        },
        TrainingAttended: this.participations.handler(TrainingAttended),
        CoachingVisitRecorded: this.participations.handler(CoachingVisitRecorded),
        SavingsNudgeSent: this.participations.handler(SavingsNudgeSent),
      },
      digestKey,
      clock,
     {
        groupCommit: true,
      },
    );
    this.recovery = new FollowUpRecovery(store, clock, {
      name: 'session expenditure',
      needsFollowUp: (e) => e.type === 'TrainingSessionHeld' && (e.data as { costMinor?: number }).costMinor !== undefined,
      completes: (e) => (e.type === 'ExpenditureRecorded' ? (e.data as { relatedEventId?: string }).relatedEventId : undefined),
      resume: async (e) => {
        const session = recordedAs<TrainingEvent>(e, HELD);
        if (session?.type === 'TrainingSessionHeld') await expenditures.record(session.eventId, session.data, session.occurredAt);
      },
    }, intervalMs, feeds);
  }

  onApplicationBootstrap(): void {
    this.recovery.start();
  }

  onApplicationShutdown(): void {
    this.recovery.stop();
  }

  /** A household's participation stream folded up to its newest event, and the revision its next append expects. */
  async participation(householdId: string): Promise<{ participation: Participation; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.participations.aggregate(participationStreamId(householdId));
    return { participation: state, expectedRevision };
  }
}
