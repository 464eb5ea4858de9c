import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { expectOwnerOnly, get, post, removeDir, startSystem, type RunningSystem } from '@peil/testing';
import { bornYearsBefore, enrolment } from './fixtures';

/** Issue 2's acceptance, checked from outside through the gateway, on the system `npm start` runs. */
describe('enrolment over HTTP (embedded profile)', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem();
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  const head = async () => {
    const res = await get(system, '/ledger/events?after=0&limit=10000');
    const events = res.body.events as Array<{ position: number }>;
    return events.length ? events[events.length - 1]!.position : 0;
  };

  it('writes one key per role into api-keys.json, readable by the owner only', () => {
    const file = join(system.dataDir, 'api-keys.json');
    expectOwnerOnly([file]);
    expect(Object.keys(system.keys).sort()).toEqual(['admin', 'auditor', 'donor', 'finance', 'ngo', 'supervisor']);
    expect(system.output()).not.toContain(system.keys.ngo!);
  });

  it('accepts a valid enrolment, then answers duplicate for the same eventId and conflict for changed data', async () => {
    const event = enrolment();
    const first = await post(system, '/enrolment/events', { events: [event] });
    expect(first.status).toBe(200);
    const [accepted] = first.body.results;
    expect(accepted).toMatchObject({ eventId: event.eventId, status: 'accepted', revision: 0, streamId: `household-${event.data.householdId}` });
    expect(accepted.position).toBeGreaterThan(0);
    expect(accepted.hash).toMatch(/^[0-9a-f]{64}$/);

    const again = await post(system, '/enrolment/events', { events: [event] });
    expect(again.body.results[0]).toEqual({ ...accepted, status: 'duplicate' });

    const changed = { ...event, data: { ...event.data, district: 'Minieh-Dennieh' } };
    const conflict = await post(system, '/enrolment/events', { events: [changed] });
    expect(conflict.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'conflict' } });
  });

  it('rejects rule breaks with a code each, writing nothing', async () => {
    const existing = enrolment();
    await post(system, '/enrolment/events', { events: [existing] });
    const before = await head();
    const cases: Array<[unknown, string, string | undefined]> = [
      [enrolment({ essnId: existing.data.essnId }), 'essn_already_enrolled', 'data.essnId'],
      [enrolment({}, { birthDate: bornYearsBefore(12) }), 'participant_not_working_age', 'data.participant.birthDate'],
      [enrolment({}, { birthDate: bornYearsBefore(80) }), 'participant_not_working_age', 'data.participant.birthDate'],
      [enrolment({ consent: false }), 'consent_required', 'data.consent'],
      [{ ...existing, eventId: enrolment().eventId }, 'household_already_enrolled', 'data.householdId'],
      [{ ...enrolment(), type: 'GrantAgreementSigned' }, 'unknown_event_type', 'type'],
      [{ ...enrolment(), eventId: 'not-a-uuid' }, 'invalid_field', 'eventId'],
    ];
    const res = await post(system, '/enrolment/events', { events: cases.map(([e]) => e) });
    expect(res.status).toBe(200);
    res.body.results.forEach((result: any, i: number) => {
      expect(result.status).toBe('rejected');
      expect(result.error.code).toBe(cases[i]![1]);
      expect(result.error.path).toBe(cases[i]![2]);
    });
    expect(await head()).toBe(before);
  });

  it('names a missing field', async () => {
    const event = enrolment();
    delete (event.data.participant as Record<string, unknown>).sex;
    const res = await post(system, '/enrolment/events', { events: [event] });
    expect(res.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'missing_field', path: 'data.participant.sex' } });
  });

  it('answers 400 to malformed JSON, 401 without a key, 403 to a donor, 413 to more than 1,000 events', async () => {
    const malformed = await post(system, '/enrolment/events', '{"events": [');
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'malformed_json' } } });
    expect(await post(system, '/enrolment/events', { event: [] })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', path: 'events' } } });
    expect(await post(system, '/enrolment/events', { events: [enrolment()] }, 'donor')).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const anonymous = await fetch(`${system.baseUrl}/enrolment/events`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(anonymous.status).toBe(401);
    expect((await post(system, '/enrolment/events', { events: [enrolment()] }, 'donor')).status).toBe(403);
    const tooMany = await post(system, '/enrolment/events', { events: Array.from({ length: 1001 }, () => enrolment()) });
    expect(tooMany).toMatchObject({ status: 413, body: { error: { code: 'too_many_events' } } });
  });

  it('keeps personal data encrypted in the ledger and shows it only to roles that may see it', async () => {
    const event = enrolment({}, { fullName: 'Nour Khalil', phone: '+961 70 555111', birthDate: '1988-08-08' });
    const [result] = (await post(system, '/enrolment/events', { events: [event] })).body.results;
    const stream = await get(system, `/ledger/streams/${result.streamId}`);
    const stored = JSON.stringify(stream.body);
    expect(stored).not.toContain('Nour Khalil');
    expect(stored).not.toContain('555111');
    expect(stored).not.toContain('1988-08-08');
    expect(stream.body.events[0].data.participant.fullName).toMatch(/^enc:v1:/);

    const asNgo = await get(system, `/enrolment/households/${event.data.householdId}`, 'ngo');
    expect(asNgo.body).toMatchObject({ status: 'active', participant: { fullName: 'Nour Khalil', birthDate: '1988-08-08', phone: '+961 70 555111' } });
    const asAuditor = await get(system, `/enrolment/households/${event.data.householdId}`, 'auditor');
    expect(JSON.stringify(asAuditor.body)).not.toContain('Nour Khalil');
    expect((await get(system, `/enrolment/households/${event.data.householdId}`, 'donor')).status).toBe(403);
    expect((await get(system, '/enrolment/households/HH-nobody', 'ngo')).status).toBe(404);
  });

  it('verifies an intact ledger', async () => {
    const res = await get(system, '/ledger/verify');
    expect(res.body).toMatchObject({ ok: true });
    expect(res.body.checkedEvents).toBe(await head());
    expect((await get(system, '/ledger/verify', 'ngo')).status).toBe(403);
  });

  it('answers bad ledger queries and unknown streams with codes', async () => {
    expect(await get(system, '/ledger/events?after=-1')).toMatchObject({ status: 400, body: { error: { code: 'invalid_query', path: 'after' } } });
    expect(await get(system, '/ledger/events?limit=0')).toMatchObject({ status: 400, body: { error: { code: 'invalid_query', path: 'limit' } } });
    expect(await get(system, '/ledger/streams/household-nobody')).toMatchObject({ status: 404, body: { error: { code: 'stream_not_found' } } });
  });

  it('refuses a livelihood plan while no grant has an assets line (no_assets_budget_line)', async () => {
    const household = enrolment();
    await post(system, '/enrolment/events', { events: [household] });
    const householdId = household.data.householdId;
    const at = '2026-03-02T09:00:00+02:00';
    const id = () => randomUUID();
    await post(system, '/asset-transfer/events', { events: [{ eventId: id(), type: 'AssetCatalogueItemApproved', occurredAt: at, data: { itemCode: 'KIT-1', name: 'Kit', category: 'other-tools', unitCostCeilingMinor: 1000 } }] });
    await post(system, '/assessment/events', { events: [
      { eventId: id(), type: 'MarketAssessmentCompleted', occurredAt: at, data: { assessmentId: `MA-${householdId}`, governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring'] } },
      { eventId: id(), type: 'SkillsProfileRecorded', occurredAt: at, data: { householdId, skills: ['sewing'], yearsExperience: 1, preferredSector: 'tailoring' } },
    ] });
    const plan = { eventId: id(), type: 'LivelihoodPlanApproved', occurredAt: at, data: { householdId, planId: `PLAN-${householdId}`, sector: 'tailoring', assetKit: [{ itemCode: 'KIT-1', quantity: 1 }], trainingModules: [], coachingSessions: 0 } };
    const res = await post(system, '/assessment/events', { events: [plan] });
    expect({ status: res.status, body: res.status === 200 ? 'ok' : res.body }).toEqual({ status: 200, body: 'ok' });
    expect(res.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'no_assets_budget_line' } });
    expect((await get(system, `/evaluation/households/${householdId}`, 'ngo')).body).toMatchObject({ error: { code: 'no_surveys' } });
  });
});
