import type { AssetDelivered } from '@peil/contracts';
import { deciderSpec } from '@peil/testing';
import fc from 'fast-check';
import {
  assetsDecider,
  catalogueDecider,
  evolveAssets,
  initialAssets,
  type AssetsCommand,
  type AssetsContext,
  type HouseholdAssets,
  type StoredAssetEvent,
  type ToUsdMinor,
} from './assets.decider';

// A simple stand-in rate table for the domain tests; the real conversion is tested with the money type.
const toUsd: ToUsdMinor = (amount, currency, rate) => (currency === 'USD' ? amount : Math.round((amount * 100) / Number(rate)));
const ON = '2026-05-01T10:00:00+03:00';
const plan = { planId: 'PLAN-1', assetKit: [{ itemCode: 'SEW-01', quantity: 2 }], unitCeilings: { 'SEW-01': 35_000 } };
/** Room enough on the assets line for any delivery here, unless a spec says otherwise. */
const funded = { line: { code: 'A.1', remainingMinor: 1_000_000 }, commitmentOutstandingMinor: 70_000 };
const delivery = (over: Partial<AssetDelivered> = {}): AssetDelivered => ({
  deliveryId: 'D1', householdId: 'H1', itemCode: 'SEW-01', quantity: 1, unitCostMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500', supplier: 'Tripoli Sewing Co', invoiceRef: 'INV-1', ...over,
});
const delivered = (d: AssetDelivered, eventId = `ev-${d.deliveryId}`): StoredAssetEvent => ({ type: 'AssetDelivered', data: d, eventId, occurredAt: ON, position: 0 });
const acknowledged = (deliveryId: string): StoredAssetEvent => ({ type: 'AssetReceiptAcknowledged', data: { deliveryId, method: 'otp' }, eventId: `a-${deliveryId}`, occurredAt: ON, position: 1 });
const verified = (deliveryId: string, status: 'in-use' | 'damaged', i: number): StoredAssetEvent => ({ type: 'AssetVerified', data: { deliveryId, status }, eventId: `v${i}`, occurredAt: ON, position: 2 + i });
const deliver = (d: AssetDelivered): AssetsCommand => ({ type: 'AssetDelivered', data: d, occurredAt: ON });

type DeliveryContext = NonNullable<AssetsContext['delivery']>;
/** The assets decider with what the handler reads before deciding fixed for one spec (the owner of the delivery id, household, plan, catalogue, funding). */
function assetsSpec(over: Partial<DeliveryContext> = {}, deliveryOwner?: string) {
  const decider = assetsDecider(toUsd);
  const context: AssetsContext = { deliveryOwner, delivery: { household: { status: 'active' }, plan, catalogue: new Map([['SEW-01', 35_000]]), funding: funded, ...over } };
  return deciderSpec({ ...decider, decide: (command: AssetsCommand, state: HouseholdAssets) => decider.decide(command, state, context) });
}

