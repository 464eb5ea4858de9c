import type { StoredEvent } from '@peil/ledger';

/**
 * How the events of one stream fold into a state: the `initialState` and `evolve` halves of an
 * Emmett-style decider (`decide` stays with each context). `evolve` takes the stored event as the
 * ledger returns it; each context turns it into its domain event.
 *
 * `evolve` owns the state it is given: it may change it in place and return it (adding a visit to a
 * set is then O(1), where copying the set made each event O(stream)), or return a new value. A
 * caller of `aggregateStream` must therefore not keep the state it got across an await and expect it
 * unchanged: later events of the stream may be folded into the same object. Decisions stay safe
 * because they append with the revision they were handed, which a newer state cannot match.
 */
export interface StreamFold<State> {
  initialState(): State;
  evolve(state: State, event: StoredEvent): State;
}

/** Yields to the event loop between pages of a long catch-up, so one long stream never holds up other requests. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
