import { toUsdMinor } from '@peil/contracts';
import type { StoredEvent } from '@peil/ledger';
import type { Projection, ReadTx } from '@peil/projections';
import { reportedTypes } from './upcasting';

export const IN = { surveys: 'in_surveys' } as const;
const SURVEYS = reportedTypes('SurveyRecorded');

export interface InSurvey {
  [k: string]: unknown;
  householdRef: string;
  round: 'baseline' | 'midline' | 'endline';
  monthlyIncomeUsdMinor: number;
  savingsUsdMinor: number;
  businessOperating: boolean;
  employed: boolean;
}

/** One document per household and survey round, amounts in US cents at the survey's own rate. */
export function indicatorsProjection(householdRef: (householdId: string) => string): Projection {
  return {
    name: 'indicators',
    version: 2,
    collections: Object.values(IN),
    handles: SURVEYS.handles,
    async apply(e: StoredEvent, tx: ReadTx): Promise<void> {
      if (!SURVEYS.is(e)) return;
      const d = e.data;
      const ref = householdRef(d.householdId);
      await tx.put(IN.surveys, `${ref}/${d.round}`, {
        householdRef: ref, round: d.round,
        monthlyIncomeUsdMinor: toUsdMinor(d.monthlyIncomeMinor, d.currency, d.fxRateToUsd),
        savingsUsdMinor: toUsdMinor(d.savingsMinor, d.currency, d.fxRateToUsd),
        businessOperating: d.businessOperating, employed: d.employed,
      } satisfies InSurvey);
    },
  };
}
