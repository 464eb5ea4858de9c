import { startServiceHarness, submitted, type ServiceHarness } from '@peil/testing';

/** The enrolment service's HTTP API in-process: given events, when a request, then the answer and the new events. */
describe('enrolment API (in-process, temp-file ledger, real guards)', () => {
  let api: ServiceHarness;
  beforeAll(async () => {
    api = await startServiceHarness(async () => (await import('../enrolment.module')).EnrolmentModule);
  }, 60_000);
  afterAll(async () => api?.close());

  const enrol = (householdId: string, over: Record<string, unknown> = {}) =>
    submitted('HouseholdEnrolled', {
      householdId, essnId: `ESSN-${householdId}`, governorate: 'North', district: 'Tripoli', sdcId: 'SDC-TRI-01',
      participant: { participantId: `P-${householdId}`, fullName: 'Rima Haddad', sex: 'F', birthDate: '1990-05-14', educationLevel: 'secondary', phone: '+961 3 123456' },
      consent: true, ...over,
    }, '2026-03-01T09:00:00+02:00');

  it('accepts an enrolment: one event in the household stream, personal data encrypted at rest, shown in clear to ngo', async () => {
    const { status, body, newEvents } = await api.submit('enrolment', [enrol('HH-A1')], 'ngo');
    expect(status).toBe(200);
    expect(body.results).toEqual([expect.objectContaining({ status: 'accepted', streamId: 'household-HH-A1', revision: 0 })]);
    expect(newEvents.map((e) => [e.streamId, e.type])).toEqual([['household-HH-A1', 'HouseholdEnrolled']]);
    expect(JSON.stringify(newEvents[0]!.data)).not.toContain('Rima Haddad');
    const read = await api.request('GET', '/v1/enrolment/households/HH-A1', { role: 'ngo' });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ householdId: 'HH-A1', status: 'active', participant: { fullName: 'Rima Haddad' } });
  });

  it('rejects an enrolment without consent with a code and the path, writing nothing', async () => {
    const { status, body, newEvents } = await api.submit('enrolment', [enrol('HH-A2', { consent: false })], 'ngo');
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({ status: 'rejected', error: { code: expect.any(String), path: expect.stringContaining('consent') } });
    expect(newEvents).toEqual([]);
  });

  it('answers a duplicate submission `duplicate` with the original position, writing nothing', async () => {
    const event = enrol('HH-A3');
    const first = await api.submit('enrolment', [event], 'ngo');
    const again = await api.submit('enrolment', [event], 'ngo');
    expect(again.body.results[0]).toMatchObject({ status: 'duplicate', position: first.body.results[0].position });
    expect(again.newEvents).toEqual([]);
  });

  it('refuses a role the route does not list (403), an erasure by ngo per event type, and a request without the gateway token (401)', async () => {
    const donor = await api.submit('enrolment', [enrol('HH-A4')], 'donor');
    expect(donor.status).toBe(403);
    expect(donor.body).toEqual({ error: { code: 'forbidden', message: 'role donor may not do this' } });
    const erase = await api.submit('enrolment', [submitted('HouseholdPersonalDataErased', { householdId: 'HH-A1', reason: 'participant asked' })], 'ngo');
    expect(erase.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    expect(erase.newEvents).toEqual([]);
    expect((await api.request('GET', '/v1/enrolment/households/HH-A1', { role: null })).status).toBe(401);
    expect((await api.request('GET', '/v1/enrolment/households/HH-A1', { role: 'donor' })).status).toBe(403);
  });

  it('answers 404 with the code for an unknown household, and shows personal data redacted to an auditor', async () => {
    expect((await api.request('GET', '/v1/enrolment/households/HH-NONE', { role: 'ngo' })).body.error.code).toBe('household_not_found');
    const given = await api.request('GET', '/v1/enrolment/households/HH-A1', { role: 'auditor' });
    expect(given.body.participant.fullName).toBe('[redacted]');
  });
});
