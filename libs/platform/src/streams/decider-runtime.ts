import type { Outcome, RecordedEvent } from '@peil/contracts';
import type { AppendCondition, EventStore, JsonValue } from '@peil/ledger';
import type { z } from 'zod';
import type { CallerRole } from '../auth/roles';
import { derivedEventId } from '../ids/derived-event-id';
import { decisionFrom } from '../submissions/decision-from';
import type { Decision, DecisionMeta, SubmissionHandler, ValidSubmission } from '../submissions/submission-processor';
import { StreamStateCache, type AggregatedStream, type StreamStateCacheOptions } from './stream-state-cache';
import { typedFold, type EventTypes } from './typed-fold';

type DomainEvent = { type: string; data: object };

/** What a decider is told besides its state, as values (it stays pure): when, by whom, and what other contexts published. */
export type DecideContext<Inputs> = Inputs & DecisionMeta;

/** A command as the decider sees it: the submitted type and data, and when the field says it happened. */
export interface Command<T> {
  type: string;
  data: T;
  occurredAt: string;
}

/** Emmett's decider: initialState / evolve over the stream's typed events / a pure decide. */
export interface Decider<State, T, E extends DomainEvent, Inputs = object> {
  initialState(): State;
  evolve(state: State, event: RecordedEvent<E>): State;
  decide(command: Command<T>, state: State, context: DecideContext<Inputs>): Outcome<E>;
}

/**
 * A context's declaration of one kind of stream: which stream a command goes to, its decider, its
 * event types (the zod schemas by type; stored events of older versions are upcast by the registry),
 * and what it reads of other contexts' published views before deciding.
 */
export interface StreamDefinition<State, T, E extends DomainEvent, Inputs = object, Hold = never> {
  /**
   * The stream a command goes to, knowing what `inputs` read (a receipt finds its household through
   * an index of deliveries). Undefined when the command names no stream (a receipt for a delivery
   * never recorded): it is then decided on initialState and must be refused.
   */
  streamId(data: T, inputs: Inputs): string | undefined;
  decider: Decider<State, T, E, Inputs>;
  events: EventTypes<E>;
  /** Other contexts' published views the decision needs, read fresh for each decision (the command too, when they depend on its type). */
  inputs?(data: T, command: Command<T>): Promise<Inputs>;
  /**
   * A condition on the append beyond the stream's revision, for a decision that rests on a view
   * across streams (an id unique across grants): the append is refused, and decided again, when
   * the category has moved since the view was read.
   */
  condition?(command: Command<T>, inputs: Inputs): AppendCondition | undefined;
  /**
   * What the ledger stores of a decided event's data when it is not the data itself: personal
   * fields encrypted under the household's key (which may create the key, in the processor's unit
   * of work). Runs after the pure decision, only for an accepted one.
   */
  stored?(data: StoredEventData, command: Command<T>): Promise<StoredEventData>;
  /**
   * What an accepted command must hold in another context before its events are appended (e.g. the
   * funds a plan commits), from the same values the decider saw; the handler's reserve step takes it.
   */
  holdFor?(command: Command<T>, context: DecideContext<Inputs>): Hold | undefined;
}

type StoredEventData = { [key: string]: JsonValue };

/**
 * The runtime of one stream definition, after Emmett's CommandHandler: read the stream (kept folded,
 * caught up by the new events only) → decide (pure, `now` and the principal as values) → hand the
 * events to the SubmissionProcessor, which appends them at the revision read and, when another
 * writer moved the stream first, calls decide again on the fresh state. Nothing here writes.
 */
export class DeciderRuntime<State, T, E extends DomainEvent, Inputs = object, Hold = never> {
  private readonly streams: StreamStateCache<State>;

  constructor(
    store: EventStore,
    private readonly definition: StreamDefinition<State, T, E, Inputs, Hold>,
    options?: StreamStateCacheOptions,
  ) {
    this.streams = new StreamStateCache(store, typedFold<State, E>(definition.events, definition.decider.initialState, definition.decider.evolve), options);
  }

  /** Drops every folded stream at once (a unit of work rolled back whose events the folds may hold); the next read folds afresh. */
  forget(): void {
    this.streams.clear();
  }

  /** A stream of this definition folded up to its newest event, and the revision its next append expects. */
  aggregate(streamId: string): Promise<AggregatedStream<State>> {
    return this.streams.aggregateStream(streamId);
  }

  /** The SubmissionProcessor handler of one submitted type (one of the stream's commands), validated by `schema`. */
  handler<C extends T>(schema: z.ZodType<C>, roles?: readonly CallerRole[]): SubmissionHandler<C, Hold> {
    return { schema, ...(roles ? { roles } : {}), decide: (submission, meta) => this.decide(submission, meta) };
  }

  private async decide(submission: ValidSubmission<T>, meta: DecisionMeta): Promise<Decision<Hold>> {
    const { definition } = this;
    const command = { type: submission.type, data: submission.data, occurredAt: submission.occurredAt };
    // Other contexts' views first: a decision must never rest on them being newer than the stream it appends to.
    const inputs = definition.inputs ? await definition.inputs(submission.data, command) : ({} as Inputs);
    const streamId = definition.streamId(submission.data, inputs);
    const { state, expectedRevision } =
      streamId === undefined ? { state: definition.decider.initialState(), expectedRevision: 'no_stream' as const } : await this.aggregate(streamId);
    const context = { ...inputs, ...meta };
    const outcome = definition.decider.decide(command, state, context);
    if (outcome.ok && streamId === undefined) throw new Error(`${submission.type} ${submission.eventId} names no stream, yet its decider accepted it`);
    const decision: Decision<Hold> = decisionFrom(outcome, submission, streamId ?? '', expectedRevision);
    if (decision.kind === 'reject') return decision;
    const condition = definition.condition?.(command, inputs);
    const hold = definition.holdFor?.(command, context);
    const { stored } = definition;
    return {
      ...decision,
      ...(condition ? { condition } : {}),
      ...(hold !== undefined ? { hold } : {}),
      events: await Promise.all(decision.events.map(async (e) => ({
        ...e,
        // An event the decision adds beside the submitted one (a commitment drawn down by an expenditure)
        // gets an id derived from the submission's, so a resubmission can never record it twice.
        eventId: e.type === submission.type ? e.eventId : derivedEventId(submission.eventId, e.type),
        data: stored ? await stored(e.data, command) : e.data,
      }))),
    };
  }
}
