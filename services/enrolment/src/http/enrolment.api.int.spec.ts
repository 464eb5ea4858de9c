import { expectGuarded, expectIdempotent, submitted, useServiceHarness } from '@peil/testing';

/** The enrolment service's HTTP API in-process: given events, when a request, then the answer and the new events. */
describe('enrolment API (in-process, temp-file ledger, real guards)', () => {
  const harness = useServiceHarness(async () => (await import('../enrolment.module')).EnrolmentModule);

  const enrol = (householdId: string, over: Record<string, unknown> = {}) =>
    submitted('HouseholdEnrolled', {
      householdId, essnId: `ESSN-${householdId}`, governorate: 'North', district: 'Tripoli', sdcId: 'SDC-TRI-01',
      participant: { participantId: `P-${householdId}`, fullName: 'Rima Haddad', sex: 'F', birthDate: '1990-05-14', educationLevel: 'secondary', phone: '+961 3 123456' },
      consent: true, ...over,
    }, '2026-03-01T09:00:00+02:00');

  it('accepts an enrolment: one event in the household stream, personal data encrypted at rest, shown in clear to ngo', async () => {
    const { status, body, newEvents } = await harness().submit('enrolment', [enrol('HH-A1')], 'ngo');
    expect(status).toBe(200);
    expect(body.results).toEqual([expect.objectContaining({ status: 'accepted', streamId: 'household-HH-A1', revision: 0 })]);
    expect(newEvents.map((e) => [e.streamId, e.type])).toEqual([['household-HH-A1', 'HouseholdEnrolled']]);
    expect(JSON.stringify(newEvents[0]!.data)).not.toContain('Rima Haddad');
    const read = await harness().request('GET', '/v1/enrolment/households/HH-A1', { role: 'ngo' });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ householdId: 'HH-A1', status: 'active', participant: { fullName: 'Rima Haddad' } });
  });

  it('rejects an enrolment without consent with a code and the path, writing nothing', async () => {
    const { status, body, newEvents } = await harness().submit('enrolment', [enrol('HH-A2', { consent: false })], 'ngo');
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({ status: 'rejected', error: { code: expect.any(String), path: expect.stringContaining('consent') } });
    expect(newEvents).toEqual([]);
  });

  it('answers a duplicate submission `duplicate` with the original position, writing nothing', async () => {
    await expectIdempotent(harness(), 'enrolment', [enrol('HH-A3')], 'ngo');
  });

  it('refuses a role the route does not list (403), an erasure by ngo per event type, and a request without the gateway token (401)', async () => {
    await expectGuarded(harness(), 'POST', '/v1/enrolment/events', 'donor', { events: [enrol('HH-A4')] });
    const erase = await harness().submit('enrolment', [submitted('HouseholdPersonalDataErased', { householdId: 'HH-A1', reason: 'participant asked' })], 'ngo');
    expect(erase.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    expect(erase.newEvents).toEqual([]);
    await expectGuarded(harness(), 'GET', '/v1/enrolment/households/HH-A1', 'donor');
  });

  it('answers 404 with the code for an unknown household, and shows personal data redacted to an auditor', async () => {
    expect((await harness().request('GET', '/v1/enrolment/households/HH-NONE', { role: 'ngo' })).body.error.code).toBe('household_not_found');
    const given = await harness().request('GET', '/v1/enrolment/households/HH-A1', { role: 'auditor' });
    expect(given.body.participant.fullName).toBe('[redacted]');
  });
});
