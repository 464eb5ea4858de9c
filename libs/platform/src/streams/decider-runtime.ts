import type { Outcome, RecordedEvent } from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import type { z } from 'zod';
import type { CallerRole } from '../auth/roles';
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
  streamId(data: T): string;
  decider: Decider<State, T, E, Inputs>;
  events: EventTypes<E>;
  /** Other contexts' published views the decision needs, read fresh for each decision (`type`: the submitted type, when a stream takes several). */
  inputs?(data: T, type: string): Promise<Inputs>;
  /**
   * What an accepted command must hold in another context before its events are appended (e.g. the
   * funds a plan commits), from the same values the decider saw; the handler's reserve step takes it.
   */
  holdFor?(command: Command<T>, context: DecideContext<Inputs>): Hold | undefined;
}

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

  /** A stream of this definition folded up to its newest event, and the revision its next append expects. */
  aggregate(streamId: string): Promise<AggregatedStream<State>> {
    return this.streams.aggregateStream(streamId);
  }

  /** The SubmissionProcessor handler of one submitted type, validated by `schema`. */
  handler(schema: z.ZodType<T>, roles?: readonly CallerRole[]): SubmissionHandler<T, Hold> {
    return { schema, ...(roles ? { roles } : {}), decide: (submission, meta) => this.decide(submission, meta) };
  }

  private async decide(submission: ValidSubmission<T>, meta: DecisionMeta): Promise<Decision<Hold>> {
    const { definition } = this;
    // Other contexts' views first: a decision must never rest on them being newer than the stream it appends to.
    const inputs = definition.inputs ? await definition.inputs(submission.data, submission.type) : ({} as Inputs);
    const streamId = definition.streamId(submission.data);
    const { state, expectedRevision } = await this.aggregate(streamId);
    const command = { type: submission.type, data: submission.data, occurredAt: submission.occurredAt };
    const context = { ...inputs, ...meta };
    const outcome = definition.decider.decide(command, state, context);
    const decision: Decision<Hold> = decisionFrom(outcome, submission, streamId, expectedRevision);
    const hold = outcome.ok ? definition.holdFor?.(command, context) : undefined;
    return decision.kind === 'append' && hold !== undefined ? { ...decision, hold } : decision;
  }
}
