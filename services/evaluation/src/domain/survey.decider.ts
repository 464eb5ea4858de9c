import type { SurveyRecorded, SurveyRound } from '@peil/contracts';
import { householdStatusRejection, reject, type Outcome as DeciderOutcome } from '@peil/contracts';

export type Outcome = DeciderOutcome<{ type: 'SurveyRecorded'; data: SurveyRecorded }>;

/** PEIL_ENDLINE_MIN_MONTHS: the earliest endline, in months after enrolment. */
export interface EvaluationPolicy {
  endlineMinMonths: number;
}
export const DEFAULT_EVALUATION_POLICY: EvaluationPolicy = { endlineMinMonths: 12 };

export interface SurveyFacts {
  surveyId: string;
  round: SurveyRound;
  surveyedOn: string;
  monthlyIncomeUsdMinor: number;
  savingsUsdMinor: number;
  businessOperating: boolean;
  employed: boolean;
}

/** A household's evaluation stream: at most one survey per round. */
export interface Evaluation {
  rounds: Partial<Record<SurveyRound, SurveyFacts>>;
  surveyIds: Set<string>;
}

export const initialEvaluation = (): Evaluation => ({ rounds: {}, surveyIds: new Set() });

export type ToUsdMinor = (amountMinor: number, currency: 'USD' | 'LBP', fxRateToUsd?: string) => number;

/** Changes `state` in place and returns it (the caller owns the state it passes): no copy per event. */
export function evolveEvaluation(state: Evaluation, event: { type: 'SurveyRecorded'; data: SurveyRecorded; occurredAt: string }, toUsd: ToUsdMinor): Evaluation {
  const d = event.data;
  const facts: SurveyFacts = {
    surveyId: d.surveyId,
    round: d.round,
    surveyedOn: event.occurredAt.slice(0, 10),
    monthlyIncomeUsdMinor: toUsd(d.monthlyIncomeMinor, d.currency, d.fxRateToUsd),
    savingsUsdMinor: toUsd(d.savingsMinor, d.currency, d.fxRateToUsd),
    businessOperating: d.businessOperating,
    employed: d.employed,
  };
  state.rounds[d.round] = facts;
  state.surveyIds.add(d.surveyId);
  return state;
}

/** `day` plus `months` calendar months, clamped to the month's last day (31 January + 1 month = 28/29 February). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** What a survey needs to know of its household (enrolment's published status). */
export type SurveyHousehold = { status: 'unknown' | 'active' | 'withdrawn'; enrolledAt?: string; withdrawnAt?: string };

/**
 * One survey per round per household; midline and endline need a baseline; the endline comes no
 * earlier than the policy's months after enrolment (dates are the local days the events give).
 */
export function decideSurvey(
  data: SurveyRecorded,
  occurredAt: string,
  inputs: { household: SurveyHousehold; evaluation: Evaluation },
  policy: EvaluationPolicy,
): Outcome {
  const { household, evaluation } = inputs;
  const inactive = householdStatusRejection(household, data.householdId);
  if (inactive) return inactive;
  if (evaluation.surveyIds.has(data.surveyId)) return reject('duplicate_survey', `survey ${data.surveyId} is already recorded`, 'data.surveyId');
  const existing = evaluation.rounds[data.round];
  if (existing) return reject('duplicate_round', `household ${data.householdId} already has a ${data.round} survey (${existing.surveyId})`, 'data.round');
  if (data.round !== 'baseline' && !evaluation.rounds.baseline) {
    return reject('baseline_missing', `a ${data.round} survey needs the household's baseline first`, 'data.round');
  }
  if (data.round === 'endline' && household.enrolledAt) {
    const earliest = addMonths(household.enrolledAt.slice(0, 10), policy.endlineMinMonths);
    const day = occurredAt.slice(0, 10);
    if (day < earliest) {
      return reject('endline_too_early', `the endline may come from ${earliest} (${policy.endlineMinMonths} months after enrolment), not ${day}`, 'occurredAt');
    }
  }
  return { ok: true, events: [{ type: 'SurveyRecorded', data }] };
}

/**
 * The evaluation stream's decider in Emmett's shape: a household's evaluation stream folded, and a
 * survey decided on it with the household's status (enrolment's published view) as a value.
 */
export const surveyDecider = (policy: EvaluationPolicy, toUsd: ToUsdMinor) => ({
  initialState: initialEvaluation,
  evolve: (state: Evaluation, event: { type: 'SurveyRecorded'; data: SurveyRecorded; occurredAt: string }) => evolveEvaluation(state, event, toUsd),
  decide: (command: { data: SurveyRecorded; occurredAt: string }, evaluation: Evaluation, context: { household: SurveyHousehold }): Outcome =>
    decideSurvey(command.data, command.occurredAt, { household: context.household, evaluation }, policy),
});
