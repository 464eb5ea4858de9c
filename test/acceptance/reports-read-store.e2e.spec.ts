import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import { SERVICES } from '@peil/platform/config';
import { freePort, freePortBase, removeDir, repoRoot, requireBuild } from '@peil/testing';

/**
 * PEIL_READ_STORE=mongo from outside: the reporting service alone, from dist/, against a MongoDB
 * that is not there (a closed loopback port). It must neither crash nor loop silently: it keeps
 * retrying and says so, its health names `read-store` as down, reports as of a position still
 * answer (they replay the ledger), live ones answer 503 — and the password in the URL appears nowhere.
 */
describe('reporting service with its MongoDB read store unreachable', () => {
  const token = randomBytes(32).toString('base64url');
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeDir));

  function startReporting(env: Record<string, string>, portBase: number): { child: ChildProcess; output: () => string; exited: Promise<number | string | null> } {
    requireBuild();
    const dataDir = mkdtempSync(join(tmpdir(), 'peil-e2e-rs-'));
    dirs.push(dataDir);
    const store = new SqliteEventStore(join(dataDir, 'ledger.sqlite'));
    const at = '2025-09-01T09:00:00.000Z';
    const data = { itemCode: 'X', name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 };
    const meta = { schemaVersion: 1, occurredAt: at, recordedAt: at, source: 'spec', actor: 'spec', correlationId: randomUUID(), causationId: null, contentDigest: '0'.repeat(64) };
    store.appendSync('catalogue-X', [{ eventId: randomUUID(), type: 'AssetCatalogueItemApproved', data, ...meta }], 'no_stream');
    void store.close();
    let log = '';
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'apps', 'reporting.js')], {
      cwd: repoRoot,
      env: { ...process.env, PEIL_DATA_DIR: dataDir, PEIL_INTERNAL_PORT_BASE: String(portBase), PEIL_INTERNAL_TOKEN: token, PEIL_LOG_LEVEL: 'log', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    return { child, output: () => log, exited: new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal))) };
  }

  it('refuses to start without PEIL_MONGO_URL, naming it', async () => {
    const service = startReporting({ PEIL_READ_STORE: 'mongo', PEIL_MONGO_URL: '' }, await freePortBase());
    expect(await service.exited).toBe(78);
    expect(service.output()).toMatch(/PEIL_MONGO_URL: required when PEIL_READ_STORE=mongo/);
  }, 20_000);

  it('keeps retrying with back-off, reports read-store down, answers asOf reports and 503 for live ones', async () => {
    const base = await freePortBase();
    const closed = await freePort();
    const service = startReporting({ PEIL_READ_STORE: 'mongo', PEIL_MONGO_URL: `mongodb://peil:hunter2@127.0.0.1:${closed}/peil?directConnection=true` }, base);
    const url = `http://127.0.0.1:${base + SERVICES.reporting}`;
    try {
      let health: { status: number; body: any } | undefined;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        try {
          const res = await fetch(`${url}/internal/ready`);
          health = { status: res.status, body: await res.json() };
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect(health?.status).toBe(503);
      expect(health?.body).toMatchObject({ service: 'reporting', ok: false, components: expect.arrayContaining([{ name: 'event-store', ok: true }]) });
      const readStore = health?.body.components.find((c: { name: string }) => c.name === 'read-store');
      expect(readStore).toMatchObject({ ok: false, error: expect.stringMatching(/not connected/) });

      const as = (path: string) => fetch(`${url}${path}`, { headers: { 'x-peil-gateway-token': token, 'x-peil-role': 'donor' } });
      const live = await as('/v1/reports/asset-register');
      expect(live.status).toBe(503);
      expect(await live.json()).toMatchObject({ error: { code: 'read_store_unavailable' } });
      const past = await as('/v1/reports/asset-register?asOf=1');
      expect(past.status).toBe(200);
      expect(await past.json()).toMatchObject({ ledgerPosition: 1, rows: [] });

      // Several attempts, each logged, the delay growing (0.5 s, 1 s, …); an attempt waits up to 5 s for a server.
      while (!/attempt 2\b/.test(service.output()) && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 100));
      expect(service.output()).toMatch(/read store \(MongoDB\) unreachable \(.+\); attempt 1, retrying in 500 ms/);
      expect(service.output()).toMatch(/attempt 2, retrying in 1000 ms/);
      expect(JSON.stringify(health?.body) + service.output()).not.toContain('hunter2');

      // A stop while it waits for MongoDB is a clean stop: drained, then exit 0 (decision 0065).
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      expect(service.output()).not.toMatch(/ERROR|Unhandled/);
    } finally {
      service.child.kill('SIGKILL');
    }
  }, 40_000);
});