describe('AssetDelivered', () => {
  it('accepts a planned item within its ceiling (2,900,000 LBP at 89,500 = US$32.40)', () => assetsSpec().given([]).when(deliver(delivery())).then([{ type: 'AssetDelivered', data: delivery() }]));
  it('rejects a reused delivery id (duplicate_delivery)', () => assetsSpec({}, 'H7').given([]).when(deliver(delivery())).thenRejects('duplicate_delivery', 'data.deliveryId'));
  it('rejects an unknown household (household_not_found)', () => assetsSpec({ household: { status: 'unknown' } }).given([]).when(deliver(delivery())).thenRejects('household_not_found'));
  it('rejects a withdrawn household (household_inactive)', () => assetsSpec({ household: { status: 'withdrawn' } }).given([]).when(deliver(delivery())).thenRejects('household_inactive'));
  it('rejects a household without a plan (plan_not_found)', () => assetsSpec({ plan: undefined }).given([]).when(deliver(delivery())).thenRejects('plan_not_found'));
  it('rejects an item not in the plan (item_not_in_plan)', () => assetsSpec().given([]).when(deliver(delivery({ itemCode: 'OVEN-01' }))).thenRejects('item_not_in_plan', 'data.itemCode'));
  it('rejects an item the catalogue does not hold (unknown_catalogue_item)', () => assetsSpec({ catalogue: new Map() }).given([]).when(deliver(delivery())).thenRejects('unknown_catalogue_item', 'data.itemCode'));
  it('rejects more than the plan has left (quantity_exceeds_plan)', () => {
    assetsSpec().given([]).when(deliver(delivery({ quantity: 3 }))).thenRejects('quantity_exceeds_plan', 'data.quantity');
    assetsSpec().given([delivered(delivery())]).when(deliver(delivery({ deliveryId: 'D2', quantity: 2 }))).thenRejects('quantity_exceeds_plan');
    assetsSpec().given([delivered(delivery())]).when(deliver(delivery({ deliveryId: 'D2', quantity: 1 }))).then([{ type: 'AssetDelivered', data: delivery({ deliveryId: 'D2', quantity: 1 }) }]);
  });
  it('rejects a unit cost above the catalogue ceiling once converted (unit_cost_above_ceiling)', () => {
    const usd = (unitCostMinor: number) => delivery({ unitCostMinor, currency: 'USD', fxRateToUsd: undefined });
    assetsSpec().given([]).when(deliver(usd(35_001))).thenRejects('unit_cost_above_ceiling', 'data.unitCostMinor');
    assetsSpec().given([]).when(deliver(usd(35_000))).then([{ type: 'AssetDelivered', data: usd(35_000) }]);
    assetsSpec().given([]).when(deliver(delivery({ unitCostMinor: 31_400_000 }))).thenRejects('unit_cost_above_ceiling');
  });
  it('rejects a delivery without an assets line on a signed grant (insufficient_funds)', () => {
    assetsSpec({ funding: { commitmentOutstandingMinor: 70_000 } }).given([]).when(deliver(delivery())).thenRejects('insufficient_funds');
  });
  it('pays from the plan\'s commitment first, and refuses what the line cannot cover above it (insufficient_funds)', () => {
    const usd = delivery({ quantity: 2, unitCostMinor: 30_000, currency: 'USD', fxRateToUsd: undefined });
    // 60,000 spent; the commitment holds 20,000 of it, so the line must have 40,000.
    assetsSpec({ funding: { line: { code: 'A.1', remainingMinor: 40_000 }, commitmentOutstandingMinor: 20_000 } }).given([]).when(deliver(usd)).then([{ type: 'AssetDelivered', data: usd }]);
    assetsSpec({ funding: { line: { code: 'A.1', remainingMinor: 39_999 }, commitmentOutstandingMinor: 20_000 } }).given([]).when(deliver(usd)).thenRejects('insufficient_funds');
    // The commitment covers at most the planned ceiling of the items delivered (2 × 35,000), however much it holds.
    assetsSpec({ funding: { line: { code: 'A.1', remainingMinor: 0 }, commitmentOutstandingMinor: 1_000_000 } }).given([]).when(deliver(usd)).then([{ type: 'AssetDelivered', data: usd }]);
  });
  it('accepts a delivery exactly when the line covers what the commitment does not (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 35_000 }), fc.nat(100_000), fc.nat(100_000), (quantity, unitCostMinor, remainingMinor, outstanding) => {
      const d = delivery({ quantity, unitCostMinor, currency: 'USD', fxRateToUsd: undefined });
      const outcome = assetsDecider(toUsd).decide(deliver(d), initialAssets(), {
        deliveryOwner: undefined,
        delivery: { household: { status: 'active' }, plan, catalogue: new Map([['SEW-01', 35_000]]), funding: { line: { code: 'A.1', remainingMinor }, commitmentOutstandingMinor: outstanding } },
      });
      const extra = quantity * unitCostMinor - Math.min(quantity * 35_000, outstanding);
      expect(outcome.ok).toBe(extra <= remainingMinor);
    }), { seed: 13 });
  });
  it('never lets deliveries exceed the planned quantity, whatever their sizes (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 10 }), (sizes) => {
      const decider = assetsDecider(toUsd);
      let state = initialAssets();
      sizes.forEach((quantity, i) => {
        const d = delivery({ deliveryId: `D${i}`, quantity });
        const outcome = decider.decide(deliver(d), state, { deliveryOwner: undefined, delivery: { household: { status: 'active' }, plan, catalogue: new Map([['SEW-01', 35_000]]), funding: funded } });
        if (outcome.ok) state = evolveAssets(state, delivered(d), toUsd);
      });
      expect(state.deliveredByItem.get('SEW-01') ?? 0).toBeLessThanOrEqual(2);
    }), { seed: 13 });
  });
});

