/**
 * given / when / then for deciders, in the spirit of Emmett's DeciderSpecification:
 *   spec.given([pastEvents]).when(command).then([newEvents])  or  .thenRejects('code')
 * The decider is anything with initialState, evolve and a decide that returns
 * { ok: true, events } | { ok: false, rejection: { code } }.
 */
export interface SpecDecider<Command, Event, State> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) =>
    | { ok: true; events: readonly unknown[] }
    | { ok: false; rejection: { code: string; message: string; path?: string } };
}

export function deciderSpec<Command, Event, State>(decider: SpecDecider<Command, Event, State>) {
  return {
    given(events: readonly Event[]) {
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        when(command: Command) {
          const outcome = decider.decide(command, state);
          return {
            then(expected: readonly unknown[]): void {
              if (!outcome.ok) {
                throw new Error(`expected events, got rejection ${outcome.rejection.code}: ${outcome.rejection.message}`);
              }
              expect(outcome.events).toEqual(expected);
            },
            thenRejects(code: string, path?: string): void {
              if (outcome.ok) throw new Error(`expected rejection ${code}, got events ${JSON.stringify(outcome.events)}`);
              expect(outcome.rejection.code).toBe(code);
              if (path !== undefined) expect(outcome.rejection.path).toBe(path);
            },
          };
        },
      };
    },
  };
}
