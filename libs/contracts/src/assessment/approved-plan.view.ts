import type { PublishedView } from '../common/view';
import { catalogueCeilings, type Catalogue } from '../asset-transfer/catalogue.view';
import { livelihoodStreamId, type AssessmentEvent, type LivelihoodPlanApproved } from './assessment.events';

/** A plan as approved: its data, and where and when the ledger recorded the approval. */
export interface PlanApproval {
  data: LivelihoodPlanApproved;
  eventId: string;
  approvedAt: string;
  position: number;
}

/** A household's approved plan, its kit priced at the catalogue ceilings in force when it was approved. */
export type ApprovedPlan = LivelihoodPlanApproved & {
  approvedAt: string;
  eventId: string;
  /** itemCode → unit ceiling (US cents) when the plan was approved: what its commitment holds per unit. */
  unitCeilings: Record<string, number>;
  kitCostMinor: number;
};

/**
 * The approved plan folded from a household's livelihood stream (`livelihood-<id>`), written by
 * assessment and read by asset-transfer (deliveries against the kit) and training (its modules).
 * A household has one plan: the first approval counts.
 */
export const approvedPlanView: PublishedView<PlanApproval | undefined, AssessmentEvent> = {
  types: ['LivelihoodPlanApproved'],
  streamId: livelihoodStreamId,
  initialState: () => undefined,
  evolve: (approval, event) =>
    approval === undefined && event.type === 'LivelihoodPlanApproved'
      ? { data: event.data, eventId: event.eventId, approvedAt: event.occurredAt, position: event.position }
      : approval,
};

/** Kit cost at catalogue ceilings, in US cents; an item missing from `ceilings` costs 0 (deciders reject it first). */
export function kitCost(kit: LivelihoodPlanApproved['assetKit'], ceilings: ReadonlyMap<string, number>): number {
  return kit.reduce((sum, line) => sum + line.quantity * (ceilings.get(line.itemCode) ?? 0), 0);
}

/** The plan priced at `ceilingsAtApproval`: the catalogue as of the approval's position. */
export function pricedPlan(approval: PlanApproval, ceilingsAtApproval: ReadonlyMap<string, number>): ApprovedPlan {
  const kit = approval.data.assetKit;
  return {
    ...approval.data,
    approvedAt: approval.approvedAt,
    eventId: approval.eventId,
    unitCeilings: Object.fromEntries(kit.map((l) => [l.itemCode, ceilingsAtApproval.get(l.itemCode) ?? 0])),
    kitCostMinor: kitCost(kit, ceilingsAtApproval),
  };
}

/** The approval priced at the catalogue as of its position, or undefined without a plan. */
export const approvedPlanOf = (approval: PlanApproval | undefined, catalogue: Catalogue): ApprovedPlan | undefined =>
  approval && pricedPlan(approval, catalogueCeilings(catalogue, approval.position));
