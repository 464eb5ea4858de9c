import type { StoredEvent } from '@peil/ledger';
import { reconcile } from './reconciliation';

const toUsd = (a: number, c: 'USD' | 'LBP', r?: string) => (c === 'USD' ? a : Math.round((a * 100) / Number(r)));
let position = 0;
const event = (type: string, data: Record<string, unknown>, eventId = `e${position + 1}`): StoredEvent =>
  ({ position: ++position, streamId: 's', revision: 0, eventId, type, schemaVersion: 1, occurredAt: '', recordedAt: '', source: '', actor: '', correlationId: '', causationId: null, data: data as never, prevHash: null, hash: '' });

const grant = event('GrantAgreementSigned', { components: [{ budgetLines: [{ code: 'C2.1', purpose: 'assets' }, { code: 'C2.2', purpose: 'training' }] }] });
const delivery = (id: string, amount: number) => event('AssetDelivered', { deliveryId: id, householdId: 'H1', unitCostMinor: amount, quantity: 1, currency: 'USD' }, `dlv-${id}`);
const expenditure = (id: string, amount: number, related?: string, line = 'C2.1') => event('ExpenditureRecorded', { expenditureId: id, budgetLine: line, amountMinor: amount, currency: 'USD', ...(related ? { relatedEventId: related } : {}) });

describe('reconcile deliveries and expenditures', () => {
  it('balances when every delivery has its one expenditure', () => {
    const r = reconcile([grant, delivery('D1', 3240), expenditure('X1', 3240, 'dlv-D1'), expenditure('T1', 5000, undefined, 'C2.2')], toUsd);
    expect(r.deliveriesWithoutExpenditure).toEqual([]);
    expect(r.expendituresWithoutDelivery).toEqual([]);
    expect(r.totals).toEqual({ deliveries: 1, deliveriesUsdMinor: 3240, linkedExpendituresUsdMinor: 3240, assetsLineSpentMinor: 3240 });
  });
  it('lists a delivery whose expenditure is missing or reversed, and an expenditure without delivery', () => {
    const r = reconcile([grant, delivery('D1', 100), delivery('D2', 200), expenditure('X2', 200, 'dlv-D2'), event('ExpenditureReversed', { expenditureId: 'X2', reason: 'wrong invoice' }), expenditure('X9', 50)], toUsd);
    expect(r.deliveriesWithoutExpenditure.map((d) => d.deliveryId)).toEqual(['D1', 'D2']);
    expect(r.expendituresWithoutDelivery.map((x) => x.expenditureId)).toEqual(['X9']);
    expect(r.totals.assetsLineSpentMinor).toBe(50);
  });
  it('flags a delivery counted twice', () => {
    const r = reconcile([grant, delivery('D1', 100), expenditure('X1', 100, 'dlv-D1'), expenditure('X1b', 100, 'dlv-D1')], toUsd);
    expect(r.deliveriesWithSeveralExpenditures).toEqual([{ deliveryId: 'D1', expenditureIds: ['X1', 'X1b'] }]);
  });
});
