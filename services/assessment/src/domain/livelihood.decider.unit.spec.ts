import { kitCost, type AssessmentEvent, type Catalogue, type LivelihoodPlanApproved, type RecordedEvent, type SkillsProfileRecorded } from '@peil/contracts';
import { deciderSpec } from '@peil/testing';
import fc from 'fast-check';
import { DEFAULT_ASSESSMENT_POLICY, type AssessmentPolicy } from './assessment-policy';
import { evolveLivelihood, initialLivelihood, livelihoodDecider, livelihoodOf, planHold, type LivelihoodCommand, type LivelihoodInputs } from './livelihood.decider';

type Recorded = RecordedEvent<AssessmentEvent>;

const ON = '2026-04-01T10:00:00+03:00';
const catalogue = new Map([['SEW-01', 35_000], ['IRON-01', 4_000], ['OVEN-01', 60_000]]);
/** The catalogue stream as the published view folds it: every item approved at position 1. */
const approvedCatalogue = (): Catalogue => {
  const approvals = [...catalogue].map(([itemCode, unitCostCeilingMinor]) => ({ position: 1, approvedAt: ON, item: { itemCode, name: itemCode, category: 'other-tools' as const, unitCostCeilingMinor } }));
  return { approvals, latest: new Map(approvals.map((a) => [a.item.itemCode, a])) };
};
const profile: SkillsProfileRecorded = { householdId: 'H1', skills: ['sewing'], yearsExperience: 3, preferredSector: 'tailoring' };
const skills: Recorded = { type: 'SkillsProfileRecorded', eventId: 'e1', occurredAt: ON, position: 3, data: profile };
const tripoli = { assessmentId: 'MA-1', governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring', 'food-processing'], completedAt: ON };
const plan = (over: Partial<LivelihoodPlanApproved> = {}): LivelihoodPlanApproved => ({
  householdId: 'H1', planId: 'PLAN-1', sector: 'tailoring', assetKit: [{ itemCode: 'SEW-01', quantity: 1 }], trainingModules: ['business-development'], coachingSessions: 6, ...over,
});
const approve = (over: Partial<LivelihoodPlanApproved> = {}): LivelihoodCommand => ({ type: 'LivelihoodPlanApproved', data: plan(over), occurredAt: ON });
const record = (data: SkillsProfileRecorded = profile): LivelihoodCommand => ({ type: 'SkillsProfileRecorded', data, occurredAt: ON });
const approved: Recorded = { type: 'LivelihoodPlanApproved', eventId: 'e5', occurredAt: ON, position: 5, data: plan() };

/** What other contexts published, as the runtime hands it to the decider: an active household of Tripoli by default. */
const inputsWith = (over: Partial<LivelihoodInputs> = {}): LivelihoodInputs => ({ household: { status: 'active', district: 'Tripoli' }, market: tripoli, catalogue, ...over });

/** given (the livelihood stream's events) / when (a command) / then (new events or a rejection), with `inputs` as values. */
function spec(inputs: Partial<LivelihoodInputs> = {}, policy: AssessmentPolicy = DEFAULT_ASSESSMENT_POLICY) {
  const decider = livelihoodDecider(policy);
  return deciderSpec({ ...decider, decide: (command: LivelihoodCommand, state: ReturnType<typeof decider.initialState>) => decider.decide(command, state, inputsWith(inputs)) });
}

describe('LivelihoodPlanApproved', () => {
  it('approves a plan for an active, profiled household in a district whose assessment lists the sector', () => {
    spec().given([skills]).when(approve()).then([{ type: 'LivelihoodPlanApproved', data: plan() }]);
  });
  it.each([['unknown', 'household_not_found'], ['withdrawn', 'household_inactive']] as const)('rejects a %s household (%s)', (status, code) => {
    spec({ household: { status, district: 'Tripoli' } }).given([skills]).when(approve()).thenRejects(code, 'data.householdId');
  });
  it('rejects a household without a skills profile (skills_profile_missing)', () => {
    spec().given([]).when(approve()).thenRejects('skills_profile_missing', 'data.householdId');
  });
  it('rejects when the district has no market assessment (market_assessment_missing)', () => {
    spec({ market: undefined }).given([skills]).when(approve()).thenRejects('market_assessment_missing', 'data.sector');
  });
  it('rejects a sector the district assessment does not list (sector_not_viable)', () => {
    spec().given([skills]).when(approve({ sector: 'painting' })).thenRejects('sector_not_viable', 'data.sector');
  });
  it('rejects an item missing from the catalogue, naming its place in the kit (unknown_catalogue_item)', () => {
    spec().given([skills]).when(approve({ assetKit: [{ itemCode: 'SEW-01', quantity: 1 }, { itemCode: 'GOLD-01', quantity: 1 }] }))
      .thenRejects('unknown_catalogue_item', 'data.assetKit[1].itemCode');
  });
  it('rejects an item listed twice (duplicate_kit_item)', () => {
    spec().given([skills]).when(approve({ assetKit: [{ itemCode: 'SEW-01', quantity: 1 }, { itemCode: 'SEW-01', quantity: 1 }] })).thenRejects('duplicate_kit_item', 'data.assetKit[1].itemCode');
  });
  it('rejects a kit above the per-household ceiling (asset_ceiling_exceeded)', () => {
    spec().given([skills]).when(approve({ assetKit: [{ itemCode: 'OVEN-01', quantity: 1 }, { itemCode: 'SEW-01', quantity: 2 }] })).thenRejects('asset_ceiling_exceeded', 'data.assetKit');
  });
  it('accepts a kit exactly at the ceiling, and uses the configured ceiling', () => {
    spec({}, { assetCeilingUsdMinor: 35_000 }).given([skills]).when(approve()).then([{ type: 'LivelihoodPlanApproved', data: plan() }]);
    spec({}, { assetCeilingUsdMinor: 34_999 }).given([skills]).when(approve()).thenRejects('asset_ceiling_exceeded');
  });
  it('rejects a second plan for the same household (plan_already_approved)', () => {
    spec().given([skills, approved]).when(approve({ planId: 'PLAN-2' })).thenRejects('plan_already_approved', 'data.householdId');
  });
  it('approves exactly the kits whose cost is within the ceiling (property)', () => {
    const line = fc.record({ itemCode: fc.constantFrom('SEW-01', 'IRON-01', 'OVEN-01'), quantity: fc.integer({ min: 1, max: 5 }) });
    const state = evolveLivelihood(initialLivelihood(), skills);
    fc.assert(fc.property(fc.uniqueArray(line, { selector: (l) => l.itemCode, maxLength: 3 }), fc.integer({ min: 0, max: 300_000 }), (kit, ceiling) => {
      const outcome = livelihoodDecider({ assetCeilingUsdMinor: ceiling }).decide(approve({ assetKit: kit }), state, inputsWith());
      expect(outcome.ok).toBe(kitCost(kit, catalogue) <= ceiling);
    }), { seed: 13 });
  });
});

describe('planHold: what an accepted plan commits on the grant before it is recorded', () => {
  it('is the kit at catalogue ceilings', () => {
    expect(planHold(approve({ assetKit: [{ itemCode: 'SEW-01', quantity: 2 }, { itemCode: 'IRON-01', quantity: 3 }] }), inputsWith())).toEqual({ kitCostMinor: 82_000 });
  });
  it('is nothing for an empty kit and for a skills profile', () => {
    expect(planHold(approve({ assetKit: [] }), inputsWith())).toBeUndefined();
    expect(planHold(record(), inputsWith())).toBeUndefined();
  });
});

describe('SkillsProfileRecorded', () => {
  it('records a profile for an active household, and a newer one over it', () => {
    spec().given([]).when(record()).then([{ type: 'SkillsProfileRecorded', data: profile }]);
    spec().given([skills]).when(record({ ...profile, yearsExperience: 4 })).then([{ type: 'SkillsProfileRecorded', data: { ...profile, yearsExperience: 4 } }]);
  });
  it.each([['unknown', 'household_not_found'], ['withdrawn', 'household_inactive']] as const)('rejects a %s household (%s)', (status, code) => {
    spec({ household: { status } }).given([]).when(record()).thenRejects(code, 'data.householdId');
  });
});

describe('the livelihood stream folded', () => {
  it('remembers the ceilings the plan was committed at', () => {
    const state = livelihoodOf([skills, approved].reduce(evolveLivelihood, initialLivelihood()), approvedCatalogue());
    expect(state.plan).toMatchObject({ unitCeilings: { 'SEW-01': 35_000 }, kitCostMinor: 35_000, eventId: 'e5' });
    expect(state.skills).toMatchObject({ preferredSector: 'tailoring', recordedAt: ON });
  });
  it('keeps the first approval when a second one is recorded', () => {
    const second: Recorded = { ...approved, eventId: 'e6', position: 6, data: plan({ planId: 'PLAN-2' }) };
    expect([approved, second].reduce(evolveLivelihood, initialLivelihood()).approval).toMatchObject({ eventId: 'e5', data: { planId: 'PLAN-1' } });
  });
});
