import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { SERVICES, type ServiceName } from '@peil/platform/config';
import { freePortBase, LoopbackStandIn, removeDir } from '@peil/testing';
import { createGateway } from './gateway.app';
import { loadGatewayConfig } from './gateway.config';
import { PREFIX_SERVICES } from './proxy/service-routes';

const MAX_BODY = 64 * 1024;

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  complete: boolean;
  closed: boolean;
}

/**
 * A stand-in for one service on the loopback port the gateway expects: records what reaches it,
 * echoes bodies on /echo, never answers /slow, and can be told to fail its health check.
 */
class FakeService extends LoopbackStandIn {
  readonly seen: Seen[] = [];
  health: 'ok' | 'tampered' | 'error' | 'hang' = 'ok';

  constructor(
    readonly name: ServiceName,
    port: number,
  ) {
    super(port);
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === '/internal/health') {
      if (this.health === 'hang') return;
      if (this.health === 'error') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
        return;
      }
      // Alive (200); a component reported down makes the service unready, not dead.
      res.writeHead(200, { 'content-type': 'application/json' });
      const integrity = this.health === 'ok' ? { name: 'integrity', ok: true } : { name: 'integrity', ok: false, error: 'ledger_cut_back at position 9 (ledger-chain): gone' };
      res.end(JSON.stringify({ service: this.name, ok: this.health === 'ok', components: [{ name: 'event-store', ok: true }, integrity] }));
      return;
    }
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.alloc(0), complete: false, closed: false };
    this.seen.push(entry);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('close', () => {
      entry.body = Buffer.concat(chunks);
      entry.closed = true;
    });
    req.on('end', () => {
      entry.complete = true;
      entry.body = Buffer.concat(chunks);
      if (req.url?.includes('/slow')) return;
      if (req.url?.includes('/echo')) {
        res.writeHead(201, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream', 'x-backend': this.name });
        res.end(entry.body);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service: this.name, url: req.url }));
    });
  }
}

