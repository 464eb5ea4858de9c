import type { Outcome } from '@peil/contracts';
import type { ExpectedRevision, JsonValue } from '@peil/ledger';
import { apiError } from '../http/error-body';
import type { Decision, ValidSubmission } from './submission-processor';

/**
 * A decided event's data as the ledger stores it. Sound for events whose schema is plain JSON
 * (every context's zod schema is: strings, numbers, booleans, arrays and objects).
 */
export const storedData = (data: object): { [key: string]: JsonValue } => data as { [key: string]: JsonValue };

/**
 * A decider's outcome as the SubmissionProcessor's decision: the submitted event (same eventId and
 * occurredAt) appended to `streamId` at `expectedRevision`, or the rejection as an API error.
 */
export function decisionFrom(
  outcome: Outcome<{ type: string; data: object }>,
  submission: ValidSubmission<unknown>,
  streamId: string,
  expectedRevision: ExpectedRevision,
): Decision {
  if (!outcome.ok) return { kind: 'reject', error: apiError(outcome.rejection.code, outcome.rejection.message, outcome.rejection.path) };
  return {
    kind: 'append',
    streamId,
    expectedRevision,
    events: outcome.events.map((e) => ({ eventId: submission.eventId, type: e.type, occurredAt: submission.occurredAt, data: storedData(e.data) })),
  };
}
