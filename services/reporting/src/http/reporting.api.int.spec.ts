import { expectGuarded, givenEnrolled, useServiceHarness } from '@peil/testing';

/** The reporting service's HTTP API in-process: given events, when a request, then the answer (it only reads). */
describe('reporting API (in-process, temp-file ledger, real guards)', () => {
  const harness = useServiceHarness(async () => (await import('../reporting.module')).ReportingModule);

  it('counts a household given to the ledger in the beneficiaries report as of that position', async () => {
    await givenEnrolled(harness(), 'HH-P1');
    const head = (await harness().store.headPosition())!;
    const report = await harness().request('GET', `/v1/reports/beneficiaries?asOf=${head}`, { role: 'donor' });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ ledgerPosition: head });
    expect(JSON.stringify(report.body)).not.toContain('Rima Haddad');
    expect(report.newEvents).toEqual([]);
  });

  it('rejects a period that is not a quarter and an asOf beyond the head with the code and the parameter as path; 404 for an unknown report', async () => {
    const period = await harness().request('GET', '/v1/reports/grant-statement?period=2025Q9', { role: 'finance' });
    expect({ status: period.status, path: period.body.error.path }).toEqual({ status: 400, path: 'period' });
    const asOf = await harness().request('GET', '/v1/reports/beneficiaries?asOf=999999', { role: 'finance' });
    expect({ status: asOf.status, path: asOf.body.error.path }).toEqual({ status: 400, path: 'asOf' });
    expect((await harness().request('GET', '/v1/reports/no-such-report', { role: 'donor' })).body.error.code).toBe('unknown_report');
  });

  it('refuses a request without the gateway token and a role the route does not list', async () => {
    await expectGuarded(harness(), 'GET', '/v1/reports/beneficiaries', 'ngo');
  });
});
