import type {
  CoachingVisitRecorded,
  SavingsNudgeSent,
  TrainingAttended,
  TrainingEvent,
  TrainingModule,
  TrainingSessionHeld,
} from '@peil/contracts';
import { householdStatusRejection, purposeOfModule, reject, type Outcome as DeciderOutcome, type RecordedEvent } from '@peil/contracts';

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

export type HouseholdStatus = { status: 'unknown' | 'active' | 'withdrawn'; withdrawnAt?: string };

/** US cents of an amount in its currency; injected so the domain stays free of the money library's choices. */
export type ToUsdMinor = (amountMinor: number, currency: 'USD' | 'LBP', fxRateToUsd?: string) => number;

/** What a session is told, read before it: the budget line its cost would go to (asked of the grant only for a session with a cost). */
export interface SessionContext {
  budgetLine: { code: string; remainingMinor: number } | undefined;
}

/**
 * A session is recorded once; one with a cost needs a budget line of its module's purpose with
 * room for it, refused before anything is written since the expenditure follows the session.
 */
export function decideSession(data: TrainingSessionHeld, session: Session, context: SessionContext, toUsd: ToUsdMinor): Outcome {
  if (session.status === 'held') return reject('duplicate_session', `session ${data.sessionId} is already recorded`, 'data.sessionId');
  if (data.costMinor !== undefined && data.currency) {
    const line = context.budgetLine;
    if (!line) return reject('insufficient_funds', `no signed grant has a budget line with purpose "${purposeOfModule(data.module)}"`);
    const usd = toUsd(data.costMinor, data.currency, data.fxRateToUsd);
    if (usd > line.remainingMinor) return reject('insufficient_funds', `the session costs ${usd} US cents and ${line.code} has ${line.remainingMinor} left`);
  }
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

/** A session's stream in Emmett's shape. */
export const sessionDecider = (toUsd: ToUsdMinor) => ({
  initialState: initialSession,
  evolve: evolveSession,
  decide: (command: { data: TrainingSessionHeld }, session: Session, context: SessionContext): Outcome => decideSession(command.data, session, context, toUsd),
});

/** A command on a household's participation stream; the processor validated `data` with the schema of `type`. */
export type ParticipationCommand = { occurredAt: string } & (
  | { type: 'TrainingAttended'; data: TrainingAttended }
  | { type: 'CoachingVisitRecorded'; data: CoachingVisitRecorded }
  | { type: 'SavingsNudgeSent'; data: SavingsNudgeSent }
);

/** What a participation decision is told, read before it: the household's status, and for attendance the session and the plan's modules. */
export interface ParticipationContext {
  household: HouseholdStatus;
  attendance?: { session: Session; planModules: readonly TrainingModule[] | undefined };
}

/** A household's participation stream in Emmett's shape: attendance, coaching visits and nudges decided on its fold. */
export const participationDecider = {
  initialState: initialParticipation,
  evolve: evolveParticipation,
  decide(command: ParticipationCommand, participation: Participation, context: ParticipationContext): Outcome {
    const { household } = context;
    switch (command.type) {
      case 'TrainingAttended': {
        if (!context.attendance) throw new Error('attendance is decided with its session and the plan\'s modules');
        return decideAttendance(command.data, { ...context.attendance, household, participation });
      }
      case 'CoachingVisitRecorded':
        return decideCoachingVisit(command.data, { household, participation });
      case 'SavingsNudgeSent':
        return decideNudge(command.data, { household, participation });
    }
  },
};
