import { Logger } from '@nestjs/common';
import { firstTextIssue } from '@peil/contracts';
import { ConcurrencyError, EventIdConflictError, type EventStore, type JsonValue, type NewEvent } from '@peil/ledger';
import { actingFor } from '../auth/acting-principal';
import type { Principal } from '../auth/roles.guard';
import type { Clock } from '../clock/clock';
import { contentDigest } from '../privacy/content-digest';
import { apiError, type ApiError } from '../http/error-body';
import { DEFAULT_MAX_JSON_DEPTH, truncated } from '../http/json-body';
import type { HandlerMap, SubmissionHandler, ValidSubmission } from './submission-handler';
import { firstIssue, submittedEventSchema, type SubmissionResult, type SubmittedEvent } from './submission.schema';
import { type BatchCursor, type Recorded, SharedUnits } from './shared-units';

export type { Decision, DecisionMeta, HandlerMap, ReserveStep, SubmissionHandler, ValidSubmission } from './submission-handler';
export { GROUP_COMMIT_MAX_EVENTS, GROUP_COMMIT_MAX_MS } from './shared-units';

const MAX_ATTEMPTS = 25;

/** Runs work as one unit whose writes commit when it resolves (e.g. HouseholdKeyStore.unitOfWork). */
export type UnitOfWork = <T>(work: () => Promise<T>) => Promise<T>;

export interface SubmissionProcessorOptions {
  schemaVersion?: number;
  /**
   * Group commit: one fsync per group of events, not per event (decisions 0087, 0100). A unit holds
   * the ledger's write lock across its awaits, so an event whose decision asks another service must
   * be declared `asksOtherServices` on its handler, or have a reserve step: it is decided outside
   * the units (a call from inside one fails at once). A rolled-back unit needs no reset of folds kept by StreamStateCache or
   * LedgerView: they re-check the hash of the last event they folded. Ignored on a store whose units
   * are not atomic (`capabilities.atomicUnits`): each event is then its own append.
   */
  groupCommit?: boolean;
  /**
   * Units opened inside the ledger's unit of work and committed before it, for side stores whose
   * writes the events depend on: new data keys must be durable before the events encrypted under them.
   */
  innerUnits?: readonly UnitOfWork[];
  /**
   * Called when a unit of work rolled back whole (its work or its commit failed). Decisions inside it
   * read its uncommitted events: in-memory views caught up from those reads must be dropped, since
   * the positions they saw will be given to other events.
   */
  onUnitAborted?: () => void;
}

/**
 * The per-event pipeline shared by every context: validate → idempotency → decide → reserve (if any) → append,
 * re-deciding on fresh state when another writer got there first (never overwriting).
 */
export class SubmissionProcessor {
  private readonly logger = new Logger('submissions');
  /** Looked up by the client's `type`: a Map, so "constructor" or "__proto__" find nothing rather than Object.prototype's members. */
  private readonly handlers: ReadonlyMap<string, SubmissionHandler<any, any>>;
  /** Units of work shared by the batches of every request this processor serves (group commit). */
  private readonly units = new SharedUnits({
    record: (raw, principal) => this.record(raw, principal),
    mayJoinUnit: (raw) => !this.asksOtherServices(raw),
    inUnit: (work) => this.inUnit(work),
  });

  constructor(
    private readonly store: EventStore,
    handlers: HandlerMap,
    private readonly digestKey: Buffer,
    private readonly clock: Clock,
    private readonly options: SubmissionProcessorOptions = {},
  ) {
    this.handlers = new Map(Object.entries(handlers));
  }

  private get schemaVersion(): number {
    return this.options.schemaVersion ?? 1;
  }

