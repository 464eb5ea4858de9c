import { get, post, removeDir, startSystem, type RunningSystem } from '@peil/testing';
import { enrolment } from './fixtures';

/**
 * `npm start` under failure: kill -9 of one service must not take the system down. Deadlines are
 * generous and only turn a hang into a failure; every wait polls for the state it needs.
 */

/** The pid the supervisor last reported for a process ("<name> started (pid N)"). */
function lastPid(output: string, name: string): number | undefined {
  const pids = [...output.matchAll(new RegExp(`${name} started \\(pid (\\d+)\\)`, 'g'))].map((m) => Number(m[1]));
  return pids.at(-1);
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, output: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function health(system: RunningSystem): Promise<{ status: number; body: any }> {
  const res = await fetch(`${system.baseUrl}/health`);
  return { status: res.status, body: await res.json() };
}

describe('supervisor (npm start)', () => {
  let system: RunningSystem | undefined;

  afterEach(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
    system = undefined;
  }, 30_000);

  it('restarts a killed service; meanwhile its routes answer 503 and the others serve; no acknowledged event is lost', async () => {
    // A restart delay long enough that the outage is certainly observed, well inside the 30 s allowed.
    const running = (system = await startSystem({ env: { PEIL_RESTART_DELAY_MS: '2000' }, timeoutMs: 90_000 }));
    const acknowledged: string[] = [];
    for (let i = 0; i < 3; i++) {
      const batch = Array.from({ length: 5 }, () => enrolment());
      const res = await post(running, '/enrolment/events', { events: batch });
      expect(res.status).toBe(200);
      for (const r of res.body.results as Array<{ eventId: string; status: string }>) if (r.status === 'accepted') acknowledged.push(r.eventId);
    }
    expect(acknowledged).toHaveLength(15);

    const pid = lastPid(running.output(), 'enrolment')!;
    expect(isAlive(pid)).toBe(true);
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    await until('the supervisor saw enrolment die', () => (/enrolment exited \(SIGKILL\); restarting in 2000 ms/.test(running.output()) ? true : undefined), 10_000, running.output);

    // The outage: an answer, not a hang; the context named; the other contexts unaffected.
    const during = await post(running, '/enrolment/events', { events: [enrolment()] });
    expect(during.status).toBe(503);
    expect(during.body).toEqual({ error: { code: 'service_unavailable', message: 'enrolment is unavailable; try again shortly' } });
    expect((await get(running, '/ledger/verify')).status).toBe(200);
    const down = await health(running);
    expect(down.status).toBe(503);
    expect(down.body.services.enrolment).toMatchObject({ ok: false });
    expect(down.body.services.ledger).toMatchObject({ ok: true });

    await until('/v1/health answered 200 again', async () => ((await health(running)).status === 200 ? true : undefined), 30_000, running.output);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    const restarted = lastPid(running.output(), 'enrolment');
    expect(restarted).not.toBe(pid);

    const ledger = await get(running, '/ledger/events?after=0&limit=10000');
    const recorded = new Set((ledger.body.events as Array<{ eventId: string }>).map((e) => e.eventId));
    for (const eventId of acknowledged) expect(recorded.has(eventId)).toBe(true);
    const after = await post(running, '/enrolment/events', { events: [enrolment()] });
    expect(after.body.results[0].status).toBe('accepted');
  }, 240_000);

  it('gives up on a service that keeps crashing, keeps the others serving, and SIGTERM still stops every process', async () => {
    const running = (system = await startSystem({ env: { PEIL_RESTART_LIMIT: '1', PEIL_RESTART_DELAY_MS: '100' }, timeoutMs: 90_000 }));
    const first = lastPid(running.output(), 'enrolment')!;
    process.kill(first, 'SIGKILL');
    const second = await until('enrolment restarted', () => {
      const pid = lastPid(running.output(), 'enrolment');
      return pid !== first ? pid : undefined;
    }, 30_000, running.output);
    process.kill(second, 'SIGKILL');
    await until('the supervisor gave up on enrolment', () => (/GIVING UP on enrolment/.test(running.output()) ? true : undefined), 30_000, running.output);

    expect(lastPid(running.output(), 'enrolment')).toBe(second);
    const during = await post(running, '/enrolment/events', { events: [enrolment()] });
    expect(during.status).toBe(503);
    expect((await get(running, '/ledger/verify')).status).toBe(200);
    expect((await health(running)).body.services.enrolment).toMatchObject({ ok: false });

    const others = ['ledger', 'grant', 'gateway'].map((name) => lastPid(running.output(), name)!);
    for (const pid of others) expect(isAlive(pid)).toBe(true);
    system = undefined;
    expect(await running.stop()).toBe(0);
    await until('every process ended', () => (others.every((pid) => !isAlive(pid)) ? true : undefined), 15_000, running.output);
    removeDir(running.dataDir);
  }, 240_000);
});
