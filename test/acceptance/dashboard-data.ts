import type { RunningSystem } from '@peil/testing';
import { enrolment } from './fixtures';
import { accepted, ev, head, peilGrant, uniq } from './programme';

/** Names and numbers of the seeded caseload that must never reach a donor's page. */
export interface Seeded {
  /** The ledger position after the first wave: an earlier `asOf` with fewer deliveries and no endline. */
  early: number;
  personal: string[];
}

const PLACES = [
  { governorate: 'North', district: 'Tripoli' },
  { governorate: 'Akkar', district: 'Akkar' },
  { governorate: 'Bekaa', district: 'Zahle' },
] as const;

/**
 * A small programme through the public API, in two waves: the grant, a kit catalogue, households
 * in three governorates with plans, deliveries (one paid in LBP) and baseline surveys; then more
 * deliveries, an endline, a withdrawal and a management expenditure.
 */
export async function seedProgramme(system: RunningSystem, households = 6): Promise<Seeded> {
  const grant = peilGrant();
  const kits = [
    { itemCode: uniq('SEW'), name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 },
    { itemCode: uniq('FOOD'), name: 'Food processing kit', category: 'cooking', unitCostCeilingMinor: 60_000 },
    { itemCode: uniq('AGRI'), name: 'Greenhouse kit', category: 'agriculture', unitCostCeilingMinor: 40_000 },
  ];
  await accepted(system, 'grant', [grant.event], 'finance');
  await accepted(system, 'asset-transfer', kits.map((k) => ev('AssetCatalogueItemApproved', k)));
  await accepted(system, 'assessment', PLACES.map((p) => ev('MarketAssessmentCompleted', { assessmentId: uniq('MA'), ...p, viableSectors: ['tailoring', 'food-processing'] })));
  const enrolled = Array.from({ length: households }, (_, i) => {
    const e = enrolment({ ...PLACES[i % PLACES.length] }, { fullName: `Zeinab Testname${i}`, sex: i % 3 === 2 ? 'M' : 'F', birthDate: `198${i % 10}-02-1${i % 10}`, phone: `+961 70 55${String(i).padStart(4, '0')}` });
    e.occurredAt = '2025-09-01T09:00:00+03:00';
    return e;
  });
  await accepted(system, 'enrolment', enrolled);
  const ids = enrolled.map((e) => e.data.householdId as string);
  await accepted(system, 'assessment', ids.map((householdId) => ev('SkillsProfileRecorded', { householdId, skills: ['sewing'], yearsExperience: 3, preferredSector: 'tailoring' })));
  await accepted(system, 'assessment', ids.map((householdId, i) => ev('LivelihoodPlanApproved', { householdId, planId: uniq('PLAN'), sector: 'tailoring', assetKit: [{ itemCode: kits[i % kits.length]!.itemCode, quantity: 1 }], trainingModules: ['financial-literacy'], coachingSessions: 2 })));
  const deliver = (i: number, day: string) => {
    const paid = i === 0 ? { unitCostMinor: 2_685_000, currency: 'LBP', fxRateToUsd: '89500' } : { unitCostMinor: 30_000 + i * 1_000, currency: 'USD' };
    return ev('AssetDelivered', { deliveryId: uniq('DLV'), householdId: ids[i]!, itemCode: kits[i % kits.length]!.itemCode, quantity: 1, supplier: 'Tripoli Traders', invoiceRef: `INV-${i}`, ...paid }, `${day}T10:00:00+03:00`);
  };
  const half = Math.ceil(households / 2);
  await accepted(system, 'asset-transfer', ids.slice(0, half).map((_, i) => deliver(i, '2025-10-15')));
  const survey = (householdId: string, i: number, round: string, income: number, day: string) =>
    ev('SurveyRecorded', { surveyId: uniq('SRV'), householdId, round, monthlyIncomeMinor: income, savingsMinor: income / 10, currency: 'USD', businessOperating: round !== 'baseline' && i % 2 === 0, employed: i % 3 === 0 }, `${day}T10:00:00+03:00`);
  await accepted(system, 'evaluation', ids.map((id, i) => survey(id, i, 'baseline', 10_000 + i * 2_000, '2025-09-10')));
  const early = await head(system);

  await accepted(system, 'asset-transfer', ids.slice(half).map((_, j) => deliver(half + j, '2026-01-20')));
  await accepted(system, 'evaluation', ids.slice(1).map((id, i) => survey(id, i + 1, 'endline', 20_000 + i * 3_000, '2026-09-15')));
  await accepted(system, 'enrolment', [ev('HouseholdWithdrawn', { householdId: ids[0]!, reason: 'moved abroad' }, '2026-02-01T09:00:00+02:00')]);
  await accepted(system, 'grant', [ev('ExpenditureRecorded', { expenditureId: uniq('EXP'), budgetLine: grant.lines.management!, amountMinor: 1_250_000, currency: 'USD', payee: 'Audit firm', documentRef: 'INV-A-1' }, '2026-02-20T10:00:00+02:00')], 'finance');
  const personal = enrolled.flatMap((e) => {
    const p = e.data.participant as Record<string, string>;
    return [p.fullName!, p.birthDate!, p.phone!, e.data.householdId as string, e.data.essnId as string];
  });
  return { early, personal };
}
