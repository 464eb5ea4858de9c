import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from '@peil/platform/config';
import { editLedgerBytes, get, post, removeDir, repoRoot, startSystem, tamperLedgerSql, type RunningSystem } from '@peil/testing';
import { enrolment } from './fixtures';

/** Nine processes booting on a shared 2-core machine: a start may take a minute; a deadline only bounds a broken one. */
const START_MS = 150_000;

/**
 * Tampering is noticed without anyone asking: every service verifies the ledger's chain as it
 * grows (and from the first event at start). A fault makes `integrity` fail on /v1/health (still
 * 200: the processes are alive) and /v1/ready (503), refuses writes with 503 ledger_integrity_fault,
 * and leaves the auditors' ledger endpoints answering; verification names the first failing
 * position and the real head. A ledger cut back behind the read models makes live reports refuse
 * their stale figures.
 */

type Health = { status: number; body: any };

async function health(system: RunningSystem, path: '/health' | '/ready'): Promise<Health> {
  const res = await fetch(`${system.baseUrl}${path}`);
  return { status: res.status, body: await res.json() };
}

const integrityOf = (body: any, service: string) => body?.services?.[service]?.components?.find((c: { name: string }) => c.name === 'integrity');

/** Polls /v1/health until every named service reports `integrity` failed; a deadline only bounds a broken run. */
async function untilIntegrityFails(system: RunningSystem, services: readonly string[]): Promise<Health> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const seen = await health(system, '/health');
    if (services.every((s) => integrityOf(seen.body, s)?.ok === false)) return seen;
    if (Date.now() > deadline) throw new Error(`integrity never reported failed: ${JSON.stringify(seen.body)}\n${system.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The position a service last recorded as verified, from its point file (null before its first round). */
function verifiedBy(system: RunningSystem, service: string): number | null {
  try {
    return (JSON.parse(readFileSync(join(system.dataDir, 'integrity', `${service}.verified.json`), 'utf8')) as { position: number }).position;
  } catch {
    return null;
  }
}

/** Waits until every service has verified the ledger through `position` (what a later cut must be measured against). */
async function untilVerifiedThrough(system: RunningSystem, position: number): Promise<void> {
  const deadline = Date.now() + 90_000;
  const behind = () => Object.keys(SERVICES).filter((s) => (verifiedBy(system, s) ?? 0) < position);
  while (behind().length > 0) {
    if (Date.now() > deadline) throw new Error(`not verified through ${position}: ${behind().join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function expectFaultHandled(system: RunningSystem, position: number, reason: string): Promise<void> {
  const live = await untilIntegrityFails(system, ['enrolment', 'grant', 'ledger', 'reporting']);
  expect(live.status).toBe(200);
  expect(live.body).toMatchObject({ ok: true, live: true, ready: false });
  expect(integrityOf(live.body, 'enrolment').error).toMatch(new RegExp(`^${reason} at position ${position} \\(ledger-chain\\)`));

  const ready = await health(system, '/ready');
  expect(ready.status).toBe(503);
  expect(ready.body.services.enrolment).toMatchObject({ live: true, ok: false, error: expect.stringContaining('integrity') });

  const before = (await get(system, '/ledger/events?limit=1000')).body.events.length as number;
  const write = await post(system, '/enrolment/events', { events: [enrolment()] });
  expect(write.status).toBe(503);
  expect(write.body.error).toMatchObject({ code: 'ledger_integrity_fault', message: expect.stringContaining(`at position ${position}`) });
  const grantWrite = await post(system, '/grant/events', { events: [] }, 'finance');
  expect(grantWrite.status).toBe(503);
  // Nothing was written, and the auditors' endpoints keep answering.
  const events = await get(system, '/ledger/events?limit=1000');
  expect(events.status).toBe(200);
  expect(events.body.events).toHaveLength(before);
  expect((await get(system, `/ledger/streams/${encodeURIComponent(events.body.events[0].streamId)}`)).status).toBe(200);
}

describe('integrity of the embedded ledger, noticed continuously', () => {
  it('a byte changed while the system was stopped: found at start, writes refused, ledger readable', async () => {
    const system = await startSystem({ timeoutMs: START_MS });
    const events = Array.from({ length: 6 }, () => enrolment());
    events[1]!.data.district = 'Bcharre-Qadisha';
    const res = await post(system, '/enrolment/events', { events });
    const target = res.body.results[1].position as number;
    const head = (await get(system, '/ledger/verify')).body.headPosition as number;
    expect(head).toBeGreaterThan(target);
    await system.stop();

    expect(editLedgerBytes(system.dataDir, 'Bcharre-Qadisha', 'bcharre-Qadisha')).toBeGreaterThan(0);

    const again = await startSystem({ dataDir: system.dataDir, waitFor: 'live', timeoutMs: START_MS });
    try {
      const stored = (await get(again, `/ledger/events?after=${target - 1}&limit=1`)).body.events[0];
      expect(stored).toMatchObject({ position: target, data: { district: 'bcharre-Qadisha' } });
      await expectFaultHandled(again, target, 'hash_mismatch');
      // Verification names the first failing position and the real head, not the last good position.
      const verify = await get(again, '/ledger/verify');
      const expected = { ok: false, headPosition: head, verifiedThrough: target - 1, firstFailure: { position: target, reason: 'hash_mismatch' } };
      expect(verify.body).toMatchObject(expected);
      // The CLI says the same, and fails.
      const cli = spawnSync(process.execPath, [join(repoRoot, 'bin', 'peil-ledger.js'), 'verify'], { env: { ...process.env, PEIL_DATA_DIR: again.dataDir }, encoding: 'utf8' });
      expect(cli.status).toBe(1);
      expect(JSON.parse(cli.stdout)).toMatchObject(expected);
    } finally {
      await again.stop();
      removeDir(system.dataDir);
    }
  }, 400_000);

  it('the newest event rewritten while the system runs: every service notices without being asked', async () => {
    const system = await startSystem({ timeoutMs: START_MS });
    try {
      const res = await post(system, '/enrolment/events', { events: Array.from({ length: 4 }, () => enrolment()) });
      expect(res.body.results.every((r: { status: string }) => r.status === 'accepted')).toBe(true);
      const head = (await get(system, '/ledger/verify')).body.headPosition as number;
      // Every service has verified the head before the change: it is found by re-checking the verified point.
      await untilVerifiedThrough(system, head);
      expect((await health(system, '/ready')).status).toBe(200);

      // One byte of the stored data (the district's first letter), through SQLite so every process reads it.
      tamperLedgerSql(system.dataDir, `UPDATE events SET data = replace(data, '"district":"T', '"district":"t') WHERE position = ${head}`);
      const stored = (await get(system, `/ledger/events?after=${head - 1}&limit=1`)).body.events[0];
      expect(stored.data.district).toBe('tripoli');

      await expectFaultHandled(system, head, 'hash_mismatch');
      const verify = await get(system, '/ledger/verify');
      expect(verify.body).toMatchObject({ ok: false, headPosition: head, verifiedThrough: head - 1, firstFailure: { position: head, reason: 'hash_mismatch' } });
    } finally {
      await system.stop();
      removeDir(system.dataDir);
    }
  }, 400_000);

  it('the ledger cut back behind the read models while running: live reports refuse stale figures, asOf below still answers', async () => {
    const system = await startSystem({ timeoutMs: START_MS });
    try {
      await post(system, '/enrolment/events', { events: Array.from({ length: 6 }, () => enrolment()) });
      const report = await fetch(`${system.baseUrl}/reports/beneficiaries`, { headers: { authorization: `Bearer ${system.keys.donor}` } });
      expect(report.status).toBe(200);
      const head = Number(report.headers.get('x-ledger-position'));
      expect(head).toBeGreaterThanOrEqual(6);
      await untilVerifiedThrough(system, head);

      tamperLedgerSql(system.dataDir, `DELETE FROM events WHERE position > ${head - 3}`);
      const cut = (await get(system, '/ledger/verify')).body;
      // What remains verifies: only the read models' checkpoints (and the services' verified points) show the cut.
      expect(cut).toMatchObject({ ok: true, headPosition: head - 3 });

      const stale = await get(system, '/reports/beneficiaries', 'donor');
      expect(stale.status).toBe(503);
      expect(stale.body.error).toMatchObject({ code: 'read_model_integrity_fault', message: expect.stringContaining(`the ledger's head is ${head - 3}`) });
      const past = await get(system, `/reports/beneficiaries?asOf=${head - 4}`, 'donor');
      expect(past.status).toBe(200);
      expect(past.body).toMatchObject({ ledgerPosition: head - 4 });

      const live = await untilIntegrityFails(system, ['reporting', 'enrolment']);
      expect(live.status).toBe(200);
      expect((await health(system, '/ready')).status).toBe(503);
      expect((await post(system, '/enrolment/events', { events: [enrolment()] })).body.error).toMatchObject({ code: 'ledger_integrity_fault' });
    } finally {
      await system.stop();
      removeDir(system.dataDir);
    }
  }, 400_000);

  it('the ledger cut back while the system was stopped: the restarted system refuses stale figures and writes', async () => {
    const system = await startSystem({ timeoutMs: START_MS });
    await post(system, '/enrolment/events', { events: Array.from({ length: 6 }, () => enrolment()) });
    const head = (await get(system, '/reports/beneficiaries', 'donor')).body.ledgerPosition as number;
    await untilVerifiedThrough(system, head);
    await system.stop();
    tamperLedgerSql(system.dataDir, `DELETE FROM events WHERE position > ${head - 2}`);

    const again = await startSystem({ dataDir: system.dataDir, waitFor: 'live', timeoutMs: START_MS });
    try {
      const live = await untilIntegrityFails(again, ['enrolment', 'reporting']);
      // Each service re-checks the point it verified before the stop: the remaining chain verifies, the cut shows.
      expect(integrityOf(live.body, 'enrolment').error).toMatch(new RegExp(`^ledger_cut_back at position ${head} .*head is ${head - 2}`));
      const stale = await get(again, '/reports/beneficiaries', 'donor');
      expect(stale.status).toBe(503);
      expect(['read_model_integrity_fault', 'ledger_integrity_fault']).toContain(stale.body.error.code);
      expect((await post(again, '/enrolment/events', { events: [enrolment()] })).status).toBe(503);
      expect((await get(again, '/ledger/verify')).body).toMatchObject({ ok: true, headPosition: head - 2 });
    } finally {
      await again.stop();
      removeDir(system.dataDir);
    }
  }, 400_000);
});