describe('AssetReceiptAcknowledged and AssetVerified', () => {
  const receipt = (deliveryId: string): AssetsCommand => ({ type: 'AssetReceiptAcknowledged', data: { deliveryId, method: 'signature' }, occurredAt: ON });
  const verification = (deliveryId: string): AssetsCommand => ({ type: 'AssetVerified', data: { deliveryId, status: 'sold' }, occurredAt: ON });
  it('acknowledges a recorded delivery once (already_acknowledged)', () => {
    assetsSpec({}, 'H1').given([delivered(delivery())]).when(receipt('D1')).then([{ type: 'AssetReceiptAcknowledged', data: { deliveryId: 'D1', method: 'signature' } }]);
    assetsSpec({}, 'H1').given([delivered(delivery()), acknowledged('D1')]).when(receipt('D1')).thenRejects('already_acknowledged', 'data.deliveryId');
  });
  it('rejects an unknown delivery (unknown_delivery)', () => {
    assetsSpec({}, 'H1').given([delivered(delivery())]).when(receipt('D9')).thenRejects('unknown_delivery', 'data.deliveryId');
    // No household's stream holds the delivery: decided on the initial state.
    assetsSpec().given([]).when(verification('D9')).thenRejects('unknown_delivery', 'data.deliveryId');
  });
  it('keeps every verification, the latest last, and accepts another', () => {
    const events = [delivered(delivery()), verified('D1', 'in-use', 0), verified('D1', 'damaged', 1)];
    const state = events.reduce((s, e) => evolveAssets(s, e, toUsd), initialAssets());
    expect(state.deliveries.get('D1')!.verifications.map((v) => v.status)).toEqual(['in-use', 'damaged']);
    assetsSpec({}, 'H1').given(events).when(verification('D1')).then([{ type: 'AssetVerified', data: { deliveryId: 'D1', status: 'sold' } }]);
  });
  it('records the delivery cost in US cents', () => {
    expect(evolveAssets(initialAssets(), delivered(delivery()), toUsd).deliveries.get('D1')).toMatchObject({ unitCostUsdMinor: 3240, totalUsdMinor: 3240 });
  });
});

describe('AssetCatalogueItemApproved', () => {
  const item = (unitCostCeilingMinor: number) => ({ itemCode: 'SEW-01', name: 'Sewing machine', category: 'sewing-embroidery' as const, unitCostCeilingMinor });
  it('accepts a new item and a re-approval of a code (its ceiling for later deliveries)', () => {
    const approved = { type: 'AssetCatalogueItemApproved' as const, data: item(35_000), eventId: 'c1', occurredAt: ON, position: 0 };
    const spec = deciderSpec({ ...catalogueDecider, decide: (command: { data: ReturnType<typeof item> }) => catalogueDecider.decide(command) });
    spec.given([]).when({ data: item(35_000) }).then([{ type: 'AssetCatalogueItemApproved', data: item(35_000) }]);
    spec.given([approved]).when({ data: item(40_000) }).then([{ type: 'AssetCatalogueItemApproved', data: item(40_000) }]);
  });
});
