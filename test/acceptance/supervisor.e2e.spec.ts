import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import { get, ledgerPath, post, processAlive, removeDir, startSystem, type RunningSystem } from '@peil/testing';
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

/** Whether a new TCP connection to the port is refused: nothing listens there any more. */
const refused = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });

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
    const running = (system = await startSystem({ env: { PEIL_RESTART_DELAY_MS: '2000' }, timeoutMs: 180_000 }));
    const acknowledged: string[] = [];
    for (let i = 0; i < 3; i++) {
      const batch = Array.from({ length: 5 }, () => enrolment());
      const res = await post(running, '/enrolment/events', { events: batch });
      expect(res.status).toBe(200);
      for (const r of res.body.results as Array<{ eventId: string; status: string }>) if (r.status === 'accepted') acknowledged.push(r.eventId);
    }
    expect(acknowledged).toHaveLength(15);

    const pid = lastPid(running.output(), 'enrolment')!;
    expect(processAlive(pid)).toBe(true);
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
  }, 400_000);

  it('gives up on a service that keeps crashing, keeps the others serving, and SIGTERM still stops every process', async () => {
    const running = (system = await startSystem({ env: { PEIL_RESTART_LIMIT: '1', PEIL_RESTART_DELAY_MS: '100' }, timeoutMs: 180_000 }));
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
    for (const pid of others) expect(processAlive(pid)).toBe(true);
    system = undefined;
    expect(await running.stop()).toBe(0);
    await until('every process ended', () => (others.every((pid) => !processAlive(pid)) ? true : undefined), 15_000, running.output);
    removeDir(running.dataDir);
  }, 400_000);

  it('SIGTERM drains: a request in flight is answered 200 and recorded, new connections are refused, every process exits 0 (and leaves its CPU profile when asked)', async () => {
    // A deadline far beyond what draining takes: exit code 0 then says every process drained before it (past it, one exits 1).
    const profiles = mkdtempSync(join(tmpdir(), 'peil-profiles-'));
    const running = (system = await startSystem({ env: { PEIL_SHUTDOWN_TIMEOUT_MS: '120000', PEIL_CPU_PROFILE_DIR: profiles }, timeoutMs: 180_000 }));
    const batch = Array.from({ length: 3 }, () => enrolment());
    const body = JSON.stringify({ events: batch });
    const port = Number(new URL(running.baseUrl).port);

    // The request's head only, asking for 100-continue: the gateway's "100 Continue" says it holds the request,
    // and it cannot finish before the test sends the body. No timing is guessed.
    const client = connect(port, '127.0.0.1');
    let received = '';
    client.on('data', (d: Buffer) => (received += d.toString()));
    const closed = new Promise<void>((done) => client.once('close', () => done()));
    client.write(
      `POST /v1/enrolment/events HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${running.keys.ngo}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await until('the gateway took the request', () => (received.startsWith('HTTP/1.1 100 Continue') ? true : undefined), 30_000, running.output);

    const stopped = running.stop();
    await until('the gateway refuses new connections', async () => ((await refused(port)) ? true : undefined), 30_000, running.output);
    // write, not end: a client that half-closes its side aborts its own request at a Node server.
    client.write(body);
    // Answered with `Connection: close`, so the gateway ends the connection after the answer.
    await closed;

    const answer = received.slice(received.indexOf('\r\n\r\n') + 4);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    const results = (JSON.parse(answer.slice(answer.indexOf('{'), answer.lastIndexOf('}') + 1)) as { results: Array<{ eventId: string; status: string }> }).results;
    expect(results.map((r) => [r.eventId, r.status])).toEqual(batch.map((e) => [e.eventId, 'accepted']));
    expect(await stopped).toBe(0);
    expect(running.output()).not.toMatch(/did not stop cleanly|still running/);
    // PEIL_CPU_PROFILE_DIR: every process wrote a V8 CPU profile under <dir>/<process>/ as it exited.
    try {
      const names = ['assessment', 'asset-transfer', 'enrolment', 'evaluation', 'gateway', 'grant', 'ledger', 'reporting', 'training'];
      expect(readdirSync(profiles).sort()).toEqual(names);
      for (const name of names) {
        const [file, ...more] = readdirSync(join(profiles, name));
        expect(more).toEqual([]);
        expect(file).toMatch(/\.cpuprofile$/);
        expect((JSON.parse(readFileSync(join(profiles, name, file!), 'utf8')) as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
      }
    } finally {
      rmSync(profiles, { recursive: true, force: true });
    }

    const store = new SqliteEventStore(ledgerPath(running.dataDir));
    try {
      const recorded = new Set((await store.readAll(null, 10_000)).map((e) => e.eventId));
      for (const e of batch) expect(recorded.has(e.eventId)).toBe(true);
    } finally {
      await store.close();
    }
  }, 400_000);
});
