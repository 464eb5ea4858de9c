import { kitCost, type AssessmentEvent, type Catalogue, type LivelihoodPlanApproved, type RecordedEvent } from '@peil/contracts';
import fc from 'fast-check';
import { DEFAULT_ASSESSMENT_POLICY } from './assessment-policy';
import {
  decideMarketAssessment,
  decidePlan,
  decideSkillsProfile,
  evolveLivelihood,
  evolveMarket,
  initialLivelihood,
  livelihoodOf,
  type PlanInputs,
} from './livelihood.decider';

type StoredAssessmentEvent = RecordedEvent<AssessmentEvent>;

const ON = '2026-04-01T10:00:00+03:00';
const catalogue = new Map([['SEW-01', 35_000], ['IRON-01', 4_000], ['OVEN-01', 60_000]]);
/** The catalogue stream as the published view folds it: every item approved at position 1. */
const approvedCatalogue = (): Catalogue => {
  const approvals = [...catalogue].map(([itemCode, unitCostCeilingMinor]) => ({ position: 1, approvedAt: ON, item: { itemCode, name: itemCode, category: 'other-tools' as const, unitCostCeilingMinor } }));
  return { approvals, latest: new Map(approvals.map((a) => [a.item.itemCode, a])) };
};
const skills: StoredAssessmentEvent = { type: 'SkillsProfileRecorded', eventId: 'e1', occurredAt: ON, position: 3, data: { householdId: 'H1', skills: ['sewing'], yearsExperience: 3, preferredSector: 'tailoring' } };
const tripoli: StoredAssessmentEvent = { type: 'MarketAssessmentCompleted', eventId: 'e0', occurredAt: ON, position: 2, data: { assessmentId: 'MA-1', governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring', 'food-processing'] } };
const plan = (over: Partial<LivelihoodPlanApproved> = {}): LivelihoodPlanApproved => ({
  householdId: 'H1', planId: 'PLAN-1', sector: 'tailoring', assetKit: [{ itemCode: 'SEW-01', quantity: 1 }], trainingModules: ['business-development'], coachingSessions: 6, ...over,
});

/** given: the facts other contexts and earlier events established. */
function given(facts: { household?: PlanInputs['household']; events?: StoredAssessmentEvent[] } = {}) {
  const events = facts.events ?? [skills, tripoli];
  const inputs: PlanInputs = {
    household: facts.household ?? { status: 'active', district: 'Tripoli' },
    livelihood: livelihoodOf(events.reduce(evolveLivelihood, initialLivelihood()), approvedCatalogue()),
    market: events.reduce(evolveMarket, undefined as PlanInputs['market']),
    catalogue,
  };
  return {
    whenPlan: (data: LivelihoodPlanApproved, policy = DEFAULT_ASSESSMENT_POLICY) => {
      const outcome = decidePlan(data, inputs, policy);
      return {
        thenApproves(kitCostMinor: number) {
          expect(outcome).toEqual({ ok: true, events: [{ type: 'LivelihoodPlanApproved', data, kitCostMinor }] });
        },
        thenRejects(code: string, path?: string) {
          if (outcome.ok) throw new Error(`expected ${code}, got approval`);
          expect(outcome.rejection.code).toBe(code);
          if (path) expect(outcome.rejection.path).toBe(path);
        },
      };
    },
  };
}

describe('LivelihoodPlanApproved', () => {
  it('approves a plan for an active, profiled household in a district whose assessment lists the sector', () => {
    given().whenPlan(plan()).thenApproves(35_000);
  });
  it('prices the kit at catalogue ceilings', () => {
    given().whenPlan(plan({ assetKit: [{ itemCode: 'SEW-01', quantity: 2 }, { itemCode: 'IRON-01', quantity: 3 }] })).thenApproves(82_000);
  });
  it('rejects an unknown household (household_not_found)', () => {
    given({ household: { status: 'unknown' } }).whenPlan(plan()).thenRejects('household_not_found', 'data.householdId');
  });
  it('rejects a withdrawn household (household_inactive)', () => {
    given({ household: { status: 'withdrawn', district: 'Tripoli' } }).whenPlan(plan()).thenRejects('household_inactive');
  });
  it('rejects a household without a skills profile (skills_profile_missing)', () => {
    given({ events: [tripoli] }).whenPlan(plan()).thenRejects('skills_profile_missing');
  });
  it('rejects when the district has no market assessment (market_assessment_missing)', () => {
    given({ events: [skills] }).whenPlan(plan()).thenRejects('market_assessment_missing', 'data.sector');
  });
  it('rejects a sector the district assessment does not list (sector_not_viable)', () => {
    given().whenPlan(plan({ sector: 'painting' })).thenRejects('sector_not_viable', 'data.sector');
  });
  it('judges by the newest assessment of the district', () => {
    const newer: StoredAssessmentEvent = { ...tripoli, eventId: 'e9', data: { ...tripoli.data, assessmentId: 'MA-2', viableSectors: ['painting'] } } as StoredAssessmentEvent;
    given({ events: [skills, tripoli, newer] }).whenPlan(plan()).thenRejects('sector_not_viable');
  });
  it('rejects an item missing from the catalogue, naming its place in the kit (unknown_catalogue_item)', () => {
    given().whenPlan(plan({ assetKit: [{ itemCode: 'SEW-01', quantity: 1 }, { itemCode: 'GOLD-01', quantity: 1 }] }))
      .thenRejects('unknown_catalogue_item', 'data.assetKit[1].itemCode');
  });
  it('rejects an item listed twice (duplicate_kit_item)', () => {
    given().whenPlan(plan({ assetKit: [{ itemCode: 'SEW-01', quantity: 1 }, { itemCode: 'SEW-01', quantity: 1 }] })).thenRejects('duplicate_kit_item');
  });
  it('rejects a kit above the per-household ceiling (asset_ceiling_exceeded)', () => {
    given().whenPlan(plan({ assetKit: [{ itemCode: 'OVEN-01', quantity: 1 }, { itemCode: 'SEW-01', quantity: 2 }] })).thenRejects('asset_ceiling_exceeded', 'data.assetKit');
  });
  it('accepts a kit exactly at the ceiling, and uses the configured ceiling', () => {
    given().whenPlan(plan({ assetKit: [{ itemCode: 'SEW-01', quantity: 1 }] }), { assetCeilingUsdMinor: 35_000 }).thenApproves(35_000);
    given().whenPlan(plan(), { assetCeilingUsdMinor: 34_999 }).thenRejects('asset_ceiling_exceeded');
  });
  it('rejects a second plan for the same household (plan_already_approved)', () => {
    const approved: StoredAssessmentEvent = { type: 'LivelihoodPlanApproved', eventId: 'e5', occurredAt: ON, position: 5, data: plan() };
    given({ events: [skills, tripoli, approved] }).whenPlan(plan({ planId: 'PLAN-2' })).thenRejects('plan_already_approved');
  });
  it('approves exactly the kits whose cost is within the ceiling (property)', () => {
    const line = fc.record({ itemCode: fc.constantFrom('SEW-01', 'IRON-01', 'OVEN-01'), quantity: fc.integer({ min: 1, max: 5 }) });
    fc.assert(fc.property(fc.uniqueArray(line, { selector: (l) => l.itemCode, maxLength: 3 }), fc.integer({ min: 0, max: 300_000 }), (kit, ceiling) => {
      const outcome = decidePlan(plan({ assetKit: kit }), { household: { status: 'active', district: 'Tripoli' }, livelihood: livelihoodOf(evolveLivelihood(initialLivelihood(), skills), approvedCatalogue()), market: evolveMarket(undefined, tripoli), catalogue }, { assetCeilingUsdMinor: ceiling });
      expect(outcome.ok).toBe(kitCost(kit, catalogue) <= ceiling);
    }));
  });
  it('remembers the ceilings the plan was committed at', () => {
    const approved: StoredAssessmentEvent = { type: 'LivelihoodPlanApproved', eventId: 'e5', occurredAt: ON, position: 5, data: plan() };
    const state = livelihoodOf(evolveLivelihood(initialLivelihood(), approved), approvedCatalogue());
    expect(state.plan).toMatchObject({ unitCeilings: { 'SEW-01': 35_000 }, kitCostMinor: 35_000, eventId: 'e5' });
  });
});

describe('SkillsProfileRecorded', () => {
  it('records a profile for an active household', () => {
    expect(decideSkillsProfile(skills.data as never, { household: { status: 'active' } }).ok).toBe(true);
  });
  it.each([['unknown', 'household_not_found'], ['withdrawn', 'household_inactive']] as const)('rejects a %s household (%s)', (status, code) => {
    const outcome = decideSkillsProfile(skills.data as never, { household: { status } });
    expect(outcome).toMatchObject({ ok: false, rejection: { code } });
  });
});

describe('MarketAssessmentCompleted', () => {
  it('records a new assessment', () => {
    expect(decideMarketAssessment(tripoli.data as never, undefined, new Set()).ok).toBe(true);
  });
  it('rejects an assessment id already recorded (duplicate_assessment)', () => {
    expect(decideMarketAssessment(tripoli.data as never, undefined, new Set(['MA-1']))).toMatchObject({ ok: false, rejection: { code: 'duplicate_assessment' } });
  });
});