  get types(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * In order, one at a time: a later event of the batch may depend on an earlier one. With
   * `groupCommit`, events are grouped into units of work (one fsync per unit, not per event), shared
   * with the batches of concurrent requests (SharedUnits), and results are returned only after their
   * unit committed. A unit ends after an event with a
   * follow-up, which runs after the commit and before the next event: follow-ups call other
   * services that write to the ledger, and a later event may depend on them.
   *
   * An unexpected failure (a bug, a store error) stops the batch. If nothing of it was recorded yet
   * it propagates (500, nothing written); once events are in the ledger it cannot: the caller must
   * learn which ones, so every event gets its result and those not committed answer `not_recorded`.
   */
  async processBatch(events: readonly unknown[], principal: Principal): Promise<SubmissionResult[]> {
    // Follow-ups and calls to other contexts made for this batch record its submitter (0029).
    return actingFor(principal.recordAs, () => this.processInOrder(events, principal));
  }

  private async processInOrder(events: readonly unknown[], principal: Principal): Promise<SubmissionResult[]> {
    // Only results of committed work: a unit's results are added once the unit has committed.
    const results: SubmissionResult[] = [];
    try {
      await this.processInto(results, events, principal);
      return results;
    } catch (err) {
      if (!results.some((r) => r.status !== 'rejected')) throw err;
      this.logger.error(`batch stopped at event ${results.length} of ${events.length}, the rest not recorded: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return [...results, ...events.slice(results.length).map(notRecorded)];
    }
  }

  private async processInto(results: SubmissionResult[], events: readonly unknown[], principal: Principal): Promise<void> {
    // A unit that cannot undo its appends (EventStoreDB) would answer recorded events not_recorded.
    if (!this.options.groupCommit || !this.store.capabilities.atomicUnits) {
      // One event, one commit: each append is durable on its own.
      for (const raw of events) await this.recordAlone(raw, principal, results);
      return;
    }
    const cursor: BatchCursor = { events, next: 0, principal };
    while (cursor.next < events.length) {
      if (this.asksOtherServices(events[cursor.next])) {
        await this.recordAlone(events[cursor.next++], principal, results);
        continue;
      }
      // Recorded in a unit shared with the other requests' batches; results only once it committed.
      const share = await this.units.take(cursor);
      results.push(...share.results);
      if (share.followUp) await share.followUp();
    }
  }

  /** One event outside any unit: its append commits alone; its result counts as recorded before its follow-up runs. */
  private async recordAlone(raw: unknown, principal: Principal, results: SubmissionResult[]): Promise<void> {
    const { result, followUp } = await this.record(raw, principal);
    results.push(result);
    if (followUp) await followUp();
  }

  /**
   * Whether this submitted event's handler asks another service before its append (decided outside
   * units): declared so, or by having a reserve step, which always holds something in another context.
   */
  private asksOtherServices(raw: unknown): boolean {
    const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    const handler = typeof type === 'string' ? this.handlers.get(type) : undefined;
    return handler !== undefined && (handler.asksOtherServices === true || handler.reserve !== undefined);
  }

  async processOne(raw: unknown, principal: Principal): Promise<SubmissionResult> {
    const [result] = await this.processBatch([raw], principal);
    return result!;
  }

  /** The ledger's unit of work around the inner ones: inner units commit first, the ledger last. */
  private inUnit<T>(work: () => Promise<T>): Promise<T> {
    // The store marks its inside as holding the write lock: a call to another service from there fails at once (holdsWriteLock).
    const wrapped = (this.options.innerUnits ?? []).reduceRight<() => Promise<T>>((inner, unit) => () => unit(inner), work);
    return this.store.unitOfWork(wrapped).catch((err: unknown) => {
      this.options.onUnitAborted?.();
      throw err;
    });
  }

  /** One event up to its append (inside the unit); the follow-up, if any, to run once the unit committed. */
  private async record(raw: unknown, principal: Principal): Promise<Recorded> {
    const rawId = echoedEventId(raw);
    // Before any schema: every string of the event, wherever it sits, and its depth (see text.ts).
    const textIssue = firstTextIssue(raw, '', DEFAULT_MAX_JSON_DEPTH);
    if (textIssue) return { result: rejected(rawId, apiError(textIssue.code, textIssue.message, textIssue.path)) };
    const envelope = submittedEventSchema.safeParse(raw);
    if (!envelope.success) return { result: rejected(rawId, firstIssue('', envelope.error, raw)) };
    const submitted = envelope.data;
    const handler = this.handlers.get(submitted.type);
    if (!handler) {
      return { result: rejected(submitted.eventId, apiError('unknown_event_type', `type ${submitted.type} is not accepted here; expected one of ${this.types.join(', ')}`, 'type')) };
    }
    if (handler.roles && !handler.roles.includes(principal.role)) {
      return { result: rejected(submitted.eventId, apiError('forbidden', `role ${principal.role} may not submit ${submitted.type}; allowed: ${handler.roles.join(', ')}`, 'type')) };
    }
    const data = handler.schema.safeParse(submitted.data);
    if (!data.success) return { result: rejected(submitted.eventId, firstIssue('data', data.error, submitted.data)) };

    const digest = contentDigest(this.digestKey, { type: submitted.type, occurredAt: submitted.occurredAt, data: submitted.data as JsonValue });
    const submission: ValidSubmission<unknown> = {
      eventId: submitted.eventId,
      type: submitted.type,
      occurredAt: submitted.occurredAt,
      data: data.data,
      source: submitted.source ?? principal.name,
      actor: submitted.actor ?? principal.name,
    };
    const known = await this.store.findByEventId(submitted.eventId);
    const result: SubmissionResult = known
      ? known.contentDigest !== digest
        ? conflict(submitted.eventId, known.position)
        : { eventId: known.eventId, status: 'duplicate', position: known.position, streamId: known.streamId, revision: known.revision, hash: known.hash }
      : await this.decideAndAppend(handler, submission, digest, principal, submitted);
    const afterAppend = handler.afterAppend;
    if (result.status === 'rejected' || !afterAppend) return { result };
    const followUp = async () => {
      try {
        await afterAppend(submission, result);
      } catch (err) {
        this.logger.warn(`follow-up of ${submission.type} ${submission.eventId} failed, left to recovery: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    return { result, followUp };
  }

  private async decideAndAppend(
    handler: SubmissionHandler<unknown, unknown>,
    submission: ValidSubmission<unknown>,
    digest: string,
    principal: Principal,
    submitted: SubmittedEvent,
  ): Promise<SubmissionResult> {
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.now();
      const decision = await handler.decide(submission, { principal, now });
      if (decision.kind === 'reject') {
        await handler.reserve?.release(submission);
        return rejected(submission.eventId, decision.error);
      }
      if (handler.reserve && decision.hold !== undefined) {
        const refused = await handler.reserve.reserve(submission, decision.hold);
        if (refused) {
          // Refused after a conflict (e.g. held before with another amount): what an earlier attempt held goes back.
          await handler.reserve.release(submission);
          return rejected(submission.eventId, refused);
        }
      }
      const recordedAt = now.toISOString();
      const events: NewEvent[] = decision.events.map((e) => ({
        eventId: e.eventId,
        type: e.type,
        schemaVersion: this.schemaVersion,
        occurredAt: e.occurredAt,
        recordedAt,
        source: submission.source,
        actor: submission.actor,
        correlationId: principal.requestId || submission.eventId,
        causationId: e.eventId === submission.eventId ? null : submission.eventId,
        data: e.data,
        // Who was authenticated, next to who the client says it is (source, actor); not part of the digest.
        principal: principal.recordAs,
        // Derived events are idempotent through their own deterministic ids; their digest covers their data.
        contentDigest: e.eventId === submission.eventId ? digest : contentDigest(this.digestKey, { type: e.type, occurredAt: e.occurredAt, data: e.data }),
      }));
      try {
        const appended = await this.store.append(decision.streamId, events, decision.expectedRevision, decision.condition ? { condition: decision.condition } : {});
        const mine = appended.find((a) => a.eventId === submission.eventId) ?? appended[0]!;
        return {
          eventId: mine.eventId,
          status: mine.status === 'appended' ? 'accepted' : 'duplicate',
          position: mine.position,
          streamId: mine.streamId,
          revision: mine.revision,
          hash: mine.hash,
        };
      } catch (err) {
        if (err instanceof EventIdConflictError) return conflict(submitted.eventId, err.position);
        if (err instanceof ConcurrencyError && attempt < MAX_ATTEMPTS) {
          // Another writer moved the stream (or the category) since we read it: decide again on fresh state.
          await jitter(attempt);
          continue;
        }
        if (err instanceof ConcurrencyError) {
          this.logger.warn(`gave up on ${submission.eventId} after ${attempt} concurrent retries`);
          await handler.reserve?.release(submission);
          return rejected(submission.eventId, apiError('contention', 'too much concurrent activity on this stream; submit again'));
        }
        throw err;
      }
    }
  }
}

/** The eventId a client sent, as far as it may be echoed (a 10 KB "id" is not sent back whole). */
function echoedEventId(raw: unknown): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as { eventId?: unknown }).eventId : undefined;
  return typeof id === 'string' ? truncated(id) : null;
}

function notRecorded(raw: unknown): SubmissionResult {
  return rejected(echoedEventId(raw), apiError('not_recorded', 'not recorded: an internal error (logged) stopped the batch before this event was committed; submit it again'));
}

function rejected(eventId: string | null, error: ApiError): SubmissionResult {
  return { eventId, status: 'rejected', error };
}

function conflict(eventId: string, position: number): SubmissionResult {
  return rejected(eventId, apiError('conflict', `eventId ${eventId} was already recorded${position > 0 ? ` at position ${position}` : ''} with different content`, 'eventId'));
}

function jitter(attempt: number): Promise<void> {
  const ms = Math.min(50, attempt * 2) * Math.random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
