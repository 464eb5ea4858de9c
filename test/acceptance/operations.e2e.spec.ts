import { get, post, removeDir, startSystem, type RunningSystem } from '@peil/testing';
import { enrolment } from './fixtures';

/**
 * What an operator sees: JSON log lines with service, level and request ids (an access line per
 * request, never a key or a posted name), Prometheus metrics for the whole system at the gateway,
 * rate limits on failed authentication, hardened headers, CORS preflights and 405s.
 */
describe('operations', () => {
  let system: RunningSystem;
  const ORIGIN = 'https://dashboard.example.org';

  beforeAll(async () => {
    system = await startSystem({ env: { PEIL_LOG_LEVEL: 'log', PEIL_RATE_LIMIT_AUTH_FAILURES: '10', PEIL_RATE_LIMIT_PER_KEY: '100000', PEIL_CORS_ORIGINS: ORIGIN } });
  }, 90_000);

  afterAll(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  const raw = (path: string, init: RequestInit = {}) => fetch(`${system.baseUrl.replace(/\/v1$/, '')}${path}`, init);

  it('answers Prometheus text at /metrics for admins only, with the ledger head, lags and request histograms', async () => {
    const event = enrolment();
    expect((await post(system, '/enrolment/events', { events: [event] })).status).toBe(200);
    expect((await raw('/metrics', { headers: { authorization: `Bearer ${system.keys.donor}` } })).status).toBe(403);
    const res = await raw('/metrics', { headers: { authorization: `Bearer ${system.keys.admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const families = parseExposition(text);
    expect(families.get('peil_ledger_head_position')?.type).toBe('gauge');
    expect(families.get('peil_projector_lag')?.type).toBe('gauge');
    expect(families.get('peil_http_request_duration_seconds')?.type).toBe('histogram');
    expect(families.get('peil_events_appended_total')?.type).toBe('counter');
    expect(families.get('peil_process_resident_memory_bytes')).toBeDefined();
    expect(families.get('peil_nodejs_eventloop_lag_seconds')).toBeDefined();
    expect(text).toMatch(/peil_events_appended_total\{[^}]*context="enrolment"[^}]*type="HouseholdEnrolled"[^}]*\} 1/);
    expect(text).toMatch(/peil_http_request_duration_seconds_count\{[^}]*route="\/v1\/enrolment\/events"[^}]*\} \d+/);
    // Every service answers for itself, labelled.
    for (const service of ['gateway', 'enrolment', 'reporting', 'ledger']) expect(text).toContain(`service="${service}"`);
    expect(text).not.toContain(event.data.householdId);
  });

  it('limits failed authentications per address with 429 and Retry-After, while a valid key still passes', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${system.baseUrl}/enrolment/households/HH-x`, { headers: { authorization: `Bearer not-a-key-${i}-${'x'.repeat(24)}` } });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await get(system, '/ledger/events?after=0&limit=1')).status).toBe(200);
  });

  it('hides the framework, sets hardening headers, answers preflights without a key and wrong methods with 405', async () => {
    const res = await fetch(`${system.baseUrl}/health`);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const proxied = await fetch(`${system.baseUrl}/ledger/events?after=0&limit=1`, { headers: { authorization: `Bearer ${system.keys.auditor}` } });
    expect(proxied.headers.get('x-powered-by')).toBeNull();

    const preflight = await fetch(`${system.baseUrl}/enrolment/events`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const stranger = await fetch(`${system.baseUrl}/enrolment/events`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(stranger.status).toBe(204);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

    const wrong = await fetch(`${system.baseUrl}/enrolment/events`, { method: 'DELETE', headers: { authorization: `Bearer ${system.keys.ngo}` } });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('writes JSON lines only, each with service and level; access lines carry request id, route and status; no key or posted name', async () => {
    const named = enrolment({}, { fullName: 'Zeinab Log-Probe' });
    const posted = await fetch(`${system.baseUrl}/enrolment/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${system.keys.ngo}`, 'x-request-id': 'ops-test-request-1' },
      body: JSON.stringify({ events: [named] }),
    });
    expect(posted.status).toBe(200);
    // The access line is written when the answer is complete; give the process a moment to flush.
    const deadline = Date.now() + 10_000;
    while (!system.output().includes('ops-test-request-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const lines = system.output().split('\n').filter((l) => l.trim() !== '');
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    for (const r of records) {
      expect(typeof r.service).toBe('string');
      expect(typeof r.level).toBe('string');
    }
    const access = records.filter((r) => r.context === 'access');
    expect(access.length).toBeGreaterThan(10);
    expect(access.find((r) => r.requestId === 'ops-test-request-1')).toMatchObject({ method: 'POST', route: '/v1/enrolment/events', status: 200, service: 'gateway' });
    expect(access.some((r) => r.status === 401) && access.some((r) => r.status === 429)).toBe(true);
    const all = system.output();
    for (const key of Object.values(system.keys)) expect(all).not.toContain(key);
    expect(all).not.toContain('Zeinab');
    expect(all).not.toContain('Rima Haddad');
  });
});

/** A strict reading of the Prometheus text format (0.0.4): HELP/TYPE once per family, samples of declared families, numeric values. */
function parseExposition(text: string): Map<string, { type: string; samples: number }> {
  const families = new Map<string, { type: string; samples: number }>();
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sample = new RegExp(`^(${name})(\\{(${name}="(?:[^"\\\\\\n]|\\\\.)*"(,${name}="(?:[^"\\\\\\n]|\\\\.)*")*,?)?\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?\\d+)?$`);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        if (families.has(meta[2]!)) throw new Error(`TYPE twice for ${meta[2]}`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(meta[3]!)) throw new Error(`bad type: ${line}`);
        families.set(meta[2]!, { type: meta[3]!, samples: 0 });
      }
      continue;
    }
    const m = sample.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const family = [...families.keys()].find((f) => m[1] === f || (m[1]!.startsWith(`${f}_`) && /_(bucket|sum|count|total|created)$/.test(m[1]!)));
    if (!family) throw new Error(`sample of an undeclared family: ${line}`);
    families.get(family)!.samples += 1;
  }
  return families;
}
