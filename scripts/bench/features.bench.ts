import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstTextIssue } from '@peil/contracts';
import { CompactRange, hashEnvelope, hashedPart, leafHash, type StoredEvent } from '@peil/ledger';
import { systemClock } from '@peil/platform/clock';
import { RateLimiter } from '@peil/platform/http';
import { JsonLogger, ServiceMetrics } from '@peil/platform/observability';
import { encryptField, openSqliteAccessLog, pseudonym } from '@peil/platform/privacy';
import { enrolmentEvent } from '@peil/testing';
import type { BenchContext, BenchRow, BenchSection } from './harness';
import { TARGETS } from './targets';

/** CPU time (user + system, µs) per call of `fn`, over `calls` calls after a warm-up. */
function cpuPerCall(calls: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(1000, calls); i++) fn(i);
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

/** What a client submits for one enrolment: the text the Unicode checks walk. */
const submitted = {
  eventId: '3f1c2a9e-7b4d-4c1e-9a55-0d6e8f1b2c3d',
  type: 'HouseholdEnrolled',
  occurredAt: '2026-03-01T09:00:00+02:00',
  data: {
    householdId: 'HH-1', essnId: 'ESSN-123456789', governorate: 'North', district: 'Tripoli', sdcId: 'SDC-TRI-01', consent: true,
    participant: { participantId: 'P-1', fullName: 'ريما حداد', sex: 'F', birthDate: '1990-05-14', educationLevel: 'secondary', phone: '+961 3 123456' },
  },
};

/** Per-event budget at the HTTP batch target: every feature's cost is set against it. */
const BUDGET_US = 1e6 / TARGETS.httpIngestBatched;

/**
 * The cost of each feature the security, auditor and operations work added to the request path, as
 * CPU µs per event (or per request) measured on its own code, set against the per-event budget of
 * the HTTP ingest target. CPU time, not wall time: it holds on a loaded machine too.
 */
export const featuresBench: BenchSection = {
  name: 'features',
  title: 'Cost of each request-path feature (CPU µs per event, against the 50 µs/event budget of 20,000 ev/s)',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const calls = ctx.scale(50_000);
    const dir = mkdtempSync(join(tmpdir(), 'peil-bench-features-'));
    const key = randomBytes(32);
    const event = enrolmentEvent('HH-features-1', 0);
    const stored: StoredEvent = { ...hashedPart({ ...event, streamId: 'household-HH-features-1', revision: 0, prevHash: null }), position: 1, hash: '' };
    const withPrincipal: StoredEvent = { ...stored, principal: { keyId: 'k-ngo-1', role: 'ngo', via: 'http' } };
    const accessLog = openSqliteAccessLog(dir, systemClock);
    const logger = new JsonLogger('bench', ['log'], () => undefined);
    const metrics = new ServiceMetrics('bench');
    const limiter = new RateLimiter(1e9);
    const range = new CompactRange();
    const leaf = Buffer.from('ab'.repeat(32), 'hex');
    try {
      const baseHash = cpuPerCall(calls, () => hashEnvelope(stored));
      const costs: Array<[string, number, string]> = [
        ['principal in the hashed envelope', cpuPerCall(calls, () => hashEnvelope(withPrincipal)) - baseHash, `hash with principal minus without (${baseHash.toFixed(2)} µs)`],
        ['Unicode checks (every string of the event)', cpuPerCall(calls, () => firstTextIssue(submitted, '', 64)), 'firstTextIssue on a HouseholdEnrolled'],
        ['ESSN pseudonym (HMAC-SHA-256)', cpuPerCall(calls, (i) => pseudonym(key, `ESSN-${100_000_000 + i}`)), 'one per enrolment'],
        ['field encryption (3 personal fields, AES-256-GCM)', cpuPerCall(calls, () => ['participant.fullName', 'participant.birthDate', 'participant.phone'].forEach((f) => encryptField(key, 'HH-1', f, 'ريما حداد'))), 'one per enrolment'],
        ['personal-data access log (per read, synchronous=FULL)', cpuPerCall(ctx.scale(500), (i) => accessLog.record({ principal: 'auditor:k1', role: 'auditor', requestId: `r-${i}`, householdId: 'HH-1', fields: ['participant.fullName'] })), 'per read of personal data, not on ingest'],
        ['Merkle tree (leaf hash + compact range append)', cpuPerCall(calls, () => range.append(leafHash(leaf))), 'per event, in the sealer'],
        ['JSON logs (one access line)', cpuPerCall(calls, (i) => logger.record('log', 'access', 'POST /v1/enrolment/events', { status: 200, ms: 3.2, requestId: `r-${i}` })), 'per request, formatting only'],
        ['metrics (request histogram + append counter)', cpuPerCall(calls, () => {
          metrics.httpRequests.observe({ method: 'POST', route: '/v1/enrolment/events', status: '200' }, 0.004);
          metrics.eventsAppended.inc({ context: 'enrolment', type: 'HouseholdEnrolled' });
        }), 'per request'],
        ['rate limits (token bucket per API key)', cpuPerCall(calls, (i) => limiter.take(`k-${i % 50}`)), 'per request'],
      ];
      return costs.map(([feature, us, note]): BenchRow => ({
        metric: `feature: ${feature}`,
        value: Math.max(0, us),
        unit: 'µs',
        better: 'lower',
        relativeTo: { label: 'per-event budget', value: BUDGET_US },
        note,
      }));
    } finally {
      accessLog.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
