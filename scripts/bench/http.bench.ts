import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { removeDir, startSystem, type RunningSystem } from '@peil/testing';
import { type BenchContext, type BenchRow, type BenchSection, msSince, percentile } from './harness';
import { CONTEXT_EVENTS, enrolment, type Submission } from './http.fixtures';
import { ServiceMemory, SystemCpu } from './memory';
import { TARGETS } from './targets';

/**
 * The bench's own client: node:http over keep-alive connections. It shares the machine's two cores
 * with the system it measures; fetch (undici) cost ~1.5–2 ms of CPU per request here, a third of
 * what a single-event request costs the whole system, so the rows measured the client as much.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: URL, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function postEvents(system: RunningSystem, context: string, events: Submission[]): Promise<void> {
  const res = await post(new URL(`${system.baseUrl}/${context}/events`), system.keys.ngo!, JSON.stringify({ events }));
  const body = JSON.parse(res.text) as { results?: Array<{ status: string }> };
  const ok = res.status >= 200 && res.status < 300;
  if (!ok || !body.results || body.results.some((r) => r.status !== 'accepted')) throw new Error(`ingest to ${context} failed: HTTP ${res.status} ${res.text.slice(0, 300)}`);
}

/** `clients` loops, each sending its requests until `requests` were sent in all; per-request latencies, sorted, and the wall time. */
async function clients(count: number, requests: number, send: (client: number) => Promise<void>): Promise<{ latencies: number[]; ms: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: count }, async (_, client) => {
      while (next < requests) {
        next += 1;
        const t = process.hrtime.bigint();
        await send(client);
        latencies.push(msSince(t));
      }
    }),
  );
  const ms = msSince(start);
  latencies.sort((a, b) => a - b);
  return { latencies, ms };
}

const pcts = (sorted: number[]) => `per request p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`;
const batch = (make: () => Submission) => Array.from({ length: 1000 }, make);

/**
 * HTTP ingest through the gateway, on the system `npm start` runs (built dist/, separate processes):
 * every event is validated, decided against the programme, its personal data encrypted, hashed and
 * appended. Alone, with four contexts written at once, and with sixteen clients on one context;
 * beside each row the peak resident memory of the services that served it.
 */
export const httpBench: BenchSection = {
  name: 'http',
  title: 'HTTP ingest through the gateway (validate, decide, encrypt, append)',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const system = await startSystem({ dataDir: join(ctx.dir, 'http'), timeoutMs: 300_000, env: { PEIL_HOUSEHOLD_CAPACITY: '10000000', PEIL_LOG_LEVEL: 'error', PEIL_RATE_LIMIT_PER_KEY: '0', PEIL_RATE_LIMIT_AUTH_FAILURES: '0' } });
    const memory = new ServiceMemory(system.pid);
    const cpu = new SystemCpu(system.pid);
    try {
      for (const [context, make] of CONTEXT_EVENTS) await postEvents(system, context, [make()]); // warm-up
      const rows: BenchRow[] = [];

      memory.reset();
      cpu.reset();
      const alone = await clients(1, ctx.scale(20), () => postEvents(system, 'enrolment', batch(enrolment)));
      rows.push({
        metric: 'HTTP ingest, batches of 1,000 (1 client)', value: (alone.latencies.length * 1000 * 1000) / alone.ms, unit: 'ev/s', target: TARGETS.httpIngestBatched,
        note: `${alone.latencies.length} requests of 1,000 HouseholdEnrolled; ${pcts(alone.latencies)}; ${memory.describe(['gateway', 'enrolment'])}; ${cpu.describe(alone.latencies.length * 1000)}`,
      });

      memory.reset();
      cpu.reset();
      const contexts = CONTEXT_EVENTS.map(([context]) => context);
      // Every client as many requests (a --quick run too), each client on its own context.
      const four = await clients(CONTEXT_EVENTS.length, CONTEXT_EVENTS.length * Math.max(1, ctx.scale(5)), (client) => {
        const [context, make] = CONTEXT_EVENTS[client]!;
        return postEvents(system, context, batch(make));
      });
      rows.push({
        metric: 'HTTP ingest, batches of 1,000, 4 clients × 4 contexts', value: (four.latencies.length * 1000 * 1000) / four.ms, unit: 'ev/s', target: TARGETS.httpIngestBatched,
        note: `${four.latencies.length} requests (${contexts.join(', ')}); ${pcts(four.latencies)}; ${memory.describe(['gateway', ...contexts])}; ${cpu.describe(four.latencies.length * 1000)}`,
      });

      memory.reset();
      cpu.reset();
      const concurrency = 16;
      const single = await clients(concurrency, ctx.scale(4000), () => postEvents(system, 'enrolment', [enrolment()]));
      const memoryNote = `${memory.describe(['gateway', 'enrolment'])}; ${cpu.describe(single.latencies.length)}`;
      rows.push(
        { metric: 'HTTP single-event requests, 16 clients × 1 context', value: (single.latencies.length * 1000) / single.ms, unit: 'req/s', target: TARGETS.httpIngestSingle, note: `${single.latencies.length} requests to enrolment; ${memoryNote}` },
        { metric: 'HTTP single-event p50 latency', value: percentile(single.latencies, 50), unit: 'ms', better: 'lower', note: '16 concurrent clients' },
        { metric: 'HTTP single-event p99 latency', value: percentile(single.latencies, 99), unit: 'ms', better: 'lower', target: TARGETS.httpIngestSingleP99Ms, note: '16 concurrent clients' },
      );
      return rows;
    } catch (err) {
      // The services' own account of a failed request (PEIL_LOG_LEVEL=error: only errors are logged).
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nsystem log:\n${system.output().slice(-4000)}`);
    } finally {
      await system.stop();
      removeDir(join(ctx.dir, 'http'));
    }
  },
};
