import { expectGuarded, useServiceHarness } from '@peil/testing';

/** The ledger service's HTTP API in-process: given events, when a request, then the answer (it only reads). */
describe('ledger API (in-process, temp-file ledger, real guards)', () => {
  const harness = useServiceHarness(async () => (await import('../ledger.module')).LedgerModule);

  it('pages through a stream given to it, and verifies the chain', async () => {
    await harness().given('participation-HH-L1', [{ type: 'CoachingVisitRecorded', data: { visitId: 'V1', householdId: 'HH-L1' } }, { type: 'CoachingVisitRecorded', data: { visitId: 'V2', householdId: 'HH-L1' } }]);
    const page = await harness().request('GET', '/v1/ledger/streams/participation-HH-L1?limit=1', { role: 'auditor' });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ streamId: 'participation-HH-L1', events: [expect.objectContaining({ revision: 0, type: 'CoachingVisitRecorded' })], next: { fromRevision: 1 } });
    // Every event of the ledger up to its head, the sealer's own included (it writes in the background, so no count is fixed here).
    const verified = (await harness().request('GET', '/v1/ledger/verify', { role: 'admin' })).body;
    expect(verified).toMatchObject({ ok: true, checkedEvents: verified.headPosition, verifiedThrough: verified.headPosition });
    expect(verified.checkedEvents).toBeGreaterThanOrEqual(2);
    expect(page.newEvents).toEqual([]);
  });

  it('rejects a bad page size and an unknown parameter with the code and the parameter as path; 404 for an unknown stream', async () => {
    const limit = await harness().request('GET', '/v1/ledger/events?limit=0', { role: 'auditor' });
    expect({ status: limit.status, error: limit.body.error }).toMatchObject({ status: 400, error: { code: 'invalid_query', path: 'limit' } });
    const unknown = await harness().request('GET', '/v1/ledger/events?since=1', { role: 'auditor' });
    expect({ status: unknown.status, error: unknown.body.error }).toMatchObject({ status: 400, error: { code: 'unknown_query_parameter', path: 'since' } });
    expect((await harness().request('GET', '/v1/ledger/streams/no-such-stream', { role: 'auditor' })).body.error).toMatchObject({ code: 'stream_not_found', path: 'streamId' });
  });

  it('refuses a request without the gateway token, and roles the routes do not list (the access log is the auditor\'s alone)', async () => {
    await expectGuarded(harness(), 'GET', '/v1/ledger/events', 'donor');
    await expectGuarded(harness(), 'GET', '/v1/ledger/access-log', 'admin');
  });
});
