import { householdStatusRejection, reject, type CoachingVisitRecorded, type HouseholdStatus, type Outcome, type RecordedEvent, type TrainingEvent } from '@peil/contracts';

/**
 * A small decider in the runtime's shape, for specs and benches of the stream layer: coaching visits
 * of a household's participation stream, once per visit id, for an active household (the training
 * context's rule). `decided` collects the `now` of each decision, to show it arrives as a value.
 */
export function visitsDecider(decided: Date[] = []) {
  return {
    initialState: (): Set<string> => new Set(),
    evolve: (ids: Set<string>, e: RecordedEvent<TrainingEvent>): Set<string> => (e.type === 'CoachingVisitRecorded' ? ids.add(e.data.visitId) : ids),
    decide: (command: { data: CoachingVisitRecorded }, ids: Set<string>, context: { household: HouseholdStatus; now: Date }): Outcome<TrainingEvent> => {
      decided.push(context.now);
      const inactive = householdStatusRejection(context.household, command.data.householdId);
      if (inactive) return inactive;
      if (ids.has(command.data.visitId)) return reject('duplicate_visit', `visit ${command.data.visitId} is already recorded`, 'data.visitId');
      return { ok: true, events: [{ type: 'CoachingVisitRecorded', data: command.data }] };
    },
  };
}
