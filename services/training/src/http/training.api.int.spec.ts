import { expectGuarded, expectIdempotent, givenEnrolled, submitted, useServiceHarness } from '@peil/testing';

/** The training service's HTTP API in-process: given events, when a request, then the answer and the new events. */
describe('training API (in-process, temp-file ledger, real guards)', () => {
  const harness = useServiceHarness(async () => (await import('../training.module')).TrainingModule);
  const visit = (visitId: string, householdId: string) => submitted('CoachingVisitRecorded', { visitId, householdId });

  it('accepts a coaching visit of an enrolled household and counts it', async () => {
    await givenEnrolled(harness(), 'HH-R1');
    const { status, body, newEvents } = await harness().submit('training', [visit('VIS-R1', 'HH-R1')], 'ngo');
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({ status: 'accepted' });
    expect(newEvents.map((e) => e.type)).toEqual(['CoachingVisitRecorded']);
    expect((await harness().request('GET', '/v1/training/households/HH-R1', { role: 'supervisor' })).body).toMatchObject({ householdId: 'HH-R1', householdStatus: 'active', coachingVisits: 1 });
  });

  it('rejects a visit to a household never enrolled with its code, and one without a household with the path, writing nothing', async () => {
    const unknown = await harness().submit('training', [visit('VIS-R2', 'HH-NOBODY')], 'ngo');
    expect(unknown.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'household_not_found' } });
    const invalid = await harness().submit('training', [submitted('CoachingVisitRecorded', { visitId: 'VIS-R3' })], 'ngo');
    expect(invalid.body.results[0]).toMatchObject({ status: 'rejected', error: { path: expect.stringContaining('householdId') } });
    expect([...unknown.newEvents, ...invalid.newEvents]).toEqual([]);
  });

  it('answers a duplicate `duplicate`, writing nothing', async () => {
    await givenEnrolled(harness(), 'HH-R4');
    await expectIdempotent(harness(), 'training', [visit('VIS-R4', 'HH-R4')], 'ngo');
  });

  it('refuses a request without the gateway token and a role the route does not list; 404 for a household never enrolled', async () => {
    await expectGuarded(harness(), 'POST', '/v1/training/events', 'supervisor', { events: [visit('VIS-R5', 'HH-R1')] });
    await expectGuarded(harness(), 'GET', '/v1/training/households/HH-R1', 'finance');
    expect((await harness().request('GET', '/v1/training/households/HH-NOBODY', { role: 'ngo' })).body.error.code).toBe('household_not_found');
  });
});
