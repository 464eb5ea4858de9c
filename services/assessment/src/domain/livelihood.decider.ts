import type {
  AssessmentEvent,
  LivelihoodPlanApproved,
  MarketAssessmentCompleted,
  SkillsProfileRecorded,
} from '@peil/contracts';
import {
  approvedPlanOf,
  approvedPlanView,
  householdStatusRejection,
  kitCost,
  reject,
  type ApprovedPlan,
  type Catalogue,
  type HouseholdStatus,
  type Outcome,
  type PlanApproval,
  type RecordedEvent,
} from '@peil/contracts';
import type { AssessmentPolicy } from './assessment-policy';

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

/** The newest market assessment of one district. */
export type Market = (MarketAssessmentCompleted & { completedAt: string }) | undefined;

/** What other contexts tell this one, read fresh from the ledger before each decision. */
export interface PlanInputs {
  household: Pick<HouseholdStatus, 'status'> & { district?: string; withdrawnAt?: string };
  livelihood: Livelihood;
  market: Market;
  /** itemCode → unit cost ceiling in US cents, from the asset catalogue. */
  catalogue: ReadonlyMap<string, number>;
}

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

export function evolveMarket(market: Market, event: RecordedEvent<AssessmentEvent>): Market {
  return event.type === 'MarketAssessmentCompleted' ? { ...event.data, completedAt: event.occurredAt } : market;
}

export function decideSkillsProfile(data: SkillsProfileRecorded, inputs: Pick<PlanInputs, 'household'>): Outcome<{ type: 'SkillsProfileRecorded'; data: SkillsProfileRecorded }> {
  const inactive = householdStatusRejection(inputs.household, data.householdId);
  if (inactive) return inactive;
  return { ok: true, events: [{ type: 'SkillsProfileRecorded', data }] };
}

/**
 * A plan needs an active household, its skills profile, a market assessment of the household's
 * district that lists the sector, catalogue items that exist, and a kit within the ceiling.
 * Funds are the grant's to decide (insufficient_funds comes from the commitment).
 */
export function decidePlan(
  data: LivelihoodPlanApproved,
  inputs: PlanInputs,
  policy: AssessmentPolicy,
): Outcome<{ type: 'LivelihoodPlanApproved'; data: LivelihoodPlanApproved; kitCostMinor: number }> {
  const inactive = householdStatusRejection(inputs.household, data.householdId);
  if (inactive) return inactive;
  if (inputs.livelihood.plan) {
    return reject('plan_already_approved', `household ${data.householdId} already has plan ${inputs.livelihood.plan.planId}`, 'data.householdId');
  }
  if (!inputs.livelihood.skills) {
    return reject('skills_profile_missing', `household ${data.householdId} has no skills profile yet`, 'data.householdId');
  }
  if (!inputs.market) {
    return reject('market_assessment_missing', `no market assessment of ${inputs.household.district ?? 'the household district'}`, 'data.sector');
  }
  if (!inputs.market.viableSectors.includes(data.sector)) {
    return reject('sector_not_viable', `the market assessment of ${inputs.market.district} does not list ${data.sector}`, 'data.sector');
  }
  const seen = new Set<string>();
  for (const [i, line] of data.assetKit.entries()) {
    if (!inputs.catalogue.has(line.itemCode)) {
      return reject('unknown_catalogue_item', `item ${line.itemCode} is not in the approved catalogue`, `data.assetKit[${i}].itemCode`);
    }
    if (seen.has(line.itemCode)) {
      return reject('duplicate_kit_item', `item ${line.itemCode} appears twice in the kit`, `data.assetKit[${i}].itemCode`);
    }
    seen.add(line.itemCode);
  }
  const cost = kitCost(data.assetKit, inputs.catalogue);
  if (cost > policy.assetCeilingUsdMinor) {
    return reject('asset_ceiling_exceeded', `the kit costs ${cost} US cents at catalogue ceilings, above the ${policy.assetCeilingUsdMinor} per household`, 'data.assetKit');
  }
  return { ok: true, events: [{ type: 'LivelihoodPlanApproved', data, kitCostMinor: cost }] };
}


export function decideMarketAssessment(
  data: MarketAssessmentCompleted,
  market: Market,
  knownAssessmentIds: ReadonlySet<string>,
): Outcome<{ type: 'MarketAssessmentCompleted'; data: MarketAssessmentCompleted }> {
  if (knownAssessmentIds.has(data.assessmentId) || market?.assessmentId === data.assessmentId) {
    return reject('duplicate_assessment', `assessment ${data.assessmentId} is already recorded`, 'data.assessmentId');
  }
  return { ok: true, events: [{ type: 'MarketAssessmentCompleted', data }] };
}
