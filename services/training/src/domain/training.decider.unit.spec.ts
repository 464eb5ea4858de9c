import type { TrainingSessionHeld } from '@peil/contracts';
import {
  decideAttendance,
  decideCoachingVisit,
  decideNudge,
  decideSession,
  evolveParticipation,
  evolveSession,
  initialParticipation,
  initialSession,
  type StoredTrainingEvent,
} from './training.decider';

const ON = '2026-06-01T10:00:00+03:00';
const session: TrainingSessionHeld = { sessionId: 'S1', module: 'financial-literacy', governorate: 'North', district: 'Tripoli', costMinor: 4_475_000, currency: 'LBP', fxRateToUsd: '89500' };
const held = evolveSession(initialSession(), { type: 'TrainingSessionHeld', data: session, occurredAt: ON, eventId: 'e1', position: 0 });
const active = { status: 'active' as const };
const attended = (sessionId: string): StoredTrainingEvent => ({ type: 'TrainingAttended', data: { sessionId, householdId: 'H1', module: 'financial-literacy', inPlan: true }, occurredAt: ON, eventId: `a-${sessionId}`, position: 0 });

describe('TrainingSessionHeld', () => {
  it('records a new session', () => expect(decideSession(session, initialSession()).ok).toBe(true));
  it('rejects a session recorded before (duplicate_session)', () => {
    expect(decideSession(session, held)).toMatchObject({ ok: false, rejection: { code: 'duplicate_session', path: 'data.sessionId' } });
  });
});

describe('TrainingAttended', () => {
  const base = { session: held, household: active, participation: initialParticipation(), planModules: ['financial-literacy', 'business-development'] as const };
  it('accepts attendance of a held session by an active household, noting the module', () => {
    expect(decideAttendance({ sessionId: 'S1', householdId: 'H1' }, { ...base, planModules: [...base.planModules] })).toEqual({
      ok: true, events: [{ type: 'TrainingAttended', data: { sessionId: 'S1', householdId: 'H1', module: 'financial-literacy', inPlan: true } }],
    });
  });
  it('accepts but flags a module the plan does not include', () => {
    const outcome = decideAttendance({ sessionId: 'S1', householdId: 'H1' }, { ...base, planModules: ['technical'] });
    expect(outcome).toMatchObject({ ok: true, events: [{ data: { inPlan: false } }] });
  });
  it('rejects a session that was not held (unknown_session)', () => {
    expect(decideAttendance({ sessionId: 'S9', householdId: 'H1' }, { ...base, session: initialSession(), planModules: [] })).toMatchObject({ ok: false, rejection: { code: 'unknown_session' } });
  });
  it('rejects the same household attending twice (duplicate_attendance)', () => {
    const participation = evolveParticipation(initialParticipation(), attended('S1'));
    expect(decideAttendance({ sessionId: 'S1', householdId: 'H1' }, { ...base, participation, planModules: [] })).toMatchObject({ ok: false, rejection: { code: 'duplicate_attendance' } });
  });
  it.each([['unknown', 'household_not_found'], ['withdrawn', 'household_inactive']] as const)('rejects a %s household (%s)', (status, code) => {
    expect(decideAttendance({ sessionId: 'S1', householdId: 'H1' }, { ...base, household: { status }, planModules: [] })).toMatchObject({ ok: false, rejection: { code } });
  });
});

describe('CoachingVisitRecorded and SavingsNudgeSent', () => {
  it('need an active household', () => {
    for (const [status, code] of [['unknown', 'household_not_found'], ['withdrawn', 'household_inactive']] as const) {
      expect(decideCoachingVisit({ visitId: 'V1', householdId: 'H1' }, { household: { status }, participation: initialParticipation() })).toMatchObject({ ok: false, rejection: { code } });
      expect(decideNudge({ nudgeId: 'N1', householdId: 'H1', channel: 'sms', template: 'save-weekly' }, { household: { status }, participation: initialParticipation() })).toMatchObject({ ok: false, rejection: { code } });
    }
  });
  it('record each visit and nudge once (duplicate_visit, duplicate_nudge)', () => {
    let p = initialParticipation();
    expect(decideCoachingVisit({ visitId: 'V1', householdId: 'H1' }, { household: active, participation: p }).ok).toBe(true);
    p = evolveParticipation(p, { type: 'CoachingVisitRecorded', data: { visitId: 'V1', householdId: 'H1' }, occurredAt: ON, eventId: 'v', position: 0 });
    expect(decideCoachingVisit({ visitId: 'V1', householdId: 'H1' }, { household: active, participation: p })).toMatchObject({ ok: false, rejection: { code: 'duplicate_visit' } });
    const nudge = { nudgeId: 'N1', householdId: 'H1', channel: 'whatsapp' as const, template: 'save-weekly' };
    expect(decideNudge(nudge, { household: active, participation: p }).ok).toBe(true);
    p = evolveParticipation(p, { type: 'SavingsNudgeSent', data: nudge, occurredAt: ON, eventId: 'n', position: 0 });
    expect(decideNudge(nudge, { household: active, participation: p })).toMatchObject({ ok: false, rejection: { code: 'duplicate_nudge' } });
  });
});
