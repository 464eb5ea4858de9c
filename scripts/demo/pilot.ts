import { financeExpenditures, GRANT_AMOUNT_MINOR, GRANT_ID, LINES, plansAndReplenishments, signGrant } from './finance';
import { generateHouseholds } from './households';
import { KITS, PLACES } from './lebanon';
import { Prng } from './random';
import { generateTraining } from './training';
import { PILOT_MONTHS, Timeline, type Submission } from './timeline';

export interface PilotOptions {
  seed: string;
  households: number;
}

export interface Pilot {
  submissions: Submission[];
  events: number;
  households: number;
  withdrawn: number;
  sessions: number;
  grantId: string;
  grantAmountMinor: number;
}

/**
 * The whole 18-month pilot as the NGO's and the finance team's systems would submit it, month by
 * month: the grant and its money, the catalogue, market assessments of every district the pilot
 * works in, and the households' path from enrolment to endline. Pure: the same options always give
 * the same submissions, event ids included.
 */
export function generatePilot(options: PilotOptions): Pilot {
  const t = new Timeline(options.seed);
  const rng = new Prng(options.seed);
  signGrant(t);
  KITS.forEach(({ itemCode, name, category, unitCostCeilingMinor }, i) => {
    t.add('catalogue', 0, 10 + (i % 10), '12:00', 'AssetCatalogueItemApproved', { itemCode, name, category, unitCostCeilingMinor }, itemCode);
  });
  PLACES.forEach(({ governorate, district }, i) => {
    const code = district.en.replace(/[^A-Za-z]/g, '').toUpperCase();
    t.add('markets', i % 2, 5 + (i % 20), '10:00', 'MarketAssessmentCompleted', { assessmentId: `MA-2025-${code}`, governorate: governorate.en, district: district.en, viableSectors: [...district.sectors] }, code);
  });
  const households = generateHouseholds(t, rng, options.households, LINES);
  const sessions = generateTraining(t, rng, households, LINES);
  financeExpenditures(t, rng);
  plansAndReplenishments(t);
  return {
    submissions: t.submissions(),
    events: t.size,
    households: households.length,
    withdrawn: households.filter((h) => h.withdrawnIn !== null && h.withdrawnIn < PILOT_MONTHS).length,
    sessions,
    grantId: GRANT_ID,
    grantAmountMinor: GRANT_AMOUNT_MINOR,
  };
}
