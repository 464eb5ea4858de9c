import type { SurveyRecorded } from '@peil/contracts';
import fc from 'fast-check';
import { addMonths, decideSurvey, DEFAULT_EVALUATION_POLICY, evolveEvaluation, initialEvaluation, type ToUsdMinor } from './survey.decider';

const toUsd: ToUsdMinor = (a, c, r) => (c === 'USD' ? a : Math.round((a * 100) / Number(r)));
const ENROLLED = '2026-01-15T09:00:00+02:00';
const survey = (round: SurveyRecorded['round'], over: Partial<SurveyRecorded> = {}): SurveyRecorded => ({
  surveyId: `S-${round}`, householdId: 'H1', round, monthlyIncomeMinor: 8_950_000, savingsMinor: 0, currency: 'LBP', fxRateToUsd: '89500', businessOperating: false, employed: false, ...over,
});
const at = (months: number) => `${addMonths('2026-01-15', months)}T10:00:00+02:00`;

function given(rounds: Array<[SurveyRecorded, string]>, status: 'unknown' | 'active' | 'withdrawn' = 'active') {
  const evaluation = rounds.reduce((s, [data, occurredAt]) => evolveEvaluation(s, { type: 'SurveyRecorded', data, occurredAt }, toUsd), initialEvaluation());
  return {
    evaluation,
    when: (data: SurveyRecorded, occurredAt: string) => decideSurvey(data, occurredAt, { household: { status, enrolledAt: ENROLLED }, evaluation }, DEFAULT_EVALUATION_POLICY),
  };
}

describe('SurveyRecorded', () => {
  it('accepts baseline, midline at 6 months and endline at 13 months', () => {
    expect(given([]).when(survey('baseline'), at(0)).ok).toBe(true);
    expect(given([[survey('baseline'), at(0)]]).when(survey('midline'), at(6)).ok).toBe(true);
    expect(given([[survey('baseline'), at(0)], [survey('midline'), at(6)]]).when(survey('endline'), at(13)).ok).toBe(true);
  });
  it('rejects a second baseline (duplicate_round)', () => {
    expect(given([[survey('baseline'), at(0)]]).when(survey('baseline', { surveyId: 'S-2' }), at(1))).toMatchObject({ ok: false, rejection: { code: 'duplicate_round', path: 'data.round' } });
  });
  it('rejects a reused survey id (duplicate_survey)', () => {
    expect(given([[survey('baseline'), at(0)]]).when(survey('midline', { surveyId: 'S-baseline' }), at(6))).toMatchObject({ ok: false, rejection: { code: 'duplicate_survey' } });
  });
  it.each(['midline', 'endline'] as const)('rejects a %s without a baseline (baseline_missing)', (round) => {
    expect(given([]).when(survey(round), at(13))).toMatchObject({ ok: false, rejection: { code: 'baseline_missing' } });
  });
  it('rejects an endline 3 months after enrolment (endline_too_early)', () => {
    expect(given([[survey('baseline'), at(0)]]).when(survey('endline'), at(3))).toMatchObject({ ok: false, rejection: { code: 'endline_too_early', path: 'occurredAt' } });
  });
  it('accepts the endline on the day twelve months after enrolment, not the day before', () => {
    const g = given([[survey('baseline'), at(0)]]);
    expect(g.when(survey('endline'), '2027-01-15T08:00:00+02:00').ok).toBe(true);
    expect(g.when(survey('endline'), '2027-01-14T23:00:00+02:00').ok).toBe(false);
  });
  it.each([['unknown', 'household_not_found'], ['withdrawn', 'household_inactive']] as const)('rejects a %s household (%s)', (status, code) => {
    expect(given([], status).when(survey('baseline'), at(0))).toMatchObject({ ok: false, rejection: { code } });
  });
  it('records income and savings in US cents', () => {
    const { evaluation } = given([[survey('baseline', { savingsMinor: 4_475_000 }), at(0)]]);
    expect(evaluation.rounds.baseline).toMatchObject({ monthlyIncomeUsdMinor: 10_000, savingsUsdMinor: 5_000 });
  });
});

describe('addMonths', () => {
  it('clamps to the end of shorter months', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2027-12-31', 2)).toBe('2028-02-29');
    expect(addMonths('2026-03-15', 12)).toBe('2027-03-15');
  });
  it('is monotonic and never goes back (property)', () => {
    const day = fc.date({ min: new Date('2000-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(fc.property(day, fc.nat(60), fc.nat(60), (d, a, b) => {
      expect(addMonths(d, a) >= d).toBe(true);
      if (a <= b) expect(addMonths(d, a) <= addMonths(d, b)).toBe(true);
    }));
  });
});
