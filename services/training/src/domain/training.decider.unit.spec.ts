import type { TrainingModule, TrainingSessionHeld } from '@peil/contracts';
import { deciderSpec } from '@peil/testing';
import fc from 'fast-check';
import {
  participationDecider,
  sessionDecider,
  type HouseholdStatus,
  type Participation,
  type ParticipationCommand,
  type ParticipationContext,
  type Session,
  type SessionContext,
  type StoredTrainingEvent,
  type ToUsdMinor,
} from './training.decider';

// A simple stand-in rate table for the domain tests; the real conversion is tested with the money type.
const toUsd: ToUsdMinor = (amount, currency, rate) => (currency === 'USD' ? amount : Math.round((amount * 100) / Number(rate)));
const ON = '2026-06-01T10:00:00+03:00';
const session: TrainingSessionHeld = { sessionId: 'S1', module: 'financial-literacy', governorate: 'North', district: 'Tripoli', costMinor: 4_475_000, currency: 'LBP', fxRateToUsd: '89500' };
const heldEvent: StoredTrainingEvent = { type: 'TrainingSessionHeld', data: session, occurredAt: ON, eventId: 'e1', position: 0 };
const held = sessionDecider(toUsd).evolve(sessionDecider(toUsd).initialState(), heldEvent);
const active: HouseholdStatus = { status: 'active' };
const attended = (sessionId: string): StoredTrainingEvent => ({ type: 'TrainingAttended', data: { sessionId, householdId: 'H1', module: 'financial-literacy', inPlan: true }, occurredAt: ON, eventId: `a-${sessionId}`, position: 0 });
const visited = (visitId: string): StoredTrainingEvent => ({ type: 'CoachingVisitRecorded', data: { visitId, householdId: 'H1' }, occurredAt: ON, eventId: `v-${visitId}`, position: 0 });
const nudge = { nudgeId: 'N1', householdId: 'H1', channel: 'whatsapp' as const, template: 'save-weekly' };
const nudged: StoredTrainingEvent = { type: 'SavingsNudgeSent', data: nudge, occurredAt: ON, eventId: 'n', position: 0 };

/** The session decider with the budget line read before deciding fixed for one spec. */
function sessionSpec(context: SessionContext = { budgetLine: { code: 'C.1', remainingMinor: 100_000 } }) {
  const decider = sessionDecider(toUsd);
  return deciderSpec({ ...decider, decide: (command: { data: TrainingSessionHeld }, state: Session) => decider.decide(command, state, context) });
}
/** The participation decider with the household (and for attendance the session and plan) fixed for one spec. */
function participationSpec(household: HouseholdStatus = active, attendance: ParticipationContext['attendance'] = { session: held, planModules: ['financial-literacy', 'business-development'] }) {
  return deciderSpec({
    ...participationDecider,
    decide: (command: ParticipationCommand, state: Participation) => participationDecider.decide(command, state, { household, attendance }),
  });
}
const attend = (sessionId = 'S1'): ParticipationCommand => ({ type: 'TrainingAttended', data: { sessionId, householdId: 'H1' }, occurredAt: ON });
const visit = (visitId = 'V1'): ParticipationCommand => ({ type: 'CoachingVisitRecorded', data: { visitId, householdId: 'H1' }, occurredAt: ON });
const sendNudge: ParticipationCommand = { type: 'SavingsNudgeSent', data: nudge, occurredAt: ON };

describe('TrainingSessionHeld', () => {
  it('records a new session', () => sessionSpec().given([]).when({ data: session }).then([{ type: 'TrainingSessionHeld', data: session }]));
  it('rejects a session recorded before (duplicate_session)', () => sessionSpec().given([heldEvent]).when({ data: session }).thenRejects('duplicate_session', 'data.sessionId'));
  it('records a session without a cost with no budget line at all', () => {
    const free = { ...session, costMinor: undefined, currency: undefined, fxRateToUsd: undefined };
    sessionSpec({ budgetLine: undefined }).given([]).when({ data: free }).then([{ type: 'TrainingSessionHeld', data: free }]);
  });
  it('refuses a costed session without a budget line of its purpose (insufficient_funds)', () => {
    sessionSpec({ budgetLine: undefined }).given([]).when({ data: session }).thenRejects('insufficient_funds');
  });
  it('accepts a costed session exactly when its line has room for its US cents (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200_000 }), fc.nat(200_000), (costMinor, remainingMinor) => {
      const usd = { ...session, costMinor, currency: 'USD' as const, fxRateToUsd: undefined };
      const outcome = sessionDecider(toUsd).decide({ data: usd }, { status: 'unknown' }, { budgetLine: { code: 'C.1', remainingMinor } });
      expect(outcome.ok).toBe(costMinor <= remainingMinor);
      if (!outcome.ok) expect(outcome.rejection.code).toBe('insufficient_funds');
    }), { seed: 13 });
  });
});

describe('TrainingAttended', () => {
  it('accepts attendance of a held session by an active household, noting the module', () => {
    participationSpec().given([]).when(attend()).then([{ type: 'TrainingAttended', data: { sessionId: 'S1', householdId: 'H1', module: 'financial-literacy', inPlan: true } }]);
  });
  it('accepts but flags a module the plan does not include, or a household without a plan', () => {
    const flagged = [{ type: 'TrainingAttended', data: { sessionId: 'S1', householdId: 'H1', module: 'financial-literacy', inPlan: false } }];
    participationSpec(active, { session: held, planModules: ['technical'] as TrainingModule[] }).given([]).when(attend()).then(flagged);
    participationSpec(active, { session: held, planModules: undefined }).given([]).when(attend()).then(flagged);
  });
  it('rejects a session that was not held (unknown_session)', () => {
    participationSpec(active, { session: { status: 'unknown' }, planModules: [] }).given([]).when(attend('S9')).thenRejects('unknown_session', 'data.sessionId');
  });
  it('rejects the same household attending twice (duplicate_attendance)', () => {
    participationSpec().given([attended('S1')]).when(attend()).thenRejects('duplicate_attendance', 'data.sessionId');
  });
  it.each([['unknown', 'household_not_found'], ['withdrawn', 'household_inactive']] as const)('rejects a %s household (%s)', (status, code) => {
    participationSpec({ status }).given([]).when(attend()).thenRejects(code);
  });
});

describe('CoachingVisitRecorded and SavingsNudgeSent', () => {
  it('need an active household', () => {
    for (const [status, code] of [['unknown', 'household_not_found'], ['withdrawn', 'household_inactive']] as const) {
      participationSpec({ status }).given([]).when(visit()).thenRejects(code);
      participationSpec({ status }).given([]).when(sendNudge).thenRejects(code);
    }
  });
  it('record each visit and nudge once (duplicate_visit, duplicate_nudge)', () => {
    participationSpec().given([]).when(visit()).then([{ type: 'CoachingVisitRecorded', data: { visitId: 'V1', householdId: 'H1' } }]);
    participationSpec().given([visited('V1')]).when(visit()).thenRejects('duplicate_visit', 'data.visitId');
    participationSpec().given([visited('V1')]).when(sendNudge).then([{ type: 'SavingsNudgeSent', data: nudge }]);
    participationSpec().given([visited('V1'), nudged]).when(sendNudge).thenRejects('duplicate_nudge', 'data.nudgeId');
  });
});
