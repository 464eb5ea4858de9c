import { expectGuarded, expectIdempotent, submitted, useServiceHarness } from '@peil/testing';

/** The grant service's HTTP API in-process: given events, when a request, then the answer and the new events. */
describe('grant API (in-process, temp-file ledger, real guards)', () => {
  const harness = useServiceHarness(async () => (await import('../grant.module')).GrantModule);
  const agreement = (grantId: string, line: string) =>
    submitted('GrantAgreementSigned', {
      grantId, donor: 'Japan Social Development Fund', administrator: 'World Bank', recipient: 'René Moawad Foundation',
      currency: 'USD', amountMinor: 1_000_000, startDate: '2025-07-01', closingDate: '2027-06-30',
      components: [{ code: 'C2', name: 'Implementation', budgetLines: [{ code: line, name: 'Training', allocationMinor: 1_000_000, purpose: 'training' }] }],
    }, '2025-07-01T09:00:00+03:00');
  const commit = (commitmentId: string, budgetLine: string, amountMinor: number) => submitted('FundsCommitted', { commitmentId, budgetLine, amountMinor, reference: 'Trainers contract' });

  it('accepts an agreement and a commitment; the line shows allocation − committed − spent', async () => {
    const { status, body, newEvents } = await harness().submit('grant', [agreement('G-1', 'L-1'), commit('PO-1', 'L-1', 250_000)], 'finance');
    expect(status).toBe(200);
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted']);
    expect(newEvents.map((e) => e.type)).toEqual(['GrantAgreementSigned', 'FundsCommitted']);
    const lines = await harness().request('GET', '/v1/grant/budget-lines', { role: 'donor' });
    expect(lines.body.budgetLines).toEqual([expect.objectContaining({ code: 'L-1', allocationMinor: 1_000_000, committedMinor: 250_000, spentMinor: 0, remainingMinor: 750_000 })]);
    expect((await harness().request('GET', '/v1/grant/commitments/PO-1', { role: 'auditor' })).body).toMatchObject({ amountMinor: 250_000, outstandingMinor: 250_000 });
  });

  it('rejects a commitment above what the line has left with its code, and a fractional amount with the path, writing nothing', async () => {
    const over = await harness().submit('grant', [commit('PO-2', 'L-1', 750_001)], 'finance');
    expect(over.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'insufficient_funds' } });
    const invalid = await harness().submit('grant', [commit('PO-3', 'L-1', 12.5)], 'finance');
    expect(invalid.body.results[0]).toMatchObject({ status: 'rejected', error: { path: expect.stringContaining('amountMinor') } });
    expect([...over.newEvents, ...invalid.newEvents]).toEqual([]);
  });

  it('answers a duplicate `duplicate`, writing nothing', async () => {
    await expectIdempotent(harness(), 'grant', [commit('PO-4', 'L-1', 1_000)], 'finance');
  });

  it('refuses a request without the gateway token and a role the route does not list; 404 with the path for an unknown grant', async () => {
    await expectGuarded(harness(), 'POST', '/v1/grant/events', 'ngo', { events: [commit('PO-5', 'L-1', 1_000)] });
    await expectGuarded(harness(), 'GET', '/v1/grant/budget-lines', 'ngo');
    expect((await harness().request('GET', '/v1/grant/grants/G-NONE', { role: 'finance' })).body.error).toMatchObject({ code: 'unknown_grant', path: 'grantId' });
  });
});
