import type { AssetDelivered } from '@peil/contracts';
import fc from 'fast-check';
import {
  decideDelivery,
  decideReceipt,
  decideVerification,
  evolveAssets,
  initialAssets,
  type DeliveryInputs,
  type StoredAssetEvent,
  type ToUsdMinor,
} from './assets.decider';

// A simple stand-in rate table for the domain tests; the real conversion is tested with the money type.
const toUsd: ToUsdMinor = (amount, currency, rate) => (currency === 'USD' ? amount : Math.round((amount * 100) / Number(rate)));
const ON = '2026-05-01T10:00:00+03:00';
const plan = { planId: 'PLAN-1', assetKit: [{ itemCode: 'SEW-01', quantity: 2 }], unitCeilings: { 'SEW-01': 35_000 } };
const delivery = (over: Partial<AssetDelivered> = {}): AssetDelivered => ({
  deliveryId: 'D1', householdId: 'H1', itemCode: 'SEW-01', quantity: 1, unitCostMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500', supplier: 'Tripoli Sewing Co', invoiceRef: 'INV-1', ...over,
});
const delivered = (d: AssetDelivered, eventId = `ev-${d.deliveryId}`): StoredAssetEvent => ({ type: 'AssetDelivered', data: d, eventId, occurredAt: ON, position: 0 });

function given(events: StoredAssetEvent[] = [], over: Partial<DeliveryInputs> = {}) {
  const assets = events.reduce((s, e) => evolveAssets(s, e, toUsd), initialAssets());
  const inputs: DeliveryInputs = { household: { status: 'active' }, plan, assets, catalogue: new Map([['SEW-01', 35_000]]), deliveryIdTaken: false, ...over };
  return {
    assets,
    whenDelivered(d: AssetDelivered) {
      const outcome = decideDelivery(d, inputs, toUsd);
      return {
        thenAccepts: () => expect(outcome).toEqual({ ok: true, events: [{ type: 'AssetDelivered', data: d }] }),
        thenRejects: (code: string, path?: string) => {
          expect(outcome).toMatchObject({ ok: false, rejection: { code } });
          if (path && !outcome.ok) expect(outcome.rejection.path).toBe(path);
        },
      };
    },
  };
}

describe('AssetDelivered', () => {
  it('accepts a planned item within its ceiling (2,900,000 LBP at 89,500 = US$32.40)', () => given().whenDelivered(delivery()).thenAccepts());
  it('rejects a reused delivery id (duplicate_delivery)', () => given([], { deliveryIdTaken: true }).whenDelivered(delivery()).thenRejects('duplicate_delivery', 'data.deliveryId'));
  it('rejects an unknown household (household_not_found)', () => given([], { household: { status: 'unknown' } }).whenDelivered(delivery()).thenRejects('household_not_found'));
  it('rejects a withdrawn household (household_inactive)', () => given([], { household: { status: 'withdrawn' } }).whenDelivered(delivery()).thenRejects('household_inactive'));
  it('rejects a household without a plan (plan_not_found)', () => given([], { plan: undefined }).whenDelivered(delivery()).thenRejects('plan_not_found'));
  it('rejects an item not in the plan (item_not_in_plan)', () => given().whenDelivered(delivery({ itemCode: 'OVEN-01' })).thenRejects('item_not_in_plan', 'data.itemCode'));
  it('rejects more than the plan has left (quantity_exceeds_plan)', () => {
    given().whenDelivered(delivery({ quantity: 3 })).thenRejects('quantity_exceeds_plan', 'data.quantity');
    given([delivered(delivery())]).whenDelivered(delivery({ deliveryId: 'D2', quantity: 2 })).thenRejects('quantity_exceeds_plan');
    given([delivered(delivery())]).whenDelivered(delivery({ deliveryId: 'D2', quantity: 1 })).thenAccepts();
  });
  it('rejects a unit cost above the catalogue ceiling once converted (unit_cost_above_ceiling)', () => {
    given().whenDelivered(delivery({ unitCostMinor: 35_001, currency: 'USD', fxRateToUsd: undefined })).thenRejects('unit_cost_above_ceiling', 'data.unitCostMinor');
    given().whenDelivered(delivery({ unitCostMinor: 35_000, currency: 'USD', fxRateToUsd: undefined })).thenAccepts();
    given().whenDelivered(delivery({ unitCostMinor: 31_400_000 })).thenRejects('unit_cost_above_ceiling');
  });
  it('never lets deliveries exceed the planned quantity, whatever their sizes (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 10 }), (sizes) => {
      let events: StoredAssetEvent[] = [];
      sizes.forEach((quantity, i) => {
        const d = delivery({ deliveryId: `D${i}`, quantity });
        const outcome = decideDelivery(d, { household: { status: 'active' }, plan, assets: events.reduce((s, e) => evolveAssets(s, e, toUsd), initialAssets()), catalogue: new Map([['SEW-01', 35_000]]), deliveryIdTaken: false }, toUsd);
        if (outcome.ok) events = [...events, delivered(d)];
      });
      const total = events.reduce((n, e) => n + (e.data as AssetDelivered).quantity, 0);
      expect(total).toBeLessThanOrEqual(2);
    }));
  });
});

describe('AssetReceiptAcknowledged and AssetVerified', () => {
  const { assets } = given([delivered(delivery())]);
  it('acknowledges a recorded delivery once (already_acknowledged)', () => {
    expect(decideReceipt({ deliveryId: 'D1', method: 'signature' }, assets).ok).toBe(true);
    const acked = evolveAssets(assets, { type: 'AssetReceiptAcknowledged', data: { deliveryId: 'D1', method: 'otp' }, eventId: 'a', occurredAt: ON, position: 0 }, toUsd);
    expect(decideReceipt({ deliveryId: 'D1', method: 'signature' }, acked)).toMatchObject({ ok: false, rejection: { code: 'already_acknowledged' } });
  });
  it('rejects an unknown delivery (unknown_delivery)', () => {
    expect(decideReceipt({ deliveryId: 'D9', method: 'otp' }, assets)).toMatchObject({ ok: false, rejection: { code: 'unknown_delivery' } });
    expect(decideVerification({ deliveryId: 'D9', status: 'in-use' }, undefined)).toMatchObject({ ok: false, rejection: { code: 'unknown_delivery' } });
  });
  it('keeps every verification, the latest last', () => {
    const verified = ['in-use', 'damaged'].reduce(
      (s, status, i) => evolveAssets(s, { type: 'AssetVerified', data: { deliveryId: 'D1', status: status as 'in-use' }, eventId: `v${i}`, occurredAt: ON, position: 0 }, toUsd),
      assets,
    );
    expect(verified.deliveries.get('D1')!.verifications.map((v) => v.status)).toEqual(['in-use', 'damaged']);
    expect(decideVerification({ deliveryId: 'D1', status: 'sold' }, verified).ok).toBe(true);
  });
  it('records the delivery cost in US cents', () => {
    expect(assets.deliveries.get('D1')).toMatchObject({ unitCostUsdMinor: 3240, totalUsdMinor: 3240 });
  });
});
