import type {
  AssetCatalogueItemApproved,
  AssetDelivered,
  AssetReceiptAcknowledged,
  AssetTransferEvent,
  AssetVerified,
} from '@peil/contracts';
import { catalogueView, householdStatusRejection, reject, type Catalogue, type Outcome, type RecordedEvent } from '@peil/contracts';

/** A household's deliveries, receipts and verifications (its `assets-<householdId>` stream). */
export interface Delivery {
  deliveryId: string;
  eventId: string;
  itemCode: string;
  quantity: number;
  unitCostUsdMinor: number;
  totalUsdMinor: number;
  deliveredAt: string;
  acknowledged?: { method: AssetReceiptAcknowledged['method']; at: string };
  verifications: Array<{ status: AssetVerified['status']; at: string }>;
}

export interface HouseholdAssets {
  deliveries: Map<string, Delivery>;
  /** itemCode → quantity delivered so far. */
  deliveredByItem: Map<string, number>;
}

export const initialAssets = (): HouseholdAssets => ({ deliveries: new Map(), deliveredByItem: new Map() });

export type StoredAssetEvent = RecordedEvent<AssetTransferEvent>;

/** US cents of an amount in its currency; injected so the domain stays free of the money library's choices. */
export type ToUsdMinor = (amountMinor: number, currency: 'USD' | 'LBP', fxRateToUsd?: string) => number;

/**
 * Changes `state` in place and returns it (the caller owns the state it passes): a household's stream
 * may hold many verifications, and copying its maps at each event made folding it quadratic.
 */