describe('gateway (in-process, with loopback stand-ins for every service)', () => {
  let dataDir: string;
  let app: INestApplication;
  let base: string;
  let keys: Record<string, string>;
  let token: string;
  const backends = new Map<ServiceName, FakeService>();
  const backend = (name: ServiceName) => backends.get(name)!;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'peil-gateway-'));
    const portBase = await freePortBase();
    for (const name of Object.keys(SERVICES) as ServiceName[]) {
      const fake = new FakeService(name, portBase + SERVICES[name]);
      await fake.start();
      backends.set(name, fake);
    }
    const config = loadGatewayConfig({
      PEIL_DATA_DIR: dataDir,
      PEIL_INTERNAL_PORT_BASE: String(portBase),
      PEIL_MAX_BODY_BYTES: String(MAX_BODY),
      PEIL_LOG_LEVEL: 'error',
    });
    app = await createGateway({ ...config, upstreamTimeoutMs: 400, healthTimeoutMs: 300 });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    keys = JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8')) as Record<string, string>;
    token = readFileSync(join(dataDir, 'internal.token'), 'utf8').trim();
  });

  afterAll(async () => {
    await app?.close();
    for (const fake of backends.values()) await fake.stop();
    removeDir(dataDir);
  });

  beforeEach(() => {
    for (const fake of backends.values()) {
      fake.seen.length = 0;
      fake.health = 'ok';
    }
  });

  const auth = (role = 'ngo') => ({ authorization: `Bearer ${keys[role]}` });
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body, text };
  };

  describe('authentication', () => {
    it('answers 401 with a challenge and the error shape without a key, and forwards nothing', async () => {
      const res = await call('/v1/enrolment/events', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
      expect(backend('enrolment').seen).toHaveLength(0);
    });

    it('answers 401 to a wrong key, a key of another scheme and a near miss', async () => {
      for (const authorization of ['Bearer not-a-key-at-all-but-long-enough', `Basic ${keys.ngo}`, `Bearer ${keys.ngo!.slice(0, -1)}`]) {
        const res = await call('/v1/ledger/verify', { headers: { authorization } });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('unauthenticated');
      }
      expect(backend('ledger').seen).toHaveLength(0);
    });

    it('asks for a key before saying whether a path exists', async () => {
      expect((await call('/v1/nothing/here')).status).toBe(401);
      expect((await call('/index.html')).status).toBe(401);
      expect((await call('/v1/docs', { method: 'POST' })).status).toBe(401);
    });

    it('accepts every role key that was generated', async () => {
      // A route every role may read (ROUTE_ROLES): the gateway forwards each key's role.
      for (const role of Object.keys(keys)) {
        const res = await call('/v1/ledger/checkpoint', { headers: auth(role) });
        expect(res.status).toBe(200);
      }
      expect(backend('ledger').seen.map((s) => s.headers['x-peil-role']).sort()).toEqual(Object.keys(keys).sort());
    });

    it('refuses a role the route does not allow (ROUTE_ROLES) without reaching the service', async () => {
      const before = backend('ledger').seen.length;
      const res = await call('/v1/ledger/verify', { headers: auth('donor') });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'forbidden', message: 'role donor may not do this' } });
      expect(backend('ledger').seen).toHaveLength(before);
    });
  });

  describe('proxying', () => {
    it('forwards method, path and query, body bytes and content type; answers with the service status, headers and body', async () => {
      const body = '{"events":[{"eventId":"é"}]}';
      const res = await call('/v1/enrolment/echo?a=1&b=%20x', {
        method: 'POST',
        body,
        headers: { ...auth(), 'content-type': 'application/json; charset=utf-8' },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-backend')).toBe('enrolment');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.text).toBe(body);
      const [seen] = backend('enrolment').seen;
      expect(seen).toMatchObject({ method: 'POST', url: '/v1/enrolment/echo?a=1&b=%20x', complete: true });
      expect(seen!.body.toString('utf8')).toBe(body);
      expect(seen!.headers['content-type']).toBe('application/json; charset=utf-8');
    });

    it('passes malformed JSON through untouched (the service answers it)', async () => {
      await call('/v1/enrolment/events', { method: 'POST', body: '{"events": [', headers: { ...auth(), 'content-type': 'application/json' } });
      expect(backend('enrolment').seen[0]!.body.toString()).toBe('{"events": [');
    });

    it('sets token, role, principal and request id, and strips what the client claimed', async () => {
      await call('/v1/enrolment/households/HH-1', {
        headers: {
          ...auth('ngo'),
          'x-peil-role': 'admin',
          'x-peil-gateway-token': 'forged',
          'x-peil-principal': 'admin:root',
          'X-Peil-Other': 'x',
          'x-request-id': 'client-req-42',
        },
      });
      const headers = backend('enrolment').seen[0]!.headers;
      expect(headers['x-peil-gateway-token']).toBe(token);
      expect(headers['x-peil-role']).toBe('ngo');
      expect(headers['x-peil-principal']).toMatch(/^ngo:[0-9a-f]{10}$/);
      expect(headers['x-peil-other']).toBeUndefined();
      expect(headers['x-request-id']).toBe('client-req-42');
      expect(headers.authorization).toBeUndefined();
      expect(JSON.stringify(headers)).not.toContain(keys.ngo);
    });

    it('makes up a request id when the client gives none (or a silly one) and returns it', async () => {
      const res = await call('/v1/ledger/events?after=0', { headers: { ...auth('auditor'), 'x-request-id': 'not ok' } });
      const sent = backend('ledger').seen[0]!.headers['x-request-id'];
      expect(sent).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('x-request-id')).toBe(sent);
    });

    it('answers 404 with the error shape to a prefix no running service owns', async () => {
      const res = await call('/v1/nothing/events', { headers: auth() });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'not_found', message: 'no API under /v1/nothing' } });
      const notRunning = Object.keys(PREFIX_SERVICES).find((prefix) => !Object.hasOwn(SERVICES, PREFIX_SERVICES[prefix]!));
      if (notRunning) expect((await call(`/v1/${notRunning}/events`, { headers: auth() })).status).toBe(404);
      expect((await call('/elsewhere', { headers: auth() })).status).toBe(404);
    });

    it('answers 400 to a path with dot segments', async () => {
      // Raw http.request: fetch would resolve the dot segments itself before sending.
      for (const path of ['/v1/enrolment/%2e%2e/ledger/verify', '/v1/enrolment/../ledger/verify']) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(`${base}/`, { path, headers: auth() }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
        expect(status).toBe(400);
      }
      expect(backend('enrolment').seen).toHaveLength(0);
      expect(backend('ledger').seen).toHaveLength(0);
    });

    it('answers 503 naming the service when it is not listening (down or restarting), with a Retry-After', async () => {
      await backend('ledger').stop();
      try {
        const res = await call('/v1/ledger/verify', { headers: auth('auditor') });
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('2');
        expect(res.body).toEqual({ error: { code: 'service_unavailable', message: 'ledger is unavailable; try again shortly' } });
      } finally {
        await backend('ledger').start();
      }
    });

    it('answers 504 when the service takes longer than the upstream timeout', async () => {
      const res = await call('/v1/enrolment/slow', { headers: auth() });
      expect(res.status).toBe(504);
      expect(res.body.error.code).toBe('service_timeout');
    });
  });

  describe('body limit', () => {
    it('answers 413 to a declared Content-Length over the limit, before anything reaches the service', async () => {
      const res = await call('/v1/enrolment/echo', {
        method: 'POST',
        body: Buffer.alloc(MAX_BODY + 1, 0x20),
        headers: { ...auth(), 'content-type': 'application/json' },
      });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ error: { code: 'payload_too_large', message: expect.stringContaining(String(MAX_BODY)) } });
      expect(backend('enrolment').seen).toHaveLength(0);
    });

    it('lets a body of exactly the limit through', async () => {
      const res = await call('/v1/enrolment/echo', { method: 'POST', body: Buffer.alloc(MAX_BODY, 0x20), headers: auth() });
      expect(res.status).toBe(201);
      expect(res.text).toHaveLength(MAX_BODY);
    });

    it('answers 413 to a chunked body that grows over the limit, and aborts the request to the service', async () => {
      const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${base}/v1/enrolment/echo`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        const chunk = Buffer.alloc(8 * 1024, 0x20);
        for (let i = 0; i < 12; i++) req.write(chunk); // 96 KiB, no Content-Length: sent chunked
        req.end();
      });
      expect(status.status).toBe(413);
      expect(JSON.parse(status.body).error.code).toBe('payload_too_large');
      const seen = backend('enrolment').seen;
      await until(() => seen.length > 0, 300); // the stream had usually begun; if not, nothing reached the service at all
      // Well inside the 400 ms upstream timeout, which would otherwise close it and hide a missing abort.
      await until(() => seen.every((s) => s.closed), 250);
      expect(seen.every((s) => s.closed && !s.complete)).toBe(true);
      expect(seen.every((s) => s.body.length <= MAX_BODY)).toBe(true);
    });
  });

  describe('GET /v1/health (liveness) and GET /v1/ready (readiness)', () => {
    it('are 200 without a key when every service answers with every component up', async () => {
      for (const path of ['/v1/health', '/v1/ready']) {
        const res = await call(path);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ ok: true, live: true, ready: true });
        expect(Object.keys(res.body.services).sort()).toEqual(Object.keys(SERVICES).sort());
        for (const status of Object.values(res.body.services)) expect(status).toMatchObject({ live: true, ok: true });
      }
    });

    it('with a component down: health 200 naming it, ready 503', async () => {
      const name = (Object.keys(SERVICES) as ServiceName[])[0]!;
      backend(name).health = 'tampered';
      const live = await call('/v1/health');
      expect(live.status).toBe(200);
      expect(live.body).toMatchObject({ ok: true, live: true, ready: false });
      expect(live.body.services[name]).toMatchObject({ live: true, ok: false, error: 'down: integrity' });
      expect(live.body.services[name].components).toContainEqual({ name: 'integrity', ok: false, error: 'ledger_cut_back at position 9 (ledger-chain): gone' });
      const ready = await call('/v1/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ ok: false, live: true, ready: false });
    });

    it('are 503 naming the services that are down, failing or too slow', async () => {
      const names = Object.keys(SERVICES) as ServiceName[];
      await backend(names[0]!).stop();
      try {
        if (names[1]) backend(names[1]).health = 'error';
        for (const path of ['/v1/health', '/v1/ready']) {
          const res = await call(path);
          expect(res.status).toBe(503);
          expect(res.body).toMatchObject({ ok: false, live: false, ready: false });
          expect(res.body.services[names[0]!]).toEqual({ live: false, ok: false, error: 'not answering' });
          if (names[1]) expect(res.body.services[names[1]]).toEqual({ live: false, ok: false, error: 'answered 500' });
        }
      } finally {
        await backend(names[0]!).start();
      }
      backend(names[0]!).health = 'hang';
      const slow = await call('/v1/health');
      expect(slow.status).toBe(503);
      expect(slow.body.services[names[0]!]).toEqual({ live: false, ok: false, error: 'no answer within 300 ms' });
    });
  });

  describe('GET /v1/docs', () => {
    it('serves the OpenAPI 3.1 document without a key, with the contract schemas', async () => {
      for (const path of ['/v1/docs', '/v1/docs/openapi.json']) {
        const res = await call(path);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/application\/json/);
        expect(res.body.openapi).toBe('3.1.0');
        expect(res.body.components.schemas.HouseholdEnrolled.properties.householdId).toBeDefined();
        expect(res.body.paths['/v1/enrolment/events'].post).toBeDefined();
      }
    });

    it('serves a self-contained HTML page with a strict content security policy', async () => {
      const res = await call('/v1/docs/ui');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(res.text).not.toMatch(/https?:\/\//);
    });
  });
});

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
