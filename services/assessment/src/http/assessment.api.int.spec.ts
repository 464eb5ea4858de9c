import { expectGuarded, expectIdempotent, givenEnrolled, submitted, useServiceHarness } from '@peil/testing';

/** The assessment service's HTTP API in-process: given events, when a request, then the answer and the new events. */
describe('assessment API (in-process, temp-file ledger, real guards)', () => {
  const harness = useServiceHarness(async () => (await import('../assessment.module')).AssessmentModule);
  const profile = (householdId: string) => submitted('SkillsProfileRecorded', { householdId, skills: ['sewing'], yearsExperience: 4, preferredSector: 'tailoring' });

  it('accepts a market assessment and a skills profile of an enrolled household, and answers both reads', async () => {
    await givenEnrolled(harness(), 'HH-S1');
    const market = submitted('MarketAssessmentCompleted', { assessmentId: 'MA-S1', governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring'] });
    const { status, body, newEvents } = await harness().submit('assessment', [market, profile('HH-S1')], 'ngo');
    expect(status).toBe(200);
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted']);
    expect(newEvents.map((e) => e.type)).toEqual(['MarketAssessmentCompleted', 'SkillsProfileRecorded']);
    expect((await harness().request('GET', '/v1/assessment/markets/Tripoli', { role: 'donor' })).body).toMatchObject({ assessmentId: 'MA-S1' });
    expect((await harness().request('GET', '/v1/assessment/households/HH-S1', { role: 'auditor' })).status).toBe(200);
  });

  it('rejects a profile of a household never enrolled with its code, and invalid data with the path, writing nothing', async () => {
    const unknown = await harness().submit('assessment', [profile('HH-NOBODY')], 'ngo');
    expect(unknown.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'household_not_found' } });
    const invalid = await harness().submit('assessment', [submitted('SkillsProfileRecorded', { householdId: 'HH-S1', skills: ['sewing'], yearsExperience: -1, preferredSector: 'tailoring' })], 'ngo');
    expect(invalid.body.results[0]).toMatchObject({ status: 'rejected', error: { path: expect.stringContaining('yearsExperience') } });
    expect([...unknown.newEvents, ...invalid.newEvents]).toEqual([]);
  });

  it('answers a duplicate `duplicate`, writing nothing', async () => {
    await expectIdempotent(harness(), 'assessment', [submitted('MarketAssessmentCompleted', { assessmentId: 'MA-S2', governorate: 'Akkar', district: 'Halba', viableSectors: ['agriculture'] })], 'ngo');
  });

  it('refuses a request without the gateway token and a role the route does not list; 404 for a district never assessed', async () => {
    await expectGuarded(harness(), 'POST', '/v1/assessment/events', 'donor', { events: [profile('HH-S1')] });
    await expectGuarded(harness(), 'GET', '/v1/assessment/households/HH-S1', 'donor');
    expect((await harness().request('GET', '/v1/assessment/markets/Nowhere', { role: 'ngo' })).body.error.code).toBe('market_assessment_missing');
  });
});
