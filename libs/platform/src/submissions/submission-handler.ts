import type { AppendCondition, ExpectedRevision, JsonValue } from '@peil/ledger';
import type { z } from 'zod';
import type { CallerRole } from '../auth/roles';
import type { Principal } from '../auth/roles.guard';
import type { ApiError } from '../http/error-body';
import type { SubmissionResult } from './submission.schema';

/** A submission whose envelope and data passed their schemas. */
export interface ValidSubmission<T> {
  eventId: string;
  type: string;
  occurredAt: string;
  data: T;
  source: string;
  actor: string;
}

export interface DecisionMeta {
  principal: Principal;
  /** When the ledger records the event; deciders get it as a value so they stay pure. */
  now: Date;
}

/** What a handler decided: the events to append to one stream, or why not. */
export type Decision<Hold = never> =
  | {
      kind: 'append';
      streamId: string;
      expectedRevision: ExpectedRevision;
      condition?: AppendCondition;
      /** Event data as stored: personal fields already encrypted. Usually one event: the submission itself. */
      events: Array<{ eventId: string; type: string; occurredAt: string; data: { [key: string]: JsonValue } }>;
      /** What the handler's reserve step must hold in another context before these events are appended. */
      hold?: Hold;
    }
  | { kind: 'reject'; error: ApiError };

/**
 * A hold in another context that the decided events depend on (e.g. the funds a plan commits),
 * taken after a pure decision and before the append — deciding itself never writes.
 * Both steps must be idempotent (eventIds derived from the submission's): a re-decision after a
 * concurrency conflict reserves again and finds the same hold; a crash between reserve and append
 * leaves a hold whose event never arrives, which the context's process manager releases.
 */
export interface ReserveStep<T, Hold> {
  /** Takes the hold; an error refuses the submission: nothing is appended, and release gives back what an earlier attempt held. */
  reserve(submission: ValidSubmission<T>, hold: Hold): Promise<ApiError | undefined>;
  /**
   * Compensation: gives back what an earlier attempt (of this process, or of one that crashed)
   * holds for this submission, once it is rejected or given up. A no-op when nothing is held.
   */
  release(submission: ValidSubmission<T>): Promise<void>;
}

export interface SubmissionHandler<T = unknown, Hold = never> {
  readonly schema: z.ZodType<T>;
  /**
   * Roles that may submit this type, when narrower than the route's (e.g. an erasure on a route
   * field staff write to). Checked for every channel (HTTP and Kafka) before anything is read.
   */
  readonly roles?: readonly CallerRole[];
  /** Loads what it needs (fresh from the ledger), decides, never writes. Called again after a concurrency conflict. */
  decide(submission: ValidSubmission<T>, meta: DecisionMeta): Promise<Decision<Hold>>;
  /**
   * Its decision asks another service over HTTP (a grant's funding, a budget line). With group
   * commit such an event is decided and appended outside any unit of work: inside one this process
   * would hold the ledger's write lock while waiting for a service that may itself be waiting for
   * that lock (the grant writing an expenditure) — both stall until SQLite's busy timeout. A handler
   * with a `reserve` step is taken to ask without saying so: the step calls the other context.
   */
  readonly asksOtherServices?: boolean;
  /** Run between an accepted decision that carries a `hold` and its append; its release on a later rejection. */
  readonly reserve?: ReserveStep<T, Hold>;
  /**
   * The next step of a cross-context flow, run once the event is in the ledger — and again when the
   * same event is resubmitted (answered `duplicate`), so a flow cut short by a crash resumes.
   * Must be idempotent (derived eventIds). A failure here does not undo the recorded event; the
   * context's process manager retries it.
   */
  afterAppend?(submission: ValidSubmission<T>, recorded: SubmissionResult): Promise<void>;
}

export type HandlerMap = Record<string, SubmissionHandler<any, any>>;
