import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { removeDir, startSystem, type RunningSystem } from '@peil/testing';
import { type BenchContext, type BenchRow, type BenchSection, msSince, percentile } from './harness';
import { TARGETS } from './targets';

let counter = 0;
function enrolment() {
  counter += 1;
  const id = `${process.pid}-${counter}`;
  return {
    eventId: randomUUID(),
    type: 'HouseholdEnrolled',
    occurredAt: '2026-03-01T09:00:00+02:00',
    source: 'bench',
    data: {
      householdId: `HH-${id}`,
      essnId: `ESSN-${id}`,
      governorate: 'North',
      district: 'Tripoli',
      sdcId: 'SDC-TRI-01',
      participant: { participantId: `P-${id}`, fullName: 'Rima Haddad', sex: 'F', birthDate: '1990-05-14', educationLevel: 'secondary', phone: '+961 3 123456' },
      consent: true,
    },
  };
}

async function postEvents(system: RunningSystem, events: unknown[]): Promise<void> {
  const res = await fetch(`${system.baseUrl}/enrolment/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${system.keys.ngo}` },
    body: JSON.stringify({ events }),
  });
  const body = (await res.json()) as { results: Array<{ status: string }> };
  if (!res.ok || body.results.some((r) => r.status !== 'accepted')) throw new Error(`ingest failed: HTTP ${res.status}`);
}

/**
 * HTTP ingest through the gateway into the enrolment service, on the system `npm start` runs
 * (built dist/, separate processes): every event is validated, decided against the programme,
 * its personal data encrypted under a new household key, hashed and appended.
 */
export const httpBench: BenchSection = {
  name: 'http',
  title: 'HTTP ingest through the gateway (enrolment: validate, decide, encrypt, append)',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const system = await startSystem({ dataDir: join(ctx.dir, 'http'), env: { PEIL_HOUSEHOLD_CAPACITY: '10000000', PEIL_LOG_LEVEL: 'error', PEIL_RATE_LIMIT_PER_KEY: '0', PEIL_RATE_LIMIT_AUTH_FAILURES: '0' } });
    try {
      await postEvents(system, [enrolment()]); // warm-up
      const batches = ctx.scale(20);
      let start = process.hrtime.bigint();
      for (let i = 0; i < batches; i++) await postEvents(system, Array.from({ length: 1000 }, enrolment));
      const batchRate = (batches * 1000 * 1000) / msSince(start);

      const requests = ctx.scale(4000);
      const concurrency = 16;
      const latencies: number[] = [];
      let next = 0;
      start = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < requests) {
            next += 1;
            const t = process.hrtime.bigint();
            await postEvents(system, [enrolment()]);
            latencies.push(msSince(t));
          }
        }),
      );
      const singleRate = (requests * 1000) / msSince(start);
      latencies.sort((a, b) => a - b);
      const p99 = percentile(latencies, 99);
      return [
        { metric: 'HTTP ingest, batches of 1,000', value: batchRate, unit: 'ev/s', target: TARGETS.httpIngestBatched, note: `${batches} requests of 1,000 HouseholdEnrolled` },
        { metric: 'HTTP ingest, single-event requests', value: singleRate, unit: 'req/s', target: TARGETS.httpIngestSingle, note: `${requests} requests, ${concurrency} concurrent clients` },
        { metric: 'HTTP single-event p99 latency', value: p99, unit: 'ms', better: 'lower', target: TARGETS.httpIngestSingleP99Ms, note: `p50 ${percentile(latencies, 50).toFixed(1)} ms` },
      ];
    } finally {
      await system.stop();
      removeDir(join(ctx.dir, 'http'));
    }
  },
};
