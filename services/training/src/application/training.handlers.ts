import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  CoachingVisitRecorded,
  SavingsNudgeSent,
  TrainingAttended,
  TrainingSessionHeld,
  participationStreamId,
  type TrainingEvent,
  sessionStreamId,
} from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import {
  CLOCK,
  DIGEST_KEY,
  EVENT_STORE,
  FollowUpRecovery,
  LEDGER_FEEDS,
  SubmissionProcessor,
  decisionFrom,
  recordedAs,
  apiError,
  type Clock,
  type Decision,
  type ValidSubmission,
} from '@peil/platform';
import type { LedgerFeeds } from '@peil/projections';
import { decideAttendance, decideCoachingVisit, decideNudge, decideSession } from '../domain/training.decider';
import { SessionExpenditures } from './session-expenditures';
import { RECOVERY_INTERVAL_MS } from './tokens';
import { TrainingReads } from './training-reads';

const HELD = new Set(['TrainingSessionHeld']);

@Injectable()
export class TrainingSubmissions implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly processor: SubmissionProcessor;
  readonly recovery: FollowUpRecovery;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    @Inject(RECOVERY_INTERVAL_MS) intervalMs: number,
    private readonly reads: TrainingReads,
    private readonly expenditures: SessionExpenditures,
    @Inject(LEDGER_FEEDS) feeds: LedgerFeeds,
  ) {
    this.processor = new SubmissionProcessor(
      store,
      {
        TrainingSessionHeld: {
          schema: TrainingSessionHeld,
          decide: (s) => this.session(s),
          afterAppend: (s) => this.expenditures.record(s.eventId, s.data, s.occurredAt),
        },
        TrainingAttended: { schema: TrainingAttended, decide: (s) => this.attendance(s) },
        CoachingVisitRecorded: { schema: CoachingVisitRecorded, decide: (s) => this.coaching(s) },
        SavingsNudgeSent: { schema: SavingsNudgeSent, decide: (s) => this.nudge(s) },
      },
      digestKey,
      clock,
    );
    this.recovery = new FollowUpRecovery(store, clock, {
      name: 'session expenditure',
      needsFollowUp: (e) => e.type === 'TrainingSessionHeld' && (e.data as { costMinor?: number }).costMinor !== undefined,
      completes: (e) => (e.type === 'ExpenditureRecorded' ? (e.data as { relatedEventId?: string }).relatedEventId : undefined),
      resume: async (e) => {
        const session = recordedAs<TrainingEvent>(e, HELD);
        if (session?.type === 'TrainingSessionHeld') await this.expenditures.record(session.eventId, session.data, session.occurredAt);
      },
    }, intervalMs, feeds);
  }

  onApplicationBootstrap(): void {
    this.recovery.start();
  }

  onApplicationShutdown(): void {
    this.recovery.stop();
  }

  private async session(s: ValidSubmission<TrainingSessionHeld>): Promise<Decision> {
    const { session, expectedRevision } = await this.reads.session(s.data.sessionId);
    const outcome = decideSession(s.data, session);
    if (outcome.ok) {
      const shortfall = await this.expenditures.shortfall(s.data);
      if (shortfall) return { kind: 'reject', error: apiError('insufficient_funds', shortfall) };
    }
    return decisionFrom(outcome, s, sessionStreamId(s.data.sessionId), expectedRevision);
  }

  private async attendance(s: ValidSubmission<TrainingAttended>): Promise<Decision> {
    const [{ session }, household, { participation, expectedRevision }, planModules] = await Promise.all([
      this.reads.session(s.data.sessionId),
      this.reads.household(s.data.householdId),
      this.reads.participation(s.data.householdId),
      this.reads.planModules(s.data.householdId),
    ]);
    return decisionFrom(decideAttendance(s.data, { session, household, participation, planModules }), s, participationStreamId(s.data.householdId), expectedRevision);
  }

  private async coaching(s: ValidSubmission<CoachingVisitRecorded>): Promise<Decision> {
    const [household, { participation, expectedRevision }] = await Promise.all([this.reads.household(s.data.householdId), this.reads.participation(s.data.householdId)]);
    return decisionFrom(decideCoachingVisit(s.data, { household, participation }), s, participationStreamId(s.data.householdId), expectedRevision);
  }

  private async nudge(s: ValidSubmission<SavingsNudgeSent>): Promise<Decision> {
    const [household, { participation, expectedRevision }] = await Promise.all([this.reads.household(s.data.householdId), this.reads.participation(s.data.householdId)]);
    return decisionFrom(decideNudge(s.data, { household, participation }), s, participationStreamId(s.data.householdId), expectedRevision);
  }
}
