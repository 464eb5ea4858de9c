import { expectGuarded, expectIdempotent, givenEnrolled, submitted, useServiceHarness } from '@peil/testing';

/** The asset-transfer service's HTTP API in-process: given events, when a request, then the answer and the new events. */
describe('asset-transfer API (in-process, temp-file ledger, real guards)', () => {
  const harness = useServiceHarness(async () => (await import('../asset-transfer.module')).AssetTransferModule);
  const item = (itemCode: string, unitCostCeilingMinor = 35_000) => submitted('AssetCatalogueItemApproved', { itemCode, name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor });

  it('accepts a catalogue item and lists it in the catalogue', async () => {
    const { status, body, newEvents } = await harness().submit('asset-transfer', [item('SEW-T1')], 'ngo');
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({ status: 'accepted' });
    expect(newEvents.map((e) => e.type)).toEqual(['AssetCatalogueItemApproved']);
    const catalogue = await harness().request('GET', '/v1/asset-transfer/catalogue', { role: 'finance' });
    expect(catalogue.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ itemCode: 'SEW-T1', unitCostCeilingMinor: 35_000 })]));
  });

  it('rejects a delivery to a household without a plan with its code, and a ceiling below zero with the path, writing nothing', async () => {
    await givenEnrolled(harness(), 'HH-T1');
    const delivery = submitted('AssetDelivered', { deliveryId: 'DLV-T1', householdId: 'HH-T1', itemCode: 'SEW-T1', quantity: 1, unitCostMinor: 30_000, currency: 'USD', supplier: 'Supplier', invoiceRef: 'INV-1' });
    const noPlan = await harness().submit('asset-transfer', [delivery], 'ngo');
    expect(noPlan.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'plan_not_found' } });
    const invalid = await harness().submit('asset-transfer', [item('SEW-T2', -1)], 'ngo');
    expect(invalid.body.results[0]).toMatchObject({ status: 'rejected', error: { path: expect.stringContaining('unitCostCeilingMinor') } });
    expect([...noPlan.newEvents, ...invalid.newEvents]).toEqual([]);
  });

  it('answers a duplicate `duplicate`, writing nothing', async () => {
    await expectIdempotent(harness(), 'asset-transfer', [item('SEW-T3')], 'admin');
  });

  it('refuses a request without the gateway token and a role the route does not list; 404 for a household never enrolled', async () => {
    await expectGuarded(harness(), 'POST', '/v1/asset-transfer/events', 'supervisor', { events: [item('SEW-T4')] });
    await expectGuarded(harness(), 'GET', '/v1/asset-transfer/households/HH-T1', 'donor');
    expect((await harness().request('GET', '/v1/asset-transfer/households/HH-NOBODY', { role: 'ngo' })).body.error.code).toBe('household_not_found');
  });

  it('rejects a receipt and a verification of a delivery no household has (unknown_delivery), writing nothing', async () => {
    const receipt = submitted('AssetReceiptAcknowledged', { deliveryId: 'DLV-NOWHERE', method: 'otp' });
    const verification = submitted('AssetVerified', { deliveryId: 'DLV-NOWHERE', status: 'in-use' });
    const { body, newEvents } = await harness().submit('asset-transfer', [receipt, verification], 'ngo');
    expect(body.results).toMatchObject([
      { status: 'rejected', error: { code: 'unknown_delivery', path: 'data.deliveryId' } },
      { status: 'rejected', error: { code: 'unknown_delivery', path: 'data.deliveryId' } },
    ]);
    expect(newEvents).toEqual([]);
  });
});
