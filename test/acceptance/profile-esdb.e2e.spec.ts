import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES } from '@peil/platform/config';
import { freePort, freePortBase, removeDir, repoRoot, requireBuild } from '@peil/testing';
import { enrolment } from './fixtures';

/**
 * Issue 6, profile wiring: the whole system (`npm start`'s supervisor, from dist/) on
 * PEIL_EVENT_STORE=esdb with EventStoreDB unreachable — a closed loopback port, so no Docker is
 * needed. Every service starts and stays up, retrying with back-off and saying so in its log; the
 * gateway's /v1/ready names each service's `event-store` as down with the reason (503; /v1/health
 * stays 200, every process answering), and the
 * password in the connection string appears nowhere. (The EventStoreDB happy path is the adapter's
 * contract suite, which runs where a Docker engine exists.)
 */
describe('distributed event store unreachable at start', () => {
  const password = 'pa55-not-for-logs';
  let dataDir: string;
  let child: ChildProcess;
  let log = '';
  let base: string;

  beforeAll(async () => {
    const start = requireBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'peil-esdb-down-'));
    const [port, closedPort, portBase] = [await freePort(), await freePort(), await freePortBase()];
    base = `http://127.0.0.1:${port}/v1`;
    child = spawn(process.execPath, [start], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PEIL_DATA_DIR: dataDir,
        PEIL_PORT: String(port),
        PEIL_INTERNAL_PORT_BASE: String(portBase),
        PEIL_EVENT_STORE: 'esdb',
        PEIL_ESDB_URL: `esdb://admin:${password}@127.0.0.1:${closedPort}?tls=false`,
        PEIL_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    removeDir(dataDir);
  });

  const ready = async (): Promise<{ status: number; body: any } | undefined> => {
    try {
      const res = await fetch(`${base}/ready`);
      return { status: res.status, body: await res.json() };
    } catch {
      return undefined; // the gateway is not listening yet
    }
  };

  it('keeps every service up, reports event-store down per service on /v1/ready, and logs the retries', async () => {
    const everyServiceWaits = (body: any) =>
      Object.keys(SERVICES).every((name) => body?.services?.[name]?.components?.some((c: any) => c.name === 'event-store' && !c.ok));
    let seen: { status: number; body: any } | undefined;
    // Nine processes booting on a shared machine may take a minute; the deadline only bounds a broken start.
    const deadline = Date.now() + 120_000;
    while (!(seen && everyServiceWaits(seen.body))) {
      if (child.exitCode !== null) throw new Error(`the system exited:\n${log}`);
      if (Date.now() > deadline) throw new Error(`no health report naming every event store down; last ${JSON.stringify(seen)}\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
      seen = await ready();
    }
    expect(seen.status).toBe(503);
    expect(seen.body).toMatchObject({ ok: false, live: true, ready: false });
    for (const name of Object.keys(SERVICES)) {
      expect(seen.body.services[name]).toEqual({
        live: true,
        ok: false,
        ms: expect.any(Number),
        error: 'down: event-store',
        components: [{ name: 'event-store', ok: false, error: expect.stringMatching(/UNAVAILABLE|ECONNREFUSED/) }],
      });
    }

    // Back-off 0.5 s, 1 s, 2 s…: a third attempt shows it retries rather than giving up, and nothing crashed.
    const thirdAttempt = /"service":"enrolment".*event store unreachable \(.*ECONNREFUSED.*\); attempt 3, retrying in 2000 ms/;
    const until = Date.now() + 15_000;
    while (!thirdAttempt.test(log) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(log).toMatch(thirdAttempt);
    expect(child.exitCode).toBeNull();

    // Requests reach the waiting service and are refused plainly, not left hanging.
    const keys = JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8')) as Record<string, string>;
    const res = await fetch(`${base}/enrolment/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.ngo}` },
      body: JSON.stringify({ events: [enrolment()] }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 'unavailable', message: 'enrolment is waiting for its event store' } });

    expect(log).not.toContain(password);
    expect(JSON.stringify(seen.body)).not.toContain(password);
    // Liveness: every process answers, so /v1/health is 200 with the same components.
    const live = await fetch(`${base}/health`);
    expect(live.status).toBe(200);
    expect(JSON.stringify(await live.json())).not.toContain(password);
  }, 200_000);
});
