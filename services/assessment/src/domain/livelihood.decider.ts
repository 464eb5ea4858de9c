import {
  approvedPlanOf,
  approvedPlanView,
  householdStatusRejection,
  kitCost,
  reject,
  type ApprovedPlan,
  type AssessmentEvent,
  type Catalogue,
  type HouseholdStatus,
  type LivelihoodPlanApproved,
  type Outcome,
  type PlanApproval,
  type RecordedEvent,
  type SkillsProfileRecorded,
} from '@peil/contracts';
import type { AssessmentPolicy } from './assessment-policy';
import type { Market } from './market.decider';

/** A household's livelihood stream folded: its skills profile and its plan's approval. */
export interface LivelihoodStream {
  skills?: SkillsProfileRecorded & { recordedAt: string };
  approval?: PlanApproval;
}

export const initialLivelihood = (): LivelihoodStream => ({});

/** What the assessment context knows about one household: its skills profile and its plan, priced. */
export interface Livelihood {
  skills?: SkillsProfileRecorded & { recordedAt: string };
  plan?: ApprovedPlan;
}

/** The stream with its plan priced at the catalogue in force when the plan was approved. */
export function livelihoodOf(stream: LivelihoodStream, catalogue: Catalogue): Livelihood {
  const plan = approvedPlanOf(stream.approval, catalogue);
  return { ...(stream.skills ? { skills: stream.skills } : {}), ...(plan ? { plan } : {}) };
}

export type LivelihoodCommand =
  | { type: 'SkillsProfileRecorded'; data: SkillsProfileRecorded; occurredAt: string }
  | { type: 'LivelihoodPlanApproved'; data: LivelihoodPlanApproved; occurredAt: string };

export type LivelihoodOutcome = Outcome<{ type: 'SkillsProfileRecorded'; data: SkillsProfileRecorded } | { type: 'LivelihoodPlanApproved'; data: LivelihoodPlanApproved }>;

/**
 * What other contexts tell this one, as values read fresh before each decision: the household's
 * status (enrolment's published view) for every command; for a plan also its district's newest
 * market assessment and the catalogue's unit cost ceilings (asset-transfer's published view).
 */
export interface LivelihoodInputs {
  household: Pick<HouseholdStatus, 'status'> & { district?: string; withdrawnAt?: string };
  market?: Market;
  /** itemCode → unit cost ceiling in US cents. */
  catalogue?: ReadonlyMap<string, number>;
}

/** What an approved plan holds on the grant before it is recorded: its kit at catalogue ceilings. */
export interface PlanHold {
  kitCostMinor: number;
}

const NO_ITEMS: ReadonlyMap<string, number> = new Map();

export function evolveLivelihood(state: LivelihoodStream, event: RecordedEvent<AssessmentEvent>): LivelihoodStream {
  switch (event.type) {
    case 'SkillsProfileRecorded':
      return { ...state, skills: { ...event.data, recordedAt: event.occurredAt } };
    case 'LivelihoodPlanApproved':
      return { ...state, approval: approvedPlanView.evolve(state.approval, event) };
    case 'MarketAssessmentCompleted':
      return state;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

function decideSkillsProfile(data: SkillsProfileRecorded, inputs: LivelihoodInputs): LivelihoodOutcome {
  const inactive = householdStatusRejection(inputs.household, data.householdId);
  if (inactive) return inactive;
  return { ok: true, events: [{ type: 'SkillsProfileRecorded', data }] };
}

/**
 * A plan needs an active household, its skills profile, a market assessment of the household's
 * district that lists the sector, catalogue items that exist, and a kit within the ceiling.
 * Funds are the grant's to decide: `insufficient_funds` comes from the reserve step that follows.
 */
function decidePlan(data: LivelihoodPlanApproved, state: LivelihoodStream, inputs: LivelihoodInputs, policy: AssessmentPolicy): LivelihoodOutcome {
  const inactive = householdStatusRejection(inputs.household, data.householdId);
  if (inactive) return inactive;
  if (state.approval) {
    return reject('plan_already_approved', `household ${data.householdId} already has plan ${state.approval.data.planId}`, 'data.householdId');
  }
  if (!state.skills) return reject('skills_profile_missing', `household ${data.householdId} has no skills profile yet`, 'data.householdId');
  const { market } = inputs;
  if (!market) return reject('market_assessment_missing', `no market assessment of ${inputs.household.district ?? 'the household district'}`, 'data.sector');
  if (!market.viableSectors.includes(data.sector)) {
    return reject('sector_not_viable', `the market assessment of ${market.district} does not list ${data.sector}`, 'data.sector');
  }
  const catalogue = inputs.catalogue ?? NO_ITEMS;
  const seen = new Set<string>();
  for (const [i, line] of data.assetKit.entries()) {
    if (!catalogue.has(line.itemCode)) {
      return reject('unknown_catalogue_item', `item ${line.itemCode} is not in the approved catalogue`, `data.assetKit[${i}].itemCode`);
    }
    if (seen.has(line.itemCode)) return reject('duplicate_kit_item', `item ${line.itemCode} appears twice in the kit`, `data.assetKit[${i}].itemCode`);
    seen.add(line.itemCode);
  }
  const cost = kitCost(data.assetKit, catalogue);
  if (cost > policy.assetCeilingUsdMinor) {
    return reject('asset_ceiling_exceeded', `the kit costs ${cost} US cents at catalogue ceilings, above the ${policy.assetCeilingUsdMinor} per household`, 'data.assetKit');
  }
  return { ok: true, events: [{ type: 'LivelihoodPlanApproved', data }] };
}

/** The funds an accepted plan commits before it is recorded; nothing for a free kit or a skills profile. */
export function planHold(command: LivelihoodCommand, inputs: LivelihoodInputs): PlanHold | undefined {
  if (command.type !== 'LivelihoodPlanApproved') return undefined;
  const kitCostMinor = kitCost(command.data.assetKit, inputs.catalogue ?? NO_ITEMS);
  return kitCostMinor > 0 ? { kitCostMinor } : undefined;
}

/**
 * A household's livelihood stream (`livelihood-<id>`) in Emmett's shape: skills profiles and the
 * plan's approval, decided on the folded stream with other contexts' views as values. Pure.
 */
export const livelihoodDecider = (policy: AssessmentPolicy) => ({
  initialState: initialLivelihood,
  evolve: evolveLivelihood,
  decide(command: LivelihoodCommand, state: LivelihoodStream, inputs: LivelihoodInputs): LivelihoodOutcome {
    switch (command.type) {
      case 'SkillsProfileRecorded':
        return decideSkillsProfile(command.data, inputs);
      case 'LivelihoodPlanApproved':
        return decidePlan(command.data, state, inputs, policy);
    }
  },
});
