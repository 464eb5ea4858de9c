import { upcast, type PublishedView, type RecordedEvent } from '@peil/contracts';
import type { StoredEvent } from '@peil/ledger';
import type { StreamFold } from './stream-fold';

type DomainEvent = { type: string; data: unknown };

/**
 * The one place a stored event becomes a typed domain event: upcast to today's shape by the
 * registered upcasters, then narrowed by its explicit `type`. Its data is not parsed again: the
 * schema validated it when it was submitted, and the ledger's hash chain vouches it is unchanged.
 */
export function recordedAs<E extends DomainEvent>(stored: StoredEvent, types: ReadonlySet<string>): (StoredEvent & RecordedEvent<E>) | undefined {
  const event = upcast(stored);
  return isOneOf<E>(event, types) ? event : undefined;
}

function isOneOf<E extends DomainEvent>(event: StoredEvent, types: ReadonlySet<string>): event is StoredEvent & RecordedEvent<E> {
  return types.has(event.type);
}

/** The event types a context declares: its zod schemas by type (the keys), or the types themselves. */
export type EventTypes<E extends DomainEvent> = ReadonlyArray<E['type']> | { readonly [K in E['type']]: unknown };

const typesOf = <E extends DomainEvent>(types: EventTypes<E>): Set<string> => new Set<string>(Array.isArray(types) ? types : Object.keys(types));

/** A fold over typed events of `types`, as the stream caches take it; other events leave the state as it is. */
export function typedFold<State, E extends DomainEvent>(
  types: EventTypes<E>,
  initialState: () => State,
  evolve: (state: State, event: RecordedEvent<E>) => State,
): StreamFold<State> {
  const known = typesOf(types);
  return {
    initialState,
    evolve: (state, stored) => {
      const event = recordedAs<E>(stored, known);
      return event ? evolve(state, event) : state;
    },
  };
}

/** A published view as a stream fold. */
export const viewFold = <State, E extends DomainEvent>(view: PublishedView<State, E>): StreamFold<State> =>
  typedFold(view.types, view.initialState, view.evolve);
