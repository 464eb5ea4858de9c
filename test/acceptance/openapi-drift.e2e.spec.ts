import { ROLES } from '@peil/platform/auth';
import { removeDir, startSystem, type RunningSystem } from '@peil/testing';
import { IATI_PUBLISHER_ENV, enrolment } from './fixtures';
import { OpenApiResponses, type LiveAnswer } from './openapi-responses';
import { accepted, enrolledHousehold, ev, peilGrant, uniq } from './programme';

/**
 * The OpenAPI document cannot drift from the running system: every documented route (path × method)
 * is called with valid input and with invalid input — no key, a refused role, malformed JSON, the
 * wrong content type, an oversized body, bad query values, unknown ids, an undocumented method — and
 * every live answer is judged by the document the gateway serves (status, media type, JSON Schema).
 * A documented route without a valid call here fails the test, so a new route must come with one.
 */

const MAX_BODY = 65_536;
type Case = { method?: string; path: string; role?: string | null; body?: string; contentType?: string; expect: number };

describe('the OpenAPI document against the running system', () => {
  let system: RunningSystem;
  let api: OpenApiResponses;
  let doc: { paths: Record<string, Record<string, { security?: unknown[]; 'x-peil-roles'?: string[]; parameters?: Array<{ name: string; in: string }> }>> };
  const grant = peilGrant();
  const SEW = uniq('SEW');
  let householdId: string;
  let unsurveyed: string;
  let commitmentId: string;

  /** One valid call per documented operation, keyed `METHOD template`; built once the data exists. */
  let valid: Record<string, Case[]>;

  beforeAll(async () => {
    // A loaded machine can take minutes to start nine services; nothing here depends on timing.
    system = await startSystem({ timeoutMs: 200_000, env: { ...IATI_PUBLISHER_ENV, PEIL_MAX_BODY_BYTES: String(MAX_BODY) } });
    doc = (await (await fetch(`${system.baseUrl}/docs`)).json()) as typeof doc;
    api = new OpenApiResponses(doc);

    await accepted(system, 'grant', [grant.event], 'finance');
    await accepted(system, 'asset-transfer', [ev('AssetCatalogueItemApproved', { itemCode: SEW, name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 })]);
    await accepted(system, 'assessment', [ev('MarketAssessmentCompleted', { assessmentId: uniq('MA'), governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring'] })]);
    householdId = await enrolledHousehold(system);
    unsurveyed = await enrolledHousehold(system);
    await accepted(system, 'assessment', [ev('LivelihoodPlanApproved', { householdId, planId: uniq('PLAN'), sector: 'tailoring', assetKit: [{ itemCode: SEW, quantity: 1 }], trainingModules: ['financial-literacy'], coachingSessions: 1 })], 'supervisor');
    await accepted(system, 'asset-transfer', [ev('AssetDelivered', { deliveryId: uniq('DLV'), householdId, itemCode: SEW, quantity: 1, unitCostMinor: 30_000, currency: 'USD', supplier: 'Al Mina Sewing Supplies', invoiceRef: 'INV-1' })]);
    await accepted(system, 'training', [ev('CoachingVisitRecorded', { visitId: uniq('VIS'), householdId })]);
    await accepted(system, 'evaluation', [ev('SurveyRecorded', { surveyId: uniq('SRV'), householdId, round: 'baseline', monthlyIncomeMinor: 10_000, savingsMinor: 0, currency: 'USD', businessOperating: false, employed: false }, '2025-09-10T10:00:00+03:00')]);
    commitmentId = uniq('PO');
    await accepted(system, 'grant', [ev('FundsCommitted', { commitmentId, budgetLine: grant.lines.training, amountMinor: 100_000, reference: 'Trainers contract' })], 'finance');

    const events = (...list: unknown[]) => JSON.stringify({ events: list });
    const get = (path: string, role: string | null = null): Case => ({ path, role, expect: 200 });
    const write = (path: string, body: string, role: string): Case => ({ method: 'POST', path, role, body, expect: 200 });
    valid = {
      'GET /v1/health': [get('/v1/health')],
      'GET /v1/ready': [get('/v1/ready')],
      'GET /v1/docs': [get('/v1/docs')],
      'GET /v1/docs/openapi.json': [get('/v1/docs/openapi.json')],
      'GET /v1/docs/ui': [get('/v1/docs/ui')],
      'GET /metrics': [get('/metrics', 'admin')],
      'GET /v1/me': [get('/v1/me', 'donor'), get('/v1/me', 'admin')],
      'POST /v1/enrolment/events': [write('/v1/enrolment/events', events(enrolment()), 'ngo'), write('/v1/enrolment/events', events(ev('HouseholdWithdrawn', { householdId: 'HH-nobody', reason: 'moved' })), 'ngo')],
      'GET /v1/enrolment/households/{householdId}': [get(`/v1/enrolment/households/${householdId}`, 'ngo'), get(`/v1/enrolment/households/${householdId}`, 'auditor')],
      'POST /v1/assessment/events': [write('/v1/assessment/events', events(ev('MarketAssessmentCompleted', { assessmentId: uniq('MA'), governorate: 'Akkar', district: 'Halba', viableSectors: ['agriculture'] })), 'ngo')],
      'GET /v1/assessment/households/{householdId}': [get(`/v1/assessment/households/${householdId}`, 'ngo')],
      'GET /v1/assessment/markets/{district}': [get('/v1/assessment/markets/Tripoli', 'donor')],
      'POST /v1/asset-transfer/events': [write('/v1/asset-transfer/events', events(ev('AssetCatalogueItemApproved', { itemCode: uniq('IRON'), name: 'Steam iron', category: 'sewing-embroidery', unitCostCeilingMinor: 4_000 })), 'ngo')],
      'GET /v1/asset-transfer/households/{householdId}': [get(`/v1/asset-transfer/households/${householdId}`, 'ngo')],
      'GET /v1/asset-transfer/catalogue': [get('/v1/asset-transfer/catalogue', 'finance')],
      'POST /v1/training/events': [write('/v1/training/events', events(ev('CoachingVisitRecorded', { visitId: uniq('VIS'), householdId })), 'ngo')],
      'GET /v1/training/households/{householdId}': [get(`/v1/training/households/${householdId}`, 'ngo')],
      'POST /v1/evaluation/events': [write('/v1/evaluation/events', events(ev('SurveyRecorded', { surveyId: uniq('SRV'), householdId: unsurveyed, round: 'baseline', monthlyIncomeMinor: 5_000, savingsMinor: 0, currency: 'USD', businessOperating: false, employed: true })), 'ngo')],
      'GET /v1/evaluation/households/{householdId}': [get(`/v1/evaluation/households/${householdId}`, 'ngo')],
      'POST /v1/grant/events': [write('/v1/grant/events', events(ev('FundsCommitted', { commitmentId: uniq('PO'), budgetLine: grant.lines.coaching, amountMinor: 5_000, reference: 'Coach' })), 'finance')],
      'GET /v1/grant/budget-lines': [get('/v1/grant/budget-lines', 'finance')],
      'GET /v1/grant/expenditures': [get('/v1/grant/expenditures', 'auditor'), get(`/v1/grant/expenditures?budgetLine=${grant.lines.assets}`, 'auditor')],
      'GET /v1/grant/grants': [get('/v1/grant/grants', 'donor')],
      'GET /v1/grant/grants/{grantId}': [get(`/v1/grant/grants/${(grant.event.data as { grantId: string }).grantId}`, 'donor')],
      'GET /v1/grant/commitments/{commitmentId}': [get(`/v1/grant/commitments/${commitmentId}`, 'finance')],
      'GET /v1/grant/reconciliation': [get('/v1/grant/reconciliation', 'auditor')],
      'GET /v1/ledger/events': [get('/v1/ledger/events?after=0&limit=5', 'auditor')],
      'GET /v1/ledger/streams/{streamId}': [get(`/v1/ledger/streams/household-${householdId}`, 'auditor')],
      'GET /v1/ledger/verify': [get('/v1/ledger/verify', 'admin')],
      'GET /v1/ledger/access-log': [get('/v1/ledger/access-log?limit=10', 'auditor')],
      'GET /v1/ledger/access-log/verify': [get('/v1/ledger/access-log/verify', 'auditor')],
      'GET /v1/ledger/checkpoint': [get('/v1/ledger/checkpoint', 'donor'), get('/v1/ledger/checkpoint?size=2', 'donor')],
      'GET /v1/ledger/checkpoint/key': [get('/v1/ledger/checkpoint/key', 'donor')],
      'GET /v1/ledger/proofs/inclusion': [get('/v1/ledger/proofs/inclusion?index=0&size=2', 'donor')],
      'GET /v1/ledger/proofs/consistency': [get('/v1/ledger/proofs/consistency?from=1&to=2', 'donor')],
      'GET /v1/ledger/export': [get('/v1/ledger/export?size=3', 'auditor')],
      'GET /v1/reports/grant-statement': [get('/v1/reports/grant-statement?period=2025Q4', 'donor'), get('/v1/reports/grant-statement?asOf=3', 'donor')],
      'GET /v1/reports/ifr': [get('/v1/reports/ifr?period=2025Q4', 'finance'), get('/v1/reports/ifr?period=2025Q4&format=csv', 'finance')],
      'GET /v1/reports/asset-register': [get('/v1/reports/asset-register', 'auditor'), get('/v1/reports/asset-register?format=csv&bom=false', 'auditor')],
      'GET /v1/reports/beneficiaries': [get('/v1/reports/beneficiaries', 'donor')],
      'GET /v1/reports/indicators': [get('/v1/reports/indicators', 'donor')],
      'GET /v1/reports/iati': [get('/v1/reports/iati', 'donor')],
    };
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([template, item]) => Object.entries(item).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${template}`, method: method.toUpperCase(), template, operation })));

  async function call(c: Case): Promise<LiveAnswer> {
    const method = c.method ?? 'GET';
    const headers: Record<string, string> = {};
    if (c.role) headers.authorization = `Bearer ${system.keys[c.role]}`;
    if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
    const res = await fetch(`${system.baseUrl.replace(/\/v1$/, '')}${c.path}`, { method, headers, ...(c.body !== undefined ? { body: c.body } : {}) });
    return { method, path: c.path.split('?', 1)[0]!, status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
  }

  /** Calls each case; returns every answer that is not what the case expects or not what the document says. */
  async function judge(cases: Case[]): Promise<string[]> {
    const problems: string[] = [];
    for (const c of cases) {
      const answer = await call(c);
      if (answer.status !== c.expect) problems.push(`${answer.method} ${c.path}: expected ${c.expect}, got ${answer.status} ${answer.text.slice(0, 200)}`);
      problems.push(...api.problems(answer));
    }
    return problems;
  }

  const firstValid = (key: string): Case => valid[key]![0]!;

  it('has servers and a license, and a valid call for every documented operation', () => {
    expect(doc).toMatchObject({ servers: [expect.objectContaining({ url: expect.any(String) })], info: { license: { name: expect.any(String) } } });
    expect(operations().map((o) => o.key).filter((key) => !valid[key]).sort()).toEqual([]);
    expect(Object.keys(valid).filter((key) => !operations().some((o) => o.key === key))).toEqual([]);
  });

  it('answers every valid call as documented (JSON by schema, CSV, XML, NDJSON, text)', async () => {
    expect(await judge(Object.values(valid).flat())).toEqual([]);
  }, 240_000);

  it('answers 401 without a key and 403 to a role the route does not list, as documented', async () => {
    const cases = operations().flatMap(({ key, operation }) => {
      if (operation.security?.length === 0) return [];
      const { method, path, body } = firstValid(key);
      const refused = ROLES.find((role) => !operation['x-peil-roles']!.includes(role));
      return [{ method, path, body, role: null, expect: 401 }, ...(refused ? [{ method, path, body, role: refused, expect: 403 }] : [])];
    });
    expect(await judge(cases)).toEqual([]);
  }, 240_000);

  it('answers 400 to malformed JSON and an empty batch, 415 to another content type, 413 to a body over the limit', async () => {
    const cases = operations().filter((o) => o.method === 'POST').flatMap(({ key }) => {
      const { path, role } = firstValid(key);
      return [
        { method: 'POST', path, role, body: '{"events": [', expect: 400 },
        { method: 'POST', path, role, body: '{"events": []}', expect: 400 },
        { method: 'POST', path, role, body: firstValid(key).body, contentType: 'text/plain', expect: 415 },
        { method: 'POST', path, role, body: JSON.stringify({ events: [], pad: 'x'.repeat(MAX_BODY) }), expect: 413 },
      ];
    });
    expect(cases.length).toBeGreaterThanOrEqual(24);
    expect(await judge(cases)).toEqual([]);
  }, 240_000);

  it('answers 400 to bad query values (a report period, format or asOf; a page size; a proof index) and judges unknown parameters', async () => {
    const BAD: Record<string, string[]> = {
      after: ['-1'], limit: ['0', 'many'], fromRevision: ['x'], size: ['x', '99999999'], index: ['x'], from: ['x'], to: ['99999999'],
      asOf: ['banana', '99999999'], period: ['2025Q9'], format: ['xml'], bom: ['maybe'],
    };
    const cases: Case[] = [];
    const unknownParameter: string[] = [];
    for (const { key, method, operation } of operations()) {
      const base = firstValid(key);
      const [path, search = ''] = base.path.split('?');
      if (method === 'GET') {
        // An unknown parameter: refused (400) where the route checks its query, ignored (200) elsewhere — documented either way.
        const answer = await call({ path: `${path}?${search}${search ? '&' : ''}bogus=1`, role: base.role ?? null, expect: 0 });
        if (answer.status !== 200 && answer.status !== 400) unknownParameter.push(`${key}: ${answer.status}`);
        unknownParameter.push(...api.problems(answer));
      }
      const query = (operation.parameters ?? []).filter((p) => p.in === 'query');
      for (const { name } of query) {
        for (const value of BAD[name] ?? []) {
          const params = new URLSearchParams(search);
          params.set(name, value);
          cases.push({ path: `${path}?${params}`, role: base.role ?? null, expect: 400 });
        }
      }
    }
    expect(unknownParameter).toEqual([]);
    expect(cases.map((c) => c.path)).toEqual(expect.arrayContaining([expect.stringContaining('/v1/reports/ifr?period=2025Q9'), expect.stringContaining('format=xml'), expect.stringContaining('asOf=99999999')]));
    expect(await judge(cases)).toEqual([]);
  }, 240_000);

  it('answers 404 to unknown ids and an unknown budget line, as documented', async () => {
    const cases: Case[] = operations()
      .filter((o) => o.template.includes('{'))
      .map(({ key, template }) => ({ path: template.replace(/\{[^}]+\}/g, 'NO-SUCH-ID'), role: firstValid(key).role ?? null, expect: 404 }));
    cases.push({ path: '/v1/grant/expenditures?budgetLine=NO-SUCH-LINE', role: 'finance', expect: 404 });
    expect(await judge(cases)).toEqual([]);
  }, 240_000);

  it('answers 405 to a documented path asked with a method it does not document', async () => {
    const cases = Object.entries(doc.paths).map(([template, item]) => {
      const method = ['DELETE', 'PUT', 'PATCH', 'POST'].find((m) => !Object.hasOwn(item, m.toLowerCase()))!;
      return { method, path: template.replace(/\{[^}]+\}/g, 'X1'), role: 'admin', body: method === 'DELETE' ? undefined : '{}', expect: 405 };
    });
    expect(await judge(cases)).toEqual([]);
  }, 240_000);
});
