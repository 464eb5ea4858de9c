import { HttpException } from '@nestjs/common';
import type { EventContext } from '@peil/messaging';
import type { CallerRole, Role } from '../auth/roles';
import type { Principal } from '../auth/roles.guard';
import { apiError, type ApiError } from '../http/error-body';
import { DEFAULT_MAX_JSON_DEPTH, parseJsonBytes } from '../http/json-body';
import { parseBatch } from '../submissions/parse-batch';
import type { SubmissionResult } from '../submissions/submission.schema';

/** NGO systems produce to one topic per context; every answer goes to one results topic. */
export const submissionsTopic = (context: EventContext): string => `peil.${context}.submissions`;
export const deadLetterTopic = (context: EventContext): string => `${submissionsTopic(context)}.dlq`;
export const SUBMISSION_RESULTS_TOPIC = 'peil.submission-results';

/** `batch`: the value was `{ events: [...] }`, so a rejected event's dead letter is that event alone. */
export type ParsedMessage = { ok: true; events: unknown[]; batch: boolean } | { ok: false; error: ApiError };

/**
 * A message's value is one event envelope as in the HTTP API, or the HTTP body `{ "events": [...] }`
 * under the same limits. What is not even that is `malformed_message`; the events themselves are
 * validated later, one by one, by the context's SubmissionProcessor.
 */
export function parseSubmissionMessage(value: Buffer, maxDepth = DEFAULT_MAX_JSON_DEPTH): ParsedMessage {
  if (value.length === 0) return malformed('the message has no value');
  // The same decoding as an HTTP body: strict UTF-8, nesting bounded before JSON.parse.
  const parsed = parseJsonBytes(value, maxDepth);
  if (!parsed.ok) return parsed.error.code === 'malformed_json' ? malformed('the value is not JSON') : { ok: false, error: parsed.error };
  const body = parsed.value;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return malformed('the value must be a JSON object: one event, or { "events": [ ... ] }');
  }
  if (!Object.hasOwn(body, 'events')) return { ok: true, events: [body], batch: false };
  try {
    return { ok: true, events: parseBatch(body), batch: true };
  } catch (err) {
    // parseBatch answers HTTP; its error body is the same ApiError either way.
    const error = err instanceof HttpException ? (err.getResponse() as { error?: ApiError }).error : undefined;
    if (!error) throw err;
    return { ok: false, error };
  }
}

function malformed(message: string): ParsedMessage {
  return { ok: false, error: apiError('malformed_message', message) };
}

export type Authorisation = { ok: true; principal: Principal } | { ok: false; error: ApiError };

/** The producing principal, by its header, mapped to a role that must be one allowed to write the context over HTTP. */
export function authorise(
  claimed: unknown,
  principals: ReadonlyMap<string, Role>,
  writers: readonly CallerRole[],
  context: EventContext,
): Authorisation {
  if (typeof claimed !== 'string' || claimed === '') {
    return { ok: false, error: apiError('unauthenticated', 'the message must name its producing principal in the "principal" header') };
  }
  const role = principals.get(claimed);
  if (!role) return { ok: false, error: apiError('unauthenticated', `principal ${claimed} is not known here`) };
  if (!writers.includes(role)) {
    return { ok: false, error: apiError('forbidden', `principal ${claimed} (role ${role}) may not submit ${context} events`) };
  }
  // Named apart from HTTP callers (`<role>:<keyId>`): events default their source and actor to it.
  return { ok: true, principal: { role, name: `kafka:${claimed}`, requestId: '', recordAs: { keyId: claimed, role, via: 'kafka' } } };
}

/** Where a message was read: kept on its dead letter, so an operator can find the original. */
export interface MessageOrigin {
  topic: string;
  partition: number;
  offset: string;
  principal: string | undefined;
}

export interface OutgoingRecord {
  topic: string;
  key: string | null;
  value: Buffer | string;
  headers: Record<string, string>;
}

/** One answer per event; a rejected one also carries what to put on the dead-letter topic. */
export interface Answer {
  result: SubmissionResult;
  /** The rejected input: the whole message value, or the one event of a batch. */
  deadLetter?: Buffer;
}

/**
 * The records one message produces: every result on `peil.submission-results`, keyed by eventId
 * (null when there is none, as for a malformed message); every rejection also on the context's DLQ,
 * with the input unchanged as value and the error in headers, so it can be corrected and produced again.
 */
export function recordsFor(context: EventContext, origin: MessageOrigin, answers: readonly Answer[]): OutgoingRecord[] {
  const records: OutgoingRecord[] = answers.map(({ result }) => ({
    topic: SUBMISSION_RESULTS_TOPIC,
    key: result.eventId,
    value: JSON.stringify(result),
    headers: { context, status: result.status },
  }));
  for (const { result, deadLetter } of answers) {
    if (result.status !== 'rejected' || !deadLetter) continue;
    const headers: Record<string, string> = {
      context,
      errorCode: result.error?.code ?? 'unknown',
      error: JSON.stringify(result.error ?? null),
      origin: `${origin.topic}/${origin.partition}/${origin.offset}`,
    };
    if (result.eventId) headers.eventId = result.eventId;
    if (origin.principal) headers.principal = origin.principal;
    records.push({ topic: deadLetterTopic(context), key: result.eventId, value: deadLetter, headers });
  }
  return records;
}
