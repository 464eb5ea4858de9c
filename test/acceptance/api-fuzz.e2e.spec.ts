import fc from 'fast-check';
import { firstTextIssue } from '@peil/contracts';
import { get, useSharedSystem } from '@peil/testing';
import { eventBatch, hostileBody, pathSegment, queryString, TEMPLATES, type Known } from './fuzz/arbitraries';
import { accepted, ev, enrolledHousehold, peilGrant } from './programme';

/**
 * Property-based fuzzing of the public API, through the gateway of a started system: every write
 * route with mutated events and hostile bodies, every read route with hostile query strings and
 * path segments. Invariants: never a 5xx; every error has a code (and its parameter as path when a
 * query parameter is at fault); a request answered with an error, or whose events were all
 * rejected, writes nothing; no rejected event is in the ledger; the system stays up.
 *
 * `npm test` runs it with a fixed seed and few runs. `npm run fuzz` draws a seed (printed; replay
 * with PEIL_FUZZ_SEED=<seed>) and runs PEIL_FUZZ_RUNS (default 300) per property.
 */
const seedVariable = process.env.PEIL_FUZZ_SEED;
const seed = seedVariable === undefined || seedVariable === '' ? 20260301 : seedVariable === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(seedVariable);
const runs = Number(process.env.PEIL_FUZZ_RUNS ?? 12);
if (seedVariable) process.stderr.write(`API fuzzing: seed ${seed}, ${runs} runs per property (replay with PEIL_FUZZ_SEED=${seed} PEIL_FUZZ_RUNS=${runs})\n`);
// No shrinking: each step is a request to a live system, and the first failing input is already small (at most 4 events).
const options = { seed, numRuns: runs, endOnFailure: true };
jest.setTimeout(Math.max(120_000, runs * 3_000));

/** Codes whose error must say where. A whole body nested too deep is refused by a scan that does not track paths. */
const PATH_CODES = new Set(['invalid_field', 'missing_field', 'invalid_text', 'unknown_event_type', 'invalid_query', 'unknown_query_parameter']);
const RESULT_PATH_CODES = new Set([...PATH_CODES, 'too_deep']);
const RESULT_STATUSES = new Set(['accepted', 'duplicate', 'rejected']);

interface Answer {
  status: number;
  text: string;
  body: any;
}

