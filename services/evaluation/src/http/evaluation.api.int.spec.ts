import { expectGuarded, expectIdempotent, givenEnrolled, submitted, useServiceHarness } from '@peil/testing';

/** The evaluation service's HTTP API in-process: given events, when a request, then the answer and the new events. */
describe('evaluation API (in-process, temp-file ledger, real guards)', () => {
  const harness = useServiceHarness(async () => (await import('../evaluation.module')).EvaluationModule);
  const survey = (surveyId: string, householdId: string, round: string, over: Record<string, unknown> = {}) =>
    submitted('SurveyRecorded', { surveyId, householdId, round, monthlyIncomeMinor: 10_000, savingsMinor: 0, currency: 'USD', businessOperating: false, employed: false, ...over });

  it('accepts a baseline survey of an enrolled household and answers its rounds', async () => {
    await givenEnrolled(harness(), 'HH-E1');
    const { status, body, newEvents } = await harness().submit('evaluation', [survey('SRV-E1', 'HH-E1', 'baseline')], 'ngo');
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({ status: 'accepted' });
    expect(newEvents.map((e) => e.type)).toEqual(['SurveyRecorded']);
    const read = await harness().request('GET', '/v1/evaluation/households/HH-E1', { role: 'auditor' });
    expect(read.body).toMatchObject({ householdId: 'HH-E1', rounds: { baseline: expect.anything() } });
  });

  it('rejects a midline before any baseline with its code, and a negative income with the path, writing nothing', async () => {
    await givenEnrolled(harness(), 'HH-E2');
    const early = await harness().submit('evaluation', [survey('SRV-E2', 'HH-E2', 'midline')], 'ngo');
    expect(early.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'baseline_missing' } });
    const invalid = await harness().submit('evaluation', [survey('SRV-E3', 'HH-E2', 'baseline', { monthlyIncomeMinor: -1 })], 'ngo');
    expect(invalid.body.results[0]).toMatchObject({ status: 'rejected', error: { path: expect.stringContaining('monthlyIncomeMinor') } });
    expect([...early.newEvents, ...invalid.newEvents]).toEqual([]);
  });

  it('answers a duplicate `duplicate`, writing nothing', async () => {
    await givenEnrolled(harness(), 'HH-E4');
    await expectIdempotent(harness(), 'evaluation', [survey('SRV-E4', 'HH-E4', 'baseline')], 'ngo');
  });

  it('refuses a request without the gateway token and a role the route does not list; 404 for a household without surveys', async () => {
    await expectGuarded(harness(), 'POST', '/v1/evaluation/events', 'donor', { events: [survey('SRV-E5', 'HH-E1', 'midline')] });
    await expectGuarded(harness(), 'GET', '/v1/evaluation/households/HH-E1', 'donor');
    expect((await harness().request('GET', '/v1/evaluation/households/HH-NOBODY', { role: 'ngo' })).body.error.code).toBe('no_surveys');
  });
});
