import type { ReadTx } from '@peil/projections';
import { BF, type BfHousehold } from '../projections/beneficiaries.projection';

const MODULES = ['business-development', 'financial-literacy', 'technical', 'coaching-group'] as const;
const ROUNDS = ['baseline', 'midline', 'endline'] as const;

type Stage = (h: BfHousehold) => boolean;
const STAGES: Array<[string, Stage]> = [
  ['enrolled', () => true],
  ['active', (h) => h.status === 'active'],
  ['withdrawn', (h) => h.status === 'withdrawn'],
  ['profiled', (h) => h.profiled],
  ['withPlan', (h) => h.withPlan],
  ['withAssets', (h) => h.withAssets],
  ['trained', (h) => h.trainedModules.length > 0],
  ...MODULES.map((m): [string, Stage] => [`trained:${m}`, (h) => h.trainedModules.includes(m)]),
  ['coached', (h) => h.coached],
  ['nudged', (h) => h.nudged],
  ...ROUNDS.map((r): [string, Stage] => [`surveyed:${r}`, (h) => h.surveyedRounds.includes(r)]),
];

/**
 * A governorate as a report key: the name as submitted, in NFC, so "Akkār" typed with a combining
 * macron and with a precomposed ā is counted once. The ledger keeps the text as submitted.
 */
export const governorateKey = (name: string): string => name.normalize('NFC');

/**
 * Households now: by status (active + withdrawn = total; replaced counts those whose participant was
 * replaced, whatever their status), by the current participant's sex, and per governorate.
 */
function householdCounts(households: BfHousehold[], governorates: string[]) {
  const counts = (list: BfHousehold[]) => ({
    total: list.length,
    F: list.filter((h) => h.sex === 'F').length,
    M: list.filter((h) => h.sex === 'M').length,
    active: list.filter((h) => h.status === 'active').length,
    withdrawn: list.filter((h) => h.status === 'withdrawn').length,
    replaced: list.filter((h) => h.replaced).length,
  });
  const all = counts(households);
  return {
    total: all.total,
    byStatus: { active: all.active, withdrawn: all.withdrawn, replaced: all.replaced },
    bySex: { F: all.F, M: all.M },
    byGovernorate: Object.fromEntries(governorates.map((g) => [g, counts(households.filter((h) => h.governorate === g))])),
  };
}

/** The beneficiary funnel: each stage counted overall, by sex and by governorate; and the households' counts. Counts only. */
export async function beneficiaries(tx: ReadTx) {
  const households = (await tx.all<BfHousehold>(BF.households)).map((h) => ({ ...h.doc, governorate: governorateKey(h.doc.governorate) }));
  const governorates = [...new Set(households.map((h) => h.governorate))].sort();
  const count = (list: BfHousehold[], stage: Stage) => list.filter(stage).length;
  return {
    households: householdCounts(households, governorates),
    funnel: STAGES.map(([stage, test]) => ({
      stage,
      total: count(households, test),
      bySex: { F: count(households.filter((h) => h.sex === 'F'), test), M: count(households.filter((h) => h.sex === 'M'), test) },
      byGovernorate: Object.fromEntries(governorates.map((g) => [g, count(households.filter((h) => h.governorate === g), test)])),
    })),
  };
}
