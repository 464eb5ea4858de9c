import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES, serviceUrlVariable, type ServiceName } from '@peil/platform/config';
import { removeDir } from '@peil/testing';
import { loadGatewayConfig } from '../gateway.config';
import { ServiceHealth } from './service-health';

/**
 * /v1/health's and /v1/ready's aggregation over real HTTP: one loopback server per service, each reached at its
 * PEIL_SERVICE_URL_<NAME> (as in docker-compose.yml), each told what its /internal/health answers.
 */
describe('ServiceHealth (gateway /v1/health and /v1/ready)', () => {
  const names = Object.keys(SERVICES) as ServiceName[];
  const answers = new Map<ServiceName, { status: number; body: string }>();
  const servers: Server[] = [];
  let dir: string;
  let health: ServiceHealth;

  const healthy = (service: string) => ({
    status: 200,
    body: JSON.stringify({ service, ok: true, components: [{ name: 'event-store', ok: true }, { name: 'integrity', ok: true }] }),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peil-gateway-health-'));
    const env: Record<string, string> = { PEIL_DATA_DIR: dir };
    for (const name of names) {
      const server = createServer((req, res) => {
        const answer = req.url === '/internal/health' ? answers.get(name)! : { status: 404, body: '' };
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      env[serviceUrlVariable(name)] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    health = new ServiceHealth({ ...loadGatewayConfig(env), healthTimeoutMs: 500 });
  });

  beforeEach(() => {
    for (const name of names) answers.set(name, healthy(name));
  });

  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    removeDir(dir);
  });

  it('is live and ready when every service and component is up, and shows the components', async () => {
    const report = await health.check();
    expect(report).toMatchObject({ live: true, ready: true });
    for (const name of names) {
      expect(report.services[name]).toMatchObject({ live: true, ok: true, components: [{ name: 'event-store', ok: true }, { name: 'integrity', ok: true }] });
    }
  });

  it('is live but not ready when a service reports its integrity failed, naming the first failing position', async () => {
    const integrity = { name: 'integrity', ok: false, error: 'hash_mismatch at position 3 (ledger-chain): stored hash a but content hashes to b' };
    answers.set('grant', { status: 200, body: JSON.stringify({ service: 'grant', ok: false, components: [{ name: 'event-store', ok: true }, integrity] }) });
    const report = await health.check();
    expect(report).toMatchObject({ live: true, ready: false });
    expect(report.services.grant).toEqual({ live: true, ok: false, ms: expect.any(Number), error: 'down: integrity', components: [{ name: 'event-store', ok: true }, integrity] });
  });

  it('names the service and the component that is down, passing on only the schema’s fields', async () => {
    answers.set('enrolment', {
      status: 503,
      body: JSON.stringify({
        service: 'enrolment',
        ok: false,
        components: [
          { name: 'event-store', ok: false, error: 'connect ECONNREFUSED', stack: 'at …' },
          { name: 'relay', ok: false, error: 'x'.repeat(500) },
          { name: 'read-store', ok: true, error: 'ignored when ok' },
          { bogus: true },
        ],
      }),
    });
    const report = await health.check();
    expect(report).toMatchObject({ live: true, ready: false });
    expect(report.services.enrolment).toEqual({
      live: true,
      ok: false,
      ms: expect.any(Number),
      error: 'down: event-store, relay',
      components: [
        { name: 'event-store', ok: false, error: 'connect ECONNREFUSED' },
        { name: 'relay', ok: false, error: 'x'.repeat(200) },
        { name: 'read-store', ok: true },
      ],
    });
    expect(report.services.ledger).toMatchObject({ live: true, ok: true });
  });

  it('treats a component reported down as down even under a 200, and a body without components by its status (not the service answering)', async () => {
    answers.set('grant', { status: 200, body: JSON.stringify({ service: 'grant', ok: true, components: [{ name: 'event-store', ok: false, error: 'stale' }] }) });
    answers.set('ledger', { status: 502, body: '<html>bad gateway</html>' });
    const report = await health.check();
    expect(report).toMatchObject({ live: false, ready: false });
    expect(report.services.grant).toEqual({ live: true, ok: false, ms: expect.any(Number), error: 'down: event-store', components: [{ name: 'event-store', ok: false, error: 'stale' }] });
    expect(report.services.ledger).toEqual({ live: false, ok: false, error: 'answered 502' });
  });
});
