import type { EventContext } from '@peil/messaging';
import type { CallerRole, Role } from '../auth/roles';
import type { ApiError } from '../http/error-body';
import type { SubmissionProcessor } from '../submissions/submission-processor';
import { authorise, parseSubmissionMessage, type Answer } from './submission-message';

/**
 * One Kafka message in, one answer per event out: the same SubmissionProcessor as
 * `POST /v1/<context>/events`, so the same rules and the same idempotency (a redelivered message
 * is answered `duplicate`, never recorded twice). Never throws for what the producer sent;
 * it throws only when the ledger itself fails, so that the message is redelivered.
 */
export class SubmissionIntake {
  constructor(
    private readonly context: EventContext,
    private readonly writers: readonly CallerRole[],
    private readonly principals: ReadonlyMap<string, Role>,
    private readonly processor: SubmissionProcessor,
    /** Why writes are refused right now (an integrity fault), or undefined: checked per message. */
    private readonly refusal: () => ApiError | undefined = () => undefined,
  ) {}

  /** `value` null is a tombstone (or a producer that sent nothing): malformed, like an empty value. */
  async take(value: Buffer | null, claimedPrincipal: unknown): Promise<Answer[]> {
    const input = value ?? Buffer.alloc(0);
    const parsed = parseSubmissionMessage(input);
    if (!parsed.ok) return [{ result: { eventId: null, status: 'rejected', error: parsed.error }, deadLetter: input }];
    const auth = authorise(claimedPrincipal, this.principals, this.writers, this.context);
    // Nothing of a refused message is written; each event it names still gets its answer.
    if (!auth.ok) return refusedAll(parsed.events, auth.error, input);
    // Answered, not redelivered: a partition held until the ledger is repaired would stall every producer behind it.
    const refused = this.refusal();
    if (refused) return refusedAll(parsed.events, refused, input);

    const results = await this.processor.processBatch(parsed.events, auth.principal);
    return results.map((result, i) => {
      if (result.status !== 'rejected') return { result };
      return { result, deadLetter: parsed.batch ? Buffer.from(JSON.stringify(parsed.events[i])) : input };
    });
  }
}

function refusedAll(events: readonly unknown[], error: ApiError, value: Buffer): Answer[] {
  // The whole message goes to the DLQ once, as produced; the results name each event.
  return events.map((event, i) => ({
    result: { eventId: eventIdOf(event), status: 'rejected', error },
    ...(i === 0 ? { deadLetter: value } : {}),
  }));
}

function eventIdOf(event: unknown): string | null {
  const id = typeof event === 'object' && event !== null ? (event as { eventId?: unknown }).eventId : undefined;
  return typeof id === 'string' ? id : null;
}