export function evolveAssets(state: HouseholdAssets, event: StoredAssetEvent, toUsd: ToUsdMinor): HouseholdAssets {
  switch (event.type) {
    case 'AssetDelivered': {
      const d = event.data;
      state.deliveries.set(d.deliveryId, {
        deliveryId: d.deliveryId,
        eventId: event.eventId,
        itemCode: d.itemCode,
        quantity: d.quantity,
        unitCostUsdMinor: toUsd(d.unitCostMinor, d.currency, d.fxRateToUsd),
        totalUsdMinor: toUsd(d.unitCostMinor * d.quantity, d.currency, d.fxRateToUsd),
        deliveredAt: event.occurredAt,
        verifications: [],
      });
      state.deliveredByItem.set(d.itemCode, (state.deliveredByItem.get(d.itemCode) ?? 0) + d.quantity);
      return state;
    }
    case 'AssetReceiptAcknowledged':
    case 'AssetVerified': {
      const current = state.deliveries.get(event.data.deliveryId);
      if (!current) return state;
      if (event.type === 'AssetReceiptAcknowledged') current.acknowledged = { method: event.data.method, at: event.occurredAt };
      else current.verifications.push({ status: event.data.status, at: event.occurredAt });
      return state;
    }
    case 'AssetCatalogueItemApproved':
      return state;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/** What the grant can give a delivery: its assets line (none without a signed grant that has one) and what the plan's commitment still holds. */
export interface DeliveryFunding {
  line?: { code: string; remainingMinor: number };
  /** US cents the plan's commitment still holds. */
  commitmentOutstandingMinor: number;
}

export interface DeliveryInputs {
  household: { status: 'unknown' | 'active' | 'withdrawn'; withdrawnAt?: string };
  plan?: { planId: string; assetKit: Array<{ itemCode: string; quantity: number }>; unitCeilings: Record<string, number> };
  assets: HouseholdAssets;
  /** itemCode → current unit cost ceiling (US cents). */
  catalogue: ReadonlyMap<string, number>;
  /** Delivery ids already used by any household. */
  deliveryIdTaken: boolean;
  funding: DeliveryFunding;
}

/**
 * The plan's ceiling for an item, 0 for an item outside it. Item codes are the client's strings:
 * an own-member check, so "constructor" or "toString" never finds Object.prototype's functions.
 */
export function unitCeiling(plan: { unitCeilings: Record<string, number> }, itemCode: string): number {
  return Object.hasOwn(plan.unitCeilings, itemCode) ? plan.unitCeilings[itemCode]! : 0;
}

/**
 * What a delivery costs the assets line: the expenditure in US cents, and the part of the plan's
 * commitment it consumes (the planned ceiling of the items delivered). The difference is released.
 */
export function deliveryMoney(d: AssetDelivered, plan: { unitCeilings: Record<string, number> }, toUsd: ToUsdMinor): { spendMinor: number; consumeMinor: number } {
  return { spendMinor: toUsd(d.unitCostMinor * d.quantity, d.currency, d.fxRateToUsd), consumeMinor: d.quantity * unitCeiling(plan, d.itemCode) };
}

/** Why the assets line cannot pay for this delivery (what the commitment does not hold must fit in the line), or undefined when it can. */
function fundingShortfall(d: AssetDelivered, plan: NonNullable<DeliveryInputs['plan']>, funding: DeliveryFunding, toUsd: ToUsdMinor): string | undefined {
  const { line } = funding;
  if (!line) return 'no signed grant has a budget line with purpose "assets"';
  const { spendMinor, consumeMinor } = deliveryMoney(d, plan, toUsd);
  const extra = spendMinor - Math.min(consumeMinor, funding.commitmentOutstandingMinor);
  if (extra > line.remainingMinor) {
    return `the delivery costs ${spendMinor} US cents, ${extra} above what plan ${plan.planId} holds, and ${line.code} has ${line.remainingMinor} left`;
  }
  return undefined;
}

/**
 * A delivery needs an active household with an approved plan containing the item with quantity
 * left, a unit cost (converted to USD) within the item's catalogue ceiling, and room on the
 * assets line for whatever it costs above the plan's commitment: overspending is refused before
 * anything is written, since the expenditure follows the delivery.
 */
export function decideDelivery(data: AssetDelivered, inputs: DeliveryInputs, toUsd: ToUsdMinor): Outcome<{ type: 'AssetDelivered'; data: AssetDelivered }> {
  if (inputs.deliveryIdTaken) return reject('duplicate_delivery', `delivery ${data.deliveryId} is already recorded`, 'data.deliveryId');
  const inactive = householdStatusRejection(inputs.household, data.householdId);
  if (inactive) return inactive;
  if (!inputs.plan) return reject('plan_not_found', `household ${data.householdId} has no approved livelihood plan`, 'data.householdId');
  const planned = inputs.plan.assetKit.find((line) => line.itemCode === data.itemCode);
  if (!planned) return reject('item_not_in_plan', `plan ${inputs.plan.planId} does not include ${data.itemCode}`, 'data.itemCode');
  const delivered = inputs.assets.deliveredByItem.get(data.itemCode) ?? 0;
  if (delivered + data.quantity > planned.quantity) {
    return reject('quantity_exceeds_plan', `plan ${inputs.plan.planId} has ${planned.quantity - delivered} of ${data.itemCode} left, not ${data.quantity}`, 'data.quantity');
  }
  const ceiling = inputs.catalogue.get(data.itemCode);
  if (ceiling === undefined) return reject('unknown_catalogue_item', `item ${data.itemCode} is not in the catalogue`, 'data.itemCode');
  const unitUsd = toUsd(data.unitCostMinor, data.currency, data.fxRateToUsd);
  if (unitUsd > ceiling) {
    return reject('unit_cost_above_ceiling', `a unit costs ${unitUsd} US cents, above the ${ceiling} ceiling of ${data.itemCode}`, 'data.unitCostMinor');
  }
  const shortfall = fundingShortfall(data, inputs.plan, inputs.funding, toUsd);
  if (shortfall) return reject('insufficient_funds', shortfall);
  return { ok: true, events: [{ type: 'AssetDelivered', data }] };
}

export function decideReceipt(data: AssetReceiptAcknowledged, assets: HouseholdAssets | undefined): Outcome<{ type: 'AssetReceiptAcknowledged'; data: AssetReceiptAcknowledged }> {
  const delivery = assets?.deliveries.get(data.deliveryId);
  if (!delivery) return reject('unknown_delivery', `delivery ${data.deliveryId} is not recorded`, 'data.deliveryId');
  if (delivery.acknowledged) return reject('already_acknowledged', `delivery ${data.deliveryId} was acknowledged on ${delivery.acknowledged.at}`, 'data.deliveryId');
  return { ok: true, events: [{ type: 'AssetReceiptAcknowledged', data }] };
}

export function decideVerification(data: AssetVerified, assets: HouseholdAssets | undefined): Outcome<{ type: 'AssetVerified'; data: AssetVerified }> {
  if (!assets?.deliveries.get(data.deliveryId)) return reject('unknown_delivery', `delivery ${data.deliveryId} is not recorded`, 'data.deliveryId');
  return { ok: true, events: [{ type: 'AssetVerified', data }] };
}

export function decideCatalogueItem(data: AssetCatalogueItemApproved): Outcome<{ type: 'AssetCatalogueItemApproved'; data: AssetCatalogueItemApproved }> {
  // Re-approving a code updates its ceiling for future deliveries; plans keep the ceiling they were committed at.
  return { ok: true, events: [{ type: 'AssetCatalogueItemApproved', data }] };
}

/** A command on a household's assets stream; the processor validated `data` with the schema of `type`. */
export type AssetsCommand = { occurredAt: string } & (
  | { type: 'AssetDelivered'; data: AssetDelivered }
  | { type: 'AssetReceiptAcknowledged'; data: AssetReceiptAcknowledged }
  | { type: 'AssetVerified'; data: AssetVerified }
);

/** What an assets decision is told, read before it: who owns the delivery id, and for a delivery its household, plan, catalogue and funding. */
export interface AssetsContext {
  /** The household whose stream records this delivery id, if any does. */
  deliveryOwner: string | undefined;
  delivery?: Omit<DeliveryInputs, 'assets' | 'deliveryIdTaken'>;
}

/** A household's assets stream in Emmett's shape: deliveries, receipts and verifications decided on its fold. */
export const assetsDecider = (toUsd: ToUsdMinor) => ({
  initialState: initialAssets,
  evolve: (state: HouseholdAssets, event: StoredAssetEvent) => evolveAssets(state, event, toUsd),
  decide(command: AssetsCommand, assets: HouseholdAssets, context: AssetsContext): Outcome<AssetTransferEvent> {
    switch (command.type) {
      case 'AssetDelivered': {
        if (!context.delivery) throw new Error('a delivery is decided with its household, plan, catalogue and funding');
        return decideDelivery(command.data, { ...context.delivery, assets, deliveryIdTaken: context.deliveryOwner !== undefined }, toUsd);
      }
      case 'AssetReceiptAcknowledged':
        return decideReceipt(command.data, assets);
      case 'AssetVerified':
        return decideVerification(command.data, assets);
    }
  },
});

/** The catalogue stream: every approval is accepted (a re-approval sets the ceiling for later deliveries). */
export const catalogueDecider = {
  initialState: catalogueView.initialState,
  evolve: (catalogue: Catalogue, event: StoredAssetEvent) => catalogueView.evolve(catalogue, event),
  decide: (command: { data: AssetCatalogueItemApproved }): Outcome<AssetTransferEvent> => decideCatalogueItem(command.data),
};
