import type {
  CoachingVisitRecorded,
  SavingsNudgeSent,
  TrainingAttended,
  TrainingEvent,
  TrainingModule,
  TrainingSessionHeld,
} from '@peil/contracts';
import { householdStatusRejection, reject, type Outcome as DeciderOutcome, type RecordedEvent } from '@peil/contracts';

export type Outcome<E = TrainingEvent> = DeciderOutcome<E>;

/** A session's stream: held once. */
export type Session = { status: 'unknown' } | ({ status: 'held'; heldAt: string; eventId: string } & TrainingSessionHeld);
export const initialSession = (): Session => ({ status: 'unknown' });

/** A household's participation stream: attendance, coaching visits, nudges. */
export interface Participation {
  attended: Map<string, { module: TrainingModule; at: string; inPlan: boolean }>;
  coachingVisits: Set<string>;
  nudges: Map<string, { channel: SavingsNudgeSent['channel']; template: string; at: string }>;
}
export const initialParticipation = (): Participation => ({ attended: new Map(), coachingVisits: new Set(), nudges: new Map() });

/** Attendance events carry the module and plan check as decided, so the state needs no other stream. */
export type StoredTrainingEvent = RecordedEvent<TrainingEvent>;

export function evolveSession(state: Session, event: StoredTrainingEvent): Session {
  return event.type === 'TrainingSessionHeld' ? { status: 'held', heldAt: event.occurredAt, eventId: event.eventId, ...event.data } : state;
}

/**
 * Changes `state` in place and returns it: a participation stream grows with every visit and nudge,
 * and copying its sets at each event made folding it quadratic. The caller owns the state it passes.
 */
export function evolveParticipation(state: Participation, event: StoredTrainingEvent): Participation {
  switch (event.type) {
    case 'TrainingAttended':
      state.attended.set(event.data.sessionId, { module: event.data.module ?? 'technical', at: event.occurredAt, inPlan: event.data.inPlan ?? true });
      return state;
    case 'CoachingVisitRecorded':
      state.coachingVisits.add(event.data.visitId);
      return state;
    case 'SavingsNudgeSent':
      state.nudges.set(event.data.nudgeId, { channel: event.data.channel, template: event.data.template, at: event.occurredAt });
      return state;
    case 'TrainingSessionHeld':
      return state;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

type HouseholdStatus = { status: 'unknown' | 'active' | 'withdrawn'; withdrawnAt?: string };

export function decideSession(data: TrainingSessionHeld, session: Session): Outcome {
  if (session.status === 'held') return reject('duplicate_session', `session ${data.sessionId} is already recorded`, 'data.sessionId');
  return { ok: true, events: [{ type: 'TrainingSessionHeld', data }] };
}

/**
 * Attendance needs a held session and an active household, once per session. A module the
 * household's plan does not include is accepted but flagged: the field team may have good reasons,
 * and the donor's reports show it.
 */
export function decideAttendance(
  data: TrainingAttended,
  inputs: { session: Session; household: HouseholdStatus; participation: Participation; planModules: readonly TrainingModule[] | undefined },
): Outcome<{ type: 'TrainingAttended'; data: TrainingAttended & { module: TrainingModule; inPlan: boolean } }> {
  if (inputs.session.status !== 'held') return reject('unknown_session', `session ${data.sessionId} was not recorded`, 'data.sessionId');
  const inactive = householdStatusRejection(inputs.household, data.householdId);
  if (inactive) return inactive;
  if (inputs.participation.attended.has(data.sessionId)) {
    return reject('duplicate_attendance', `household ${data.householdId} already attended session ${data.sessionId}`, 'data.sessionId');
  }
  const module = inputs.session.module;
  const inPlan = inputs.planModules?.includes(module) ?? false;
  return { ok: true, events: [{ type: 'TrainingAttended', data: { ...data, module, inPlan } }] };
}

export function decideCoachingVisit(data: CoachingVisitRecorded, inputs: { household: HouseholdStatus; participation: Participation }): Outcome {
  const inactive = householdStatusRejection(inputs.household, data.householdId);
  if (inactive) return inactive;
  if (inputs.participation.coachingVisits.has(data.visitId)) return reject('duplicate_visit', `visit ${data.visitId} is already recorded`, 'data.visitId');
  return { ok: true, events: [{ type: 'CoachingVisitRecorded', data }] };
}

export function decideNudge(data: SavingsNudgeSent, inputs: { household: HouseholdStatus; participation: Participation }): Outcome {
  const inactive = householdStatusRejection(inputs.household, data.householdId);
  if (inactive) return inactive;
  if (inputs.participation.nudges.has(data.nudgeId)) return reject('duplicate_nudge', `nudge ${data.nudgeId} is already recorded`, 'data.nudgeId');
  return { ok: true, events: [{ type: 'SavingsNudgeSent', data }] };
}