describe('API fuzzing (no 5xx, nothing written for what is rejected, every error explained)', () => {
  const system = useSharedSystem();
  let known: Known;
  /** The ledger's last position as these tests last saw it. */
  let seen = 0;

  // The shared system runs no timed background writers (SHARED_SYSTEM_ENV): every ledger change comes from a request.
  beforeAll(async () => {
    const grant = peilGrant();
    await accepted(system, 'grant', [grant.event], 'finance');
    const householdId = await enrolledHousehold(system);
    const itemCode = `SEW-${grant.suffix}`;
    await accepted(system, 'asset-transfer', [ev('AssetCatalogueItemApproved', { itemCode, name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 })]);
    known = { householdId, budgetLine: grant.lines.training!, grantId: String(grant.event.data.grantId), itemCode };
    seen = (await newEvents()).at(-1)?.position ?? 0;
  }, 150_000);

  async function request(method: 'GET' | 'POST', path: string, role: string, body?: string | Uint8Array, contentType?: string | null): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${system.keys[role]}` };
    if (contentType) headers['content-type'] = contentType;
    // A request left unanswered is a failure too (and shows which one), not a test timeout.
    const res = await fetch(`${system.baseUrl}${path}`, { method, headers, signal: AbortSignal.timeout(30_000), ...(body === undefined ? {} : { body }) }).catch((err: unknown) => {
      throw new Error(`${method} ${path.slice(0, 200)} got no answer: ${String(err)}`);
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      // checked below: an error must be JSON
    }
    return { status: res.status, text, body: parsed };
  }

  /** Events recorded after the last position seen (and moves `seen` past them). */
  async function newEvents(): Promise<Array<{ position: number; eventId: string }>> {
    const out: Array<{ position: number; eventId: string }> = [];
    for (;;) {
      const page = await get(system, `/ledger/events?after=${seen}&limit=10000`, 'auditor');
      expect(page.status).toBe(200);
      const events = page.body.events as Array<{ position: number; eventId: string }>;
      out.push(...events);
      if (events.length > 0) seen = events[events.length - 1]!.position;
      if (events.length < 10_000) return out;
    }
  }

  function expectExplainedError(answer: Answer, where: string): void {
    expect({ where, status: answer.status, body: answer.body }).toMatchObject({ body: { error: { code: expect.any(String), message: expect.any(String) } } });
    const error = answer.body.error;
    if (PATH_CODES.has(error.code)) expect({ where, error }).toMatchObject({ error: { path: expect.any(String) } });
  }

  function expectNo5xx(answer: Answer, where: string): void {
    if (answer.status >= 500) throw new Error(`${where} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
  }

  /** The invariants of one write request, given the events it carried (when it carried an array). */
  async function checkWrite(answer: Answer, where: string, sent: unknown[] | null): Promise<void> {
    expectNo5xx(answer, where);
    const recorded = await newEvents();
    if (answer.status !== 200) {
      expectExplainedError(answer, where);
      expect({ where, recorded }).toEqual({ where, recorded: [] });
      return;
    }
    const results = answer.body?.results as Array<{ status: string; eventId: unknown; error?: { code: string; message: string; path?: string } }>;
    expect(Array.isArray(results)).toBe(true);
    if (sent) expect(results).toHaveLength(sent.length);
    for (const r of results) {
      expect(RESULT_STATUSES.has(r.status)).toBe(true);
      if (r.status === 'rejected') {
        expect({ where, error: r.error }).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
        if (RESULT_PATH_CODES.has(r.error!.code)) expect({ where, error: r.error }).toMatchObject({ error: { path: expect.any(String) } });
        if (typeof r.eventId === 'string') expect(r.eventId.length).toBeLessThanOrEqual(160);
      }
    }
    const recordedIds = new Set(recorded.map((e) => e.eventId));
    if (results.every((r) => r.status === 'rejected')) expect({ where, recorded }).toEqual({ where, recorded: [] });
    if (sent) {
      sent.forEach((event, i) => {
        // Nothing recorded holds a lone surrogate, a control or a bidi override.
        if (results[i]!.status === 'accepted') expect({ where, textIssue: firstTextIssue(event) }).toEqual({ where, textIssue: undefined });
        const id = typeof event === 'object' && event !== null ? (event as { eventId?: unknown }).eventId : undefined;
        if (results[i]!.status === 'rejected' && typeof id === 'string') expect({ where, rejectedButRecorded: recordedIds.has(id) ? id : null }).toEqual({ where, rejectedButRecorded: null });
      });
    }
  }

  it.each(Object.keys(TEMPLATES))('POST /%s/events with mutated events of every type', async (context) => {
    await fc.assert(
      fc.asyncProperty(eventBatch(context, known), async (events) => {
        const answer = await request('POST', `/${context}/events`, 'admin', JSON.stringify({ events }), 'application/json');
        await checkWrite(answer, `POST /${context}/events ${JSON.stringify(events).slice(0, 300)}`, events);
      }),
      options,
    );
  });

  it('POST of hostile bodies to every write route (random JSON, not JSON, not UTF-8, deep, wrong media type)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(TEMPLATES)), hostileBody, async (context, { body, contentType }) => {
        const answer = await request('POST', `/${context}/events`, 'admin', body, contentType);
        let sent: unknown[] | null = null;
        try {
          const parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
          if (Array.isArray(parsed?.events)) sent = parsed.events;
        } catch {
          // not JSON: must be an error answer
        }
        await checkWrite(answer, `POST /${context}/events (${contentType}) ${String(typeof body === 'string' ? body : Buffer.from(body).toString('hex')).slice(0, 200)}`, sent);
      }),
      options,
    );
  });

  const READS: Array<{ path: (segment: string) => string; query: readonly string[]; role: string }> = [
    { path: () => '/ledger/events', query: ['after', 'limit'], role: 'auditor' },
    { path: (s) => `/ledger/streams/${s}`, query: ['fromRevision'], role: 'auditor' },
    { path: () => '/grant/expenditures', query: ['budgetLine'], role: 'finance' },
    { path: (s) => `/reports/${s}`, query: ['asOf', 'period', 'format'], role: 'donor' },
    { path: () => '/reports/grant-statement', query: ['asOf', 'period', 'format'], role: 'donor' },
    { path: () => '/reports/asset-register', query: ['asOf', 'period', 'format'], role: 'auditor' },
    { path: (s) => `/grant/grants/${s}`, query: [], role: 'finance' },
    { path: (s) => `/grant/commitments/${s}`, query: [], role: 'finance' },
    { path: (s) => `/enrolment/households/${s}`, query: [], role: 'ngo' },
    { path: (s) => `/assessment/households/${s}`, query: [], role: 'ngo' },
    { path: (s) => `/assessment/markets/${s}`, query: [], role: 'ngo' },
    { path: (s) => `/asset-transfer/households/${s}`, query: [], role: 'ngo' },
    { path: (s) => `/training/households/${s}`, query: [], role: 'ngo' },
    { path: (s) => `/evaluation/households/${s}`, query: [], role: 'ngo' },
  ];

  it.each(READS.map((r, i) => [r.path('{segment}'), i] as const))('GET %s with hostile query strings and path segments', async (_label, i) => {
    const route = READS[i]!;
    await fc.assert(
      fc.asyncProperty(pathSegment, queryString(route.query), async (segment, query) => {
        const path = `${route.path(segment)}${query}`;
        const answer = await request('GET', path, route.role);
        expectNo5xx(answer, `GET ${path}`);
        if (answer.status >= 400) expectExplainedError(answer, `GET ${path}`);
      }),
      options,
    );
    // Reads write nothing.
    expect(await newEvents()).toEqual([]);
  });

  it('is still up and healthy after all of it', async () => {
    // No process crashed (the supervisor would have said so) ...
    expect(system.output()).not.toMatch(/uncaught|unhandled|exited \(/i);
    // ... and each answers its health probe. The gateway gives a probe 1 s: on a loaded machine one
    // may miss it, so a few probes are allowed; a process that is down misses them all.
    let status = 0;
    for (let i = 0; i < 10 && status !== 200; i++) status = (await fetch(`${system.baseUrl}/health`)).status;
    expect(status).toBe(200);
  });
});
