import { z } from 'zod';
import { Id } from '../common/primitives';

/** Evaluation context events (DESIGN §4): household surveys at baseline, midline and endline. */

const decimalRate = z.string().regex(/^(?:0|[1-9]\d{0,11})(?:\.\d{1,12})?$/, 'a positive decimal string such as "89500"');
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
    currency: z.enum(['USD', 'LBP']),
    fxRateToUsd: decimalRate.optional(),
    businessOperating: z.boolean(),
    employed: z.boolean(),
  })
  .superRefine((d, ctx) => {
    if (d.currency === 'LBP' && d.fxRateToUsd === undefined) {
      ctx.addIssue({ code: 'custom', path: ['fxRateToUsd'], message: 'an LBP amount needs fxRateToUsd (LBP per 1 USD)' });
    }
  });
export type SurveyRecorded = z.infer<typeof SurveyRecorded>;

export const EVALUATION_EVENT_SCHEMAS = { SurveyRecorded } as const;
export type EvaluationEvent = { type: 'SurveyRecorded'; data: SurveyRecorded };

export const evaluationStreamId = (householdId: string): string => `evaluation-${householdId}`;
