import type { ReadTx } from '@peil/projections';
import { IN, type InSurvey } from '../projections/indicators.projection';
import { meanMinor, share } from './money';

const ROUNDS = ['baseline', 'midline', 'endline'] as const;

function summary(surveys: readonly InSurvey[]) {
  return {
    householdsSurveyed: surveys.length,
    meanMonthlyIncomeUsdMinor: meanMinor(surveys.map((s) => s.monthlyIncomeUsdMinor)),
    shareBusinessOperating: share(surveys.filter((s) => s.businessOperating).length, surveys.length),
    shareEmployed: share(surveys.filter((s) => s.employed).length, surveys.length),
    meanSavingsUsdMinor: meanMinor(surveys.map((s) => s.savingsUsdMinor)),
  };
}

/**
 * Results indicators per survey round, and the change from baseline to endline measured on the
 * same households only (a household surveyed at both), so attrition cannot fake progress.
 */
export async function indicators(tx: ReadTx) {
  const surveys = (await tx.all<InSurvey>(IN.surveys)).map((s) => s.doc);
  const byRound = Object.fromEntries(ROUNDS.map((r) => [r, surveys.filter((s) => s.round === r)])) as Record<(typeof ROUNDS)[number], InSurvey[]>;
  const endline = new Map(byRound.endline.map((s) => [s.householdRef, s]));
  const pairedBaseline = byRound.baseline.filter((s) => endline.has(s.householdRef));
  const pairedEndline = pairedBaseline.map((s) => endline.get(s.householdRef)!);
  const before = summary(pairedBaseline);
  const after = summary(pairedEndline);
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  return {
    rounds: Object.fromEntries(ROUNDS.map((r) => [r, summary(byRound[r])])),
    baselineToEndline: {
      households: pairedBaseline.length,
      baseline: before,
      endline: after,
      change: {
        meanMonthlyIncomeUsdMinor: diff(before.meanMonthlyIncomeUsdMinor, after.meanMonthlyIncomeUsdMinor),
        meanSavingsUsdMinor: diff(before.meanSavingsUsdMinor, after.meanSavingsUsdMinor),
        businessOperating: diff(pairedBaseline.filter((s) => s.businessOperating).length, pairedEndline.filter((s) => s.businessOperating).length),
        employed: diff(pairedBaseline.filter((s) => s.employed).length, pairedEndline.filter((s) => s.employed).length),
      },
    },
  };
}
