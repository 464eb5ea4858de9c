import type { StoredEvent } from '@peil/ledger';
import type { Projection, ReadTx } from '@peil/projections';
import { reportedTypes } from './upcasting';

export const BF = { households: 'bf_households' } as const;

/** What the funnel counts of one household; no name, phone or birth date ever enters it. */
export interface BfHousehold {
  [k: string]: unknown;
  householdRef: string;
  sex: 'F' | 'M';
  governorate: string;
  status: 'active' | 'withdrawn';
  /** The participant was replaced at least once (another member of the household took the place). */
  replaced: boolean;
  profiled: boolean;
  withPlan: boolean;
  withAssets: boolean;
  trainedModules: string[];
  coached: boolean;
  nudged: boolean;
  surveyedRounds: string[];
}

const EVENTS = reportedTypes(
  'HouseholdEnrolled', 'ParticipantReplaced', 'HouseholdWithdrawn', 'SkillsProfileRecorded', 'LivelihoodPlanApproved', 'AssetDelivered',
  'TrainingAttended', 'CoachingVisitRecorded', 'SavingsNudgeSent', 'SurveyRecorded',
);
const add = (list: string[], value: string) => (list.includes(value) ? list : [...list, value].sort());
/** `add` hands back the same list when the value is in it, so comparing members by identity suffices. */
const unchanged = (before: BfHousehold, after: BfHousehold) => Object.keys(after).every((k) => after[k] === before[k]);

/** One document per household (by its pseudonymous reference) with the funnel stages it reached. */
export function beneficiariesProjection(householdRef: (householdId: string) => string): Projection {
  return {
    name: 'beneficiaries',
    version: 2,
    collections: Object.values(BF),
    handles: EVENTS.handles,
    async apply(e: StoredEvent, tx: ReadTx): Promise<void> {
      if (!EVENTS.is(e)) return;
      const ref = householdRef(e.data.householdId);
      if (e.type === 'HouseholdEnrolled') {
        const d = e.data;
        await tx.put(BF.households, ref, {
          householdRef: ref, sex: d.participant.sex, governorate: d.governorate, status: 'active', replaced: false, profiled: false, withPlan: false, withAssets: false,
          trainedModules: [], coached: false, nudged: false, surveyedRounds: [],
        } satisfies BfHousehold);
        return;
      }
      const h = await tx.get<BfHousehold>(BF.households, ref);
      if (!h) return;
      const next: BfHousehold = { ...h };
      switch (e.type) {
        case 'ParticipantReplaced': next.sex = e.data.participant.sex; next.replaced = true; break;
        case 'HouseholdWithdrawn': next.status = 'withdrawn'; break;
        case 'SkillsProfileRecorded': next.profiled = true; break;
        case 'LivelihoodPlanApproved': next.withPlan = true; break;
        case 'AssetDelivered': next.withAssets = true; break;
        case 'TrainingAttended': next.trainedModules = add(h.trainedModules, e.data.module ?? 'unknown'); break;
        case 'CoachingVisitRecorded': next.coached = true; break;
        case 'SavingsNudgeSent': next.nudged = true; break;
        case 'SurveyRecorded': next.surveyedRounds = add(h.surveyedRounds, e.data.round); break;
      }
      // Most events reach a stage the household already reached (a second nudge, another coaching
      // visit): nothing to write, and a rebuild skips copying and comparing the document for them.
      if (unchanged(h, next)) return;
      await tx.put(BF.households, ref, next);
    },
  };
}
