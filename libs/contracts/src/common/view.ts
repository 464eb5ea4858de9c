/**
 * What a published view folds: one of a context's events in today's shape (older schema versions
 * already upcast), with where and when the ledger recorded it. `E` is a discriminated union on an
 * explicit `type`, as the events files declare them.
 */
export type RecordedEvent<E extends { type: string; data: unknown }> = E & {
  eventId: string;
  occurredAt: string;
  position: number;
};

/**
 * A fold over one context's published events that other contexts read — instead of importing that
 * context's code. Like an Emmett decider's first half: `evolve` may change the state it owns in
 * place and return it. `types` are the event types it folds; every other event leaves it unchanged.
 */
export interface PublishedView<State, E extends { type: string; data: unknown }> {
  readonly types: ReadonlyArray<E['type']>;
  /** The stream this view folds for a key (a household id; ignored by a single-stream view). */
  streamId(key: string): string;
  initialState(): State;
  evolve(state: State, event: RecordedEvent<E>): State;
}
