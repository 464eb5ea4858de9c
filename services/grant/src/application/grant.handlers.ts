import { Inject, Injectable } from '@nestjs/common';
import {
  BudgetReallocated,
  CommitmentReleased,
  ExpenditureRecordedShape,
  ExpenditureReversed,
  CashForecastRecorded,
  FundsCommitted,
  FundsReceivedShape,
  GRANT_CATEGORY,
  GRANT_SCHEMA_VERSION,
  GrantAgreementSigned,
  WorkPlanBudgetApproved,
  grantStreamId,
  type GrantEventType,
} from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import {
  CLOCK,
  DIGEST_KEY,
  EVENT_STORE,
  SubmissionProcessor,
  apiError,
  derivedEventId,
  storedData,
  type Clock,
  type Decision,
  type SubmissionHandler,
  type ValidSubmission,
} from '@peil/platform';
import type { z } from 'zod';
import { decide, initialState, type GrantCommand } from '../domain/grant.decider';
import { grantOf } from '../domain/grant-directory';
import { GrantRegistry } from './grant-registry';
import { GrantRepository } from './grant.repository';

/** Submissions that create an id unique across grants: only these need the category-wide condition. */
const CREATES_PROGRAMME_WIDE_ID: ReadonlySet<GrantEventType> = new Set(['GrantAgreementSigned', 'FundsCommitted', 'ExpenditureRecorded']);

/**
 * directory → route to the grant → load the grant's stream → decide → append with the stream's
 * expected revision. One stream per grant holds all its lines, so optimistic concurrency on it alone
 * keeps committed + spent ≤ allocation on every line (a reallocation touches two lines atomically),
 * on any event store. Uniqueness of line codes and ids across grants adds a condition on the category.
 */
@Injectable()
export class GrantSubmissions {
  readonly processor: SubmissionProcessor;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    private readonly registry: GrantRegistry,
    private readonly grants: GrantRepository,
  ) {
    const handler = <T>(schema: z.ZodType<T>): SubmissionHandler<T> => ({
      schema,
      decide: (submission) => this.decide(submission),
    });
    this.processor = new SubmissionProcessor(store, {
      GrantAgreementSigned: handler(GrantAgreementSigned),
      BudgetReallocated: handler(BudgetReallocated),
      FundsCommitted: handler(FundsCommitted),
      CommitmentReleased: handler(CommitmentReleased),
      // Structure only: the money rules (fx_rate_required…) are decided, so they answer with their own codes.
      ExpenditureRecorded: handler(ExpenditureRecordedShape),
      ExpenditureReversed: handler(ExpenditureReversed),
      FundsReceived: handler(FundsReceivedShape),
      WorkPlanBudgetApproved: handler(WorkPlanBudgetApproved),
      CashForecastRecorded: handler(CashForecastRecorded),
      // Version 2: agreements are recorded with their disbursement categories (see grant.upcasters.ts).
    }, digestKey, clock, { schemaVersion: GRANT_SCHEMA_VERSION });
  }

  private async decide(submission: ValidSubmission<unknown>): Promise<Decision> {
    const command = { type: submission.type, data: submission.data, occurredAt: submission.occurredAt } as GrantCommand;
    // Directory first: its lastPositionSeen must not be newer than the grant we decide on.
    const { directory, lastPositionSeen } = await this.registry.current();
    const grantId = grantOf(directory, command);
    const { grant, expectedRevision } = grantId === undefined
      ? { grant: initialState(), expectedRevision: 'no_stream' as const }
      : await this.grants.load(grantId);
    const outcome = decide(command, { grant, directory });
    if (!outcome.ok) return { kind: 'reject', error: apiError(outcome.rejection.code, outcome.rejection.message, outcome.rejection.path) };
    if (grantId === undefined) throw new Error(`${command.type} was accepted without a grant to record it in`);
    return {
      kind: 'append',
      streamId: grantStreamId(grantId),
      expectedRevision,
      ...(CREATES_PROGRAMME_WIDE_ID.has(command.type) ? { condition: { category: GRANT_CATEGORY, lastPositionSeen } } : {}),
      events: outcome.events.map((event) => ({
        // The submission keeps its eventId; an event the decision adds (a commitment drawn down by an
        // expenditure) gets one derived from it, so a resubmission can never record it twice.
        eventId: event.type === submission.type ? submission.eventId : derivedEventId(submission.eventId, event.type),
        type: event.type,
        occurredAt: submission.occurredAt,
        data: storedData(event.data),
      })),
    };
  }
}
