import { z } from 'zod';
import { Currency, FxRate, moneyViolation } from '../common/money';
import { Id } from '../common/primitives';

/** Evaluation context events: household surveys at baseline, midline and endline. */

// Income and savings may truly be zero; they are never negative or fractional.
const amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const SurveyRound = z.enum(['baseline', 'midline', 'endline']);
export type SurveyRound = z.infer<typeof SurveyRound>;

export const SurveyRecorded = z
  .object({
    surveyId: Id,
    householdId: Id,
    round: SurveyRound,
    monthlyIncomeMinor: amount,
    savingsMinor: amount,
    currency: Currency,
    fxRateToUsd: FxRate.optional(),
    businessOperating: z.boolean(),
    employed: z.boolean(),
  })
  .superRefine((d, ctx) => {
    // Both amounts share one currency and rate; the larger one decides whether the conversion stays exact.
    const violation = moneyViolation(Math.max(d.monthlyIncomeMinor, d.savingsMinor), d.currency, d.fxRateToUsd, d.monthlyIncomeMinor >= d.savingsMinor ? 'monthlyIncomeMinor' : 'savingsMinor');
    if (violation) ctx.addIssue({ code: 'custom', path: [violation.field], message: violation.message, params: { code: violation.code } });
  });
export type SurveyRecorded = z.infer<typeof SurveyRecorded>;

export const EVALUATION_EVENT_SCHEMAS = { SurveyRecorded } as const;
export type EvaluationEvent = { type: 'SurveyRecorded'; data: SurveyRecorded };

export const evaluationStreamId = (householdId: string): string => `evaluation-${householdId}`;
