import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { SERVICES } from '@peil/platform/config';
import { freePortBase, removeDir } from '@peil/testing';
import { createGateway } from '../gateway.app';
import { loadGatewayConfig } from '../gateway.config';

jest.setTimeout(30_000);

interface Client {
  socket: Socket;
  /** Resolves when the gateway has closed the connection; the received bytes. */
  closed: Promise<string>;
}

/** A connection from a given loopback address, open once connected. */
async function open(port: number, from = '127.0.0.1'): Promise<Client> {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('error', () => undefined); // a reset is one way of being closed
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed };
}

/** Whether the gateway closes the connection before the deadline, which only bounds a wrong answer's wait. */
async function closedWithin(client: Client, ms = 5_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([client.closed.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return result;
}

/** One request on an open connection, answered in full (Content-Length answers only). */
function ask(client: Client, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? NaN);
      if (head >= 0 && text.length >= head + 4 + length) {
        client.socket.off('data', onData);
        resolve(text);
      }
    };
    client.socket.on('data', onData);
    client.socket.once('close', () => reject(new Error(`closed before the answer; got ${JSON.stringify(text)}`)));
    client.socket.write(raw);
  });
}

interface Gateway {
  port: number;
  key: string;
  openCount: () => Promise<number>;
  close: () => Promise<void>;
}

/** A real gateway with the given limits, and a stand-in enrolment that answers after 3 s. */
async function startGateway(limits: Record<string, string>): Promise<Gateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peil-gateway-conn-'));
  const portBase = await freePortBase();
  const slow: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.end('{"slow":true}'), 3_000));
  });
  await new Promise<void>((resolve) => slow.listen(portBase + SERVICES.enrolment, '127.0.0.1', resolve));
  const config = loadGatewayConfig({ PEIL_DATA_DIR: dataDir, PEIL_INTERNAL_PORT_BASE: String(portBase), PEIL_LOG_LEVEL: 'error', ...limits });
  const app: INestApplication = await createGateway(config);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  return {
    port: (server.address() as AddressInfo).port,
    key: (JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8')) as Record<string, string>).ngo!,
    openCount: () => new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    async close() {
      await app.close();
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
      removeDir(dataDir);
    },
  };
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

const docs = 'GET /v1/docs HTTP/1.1\r\nHost: gateway\r\n\r\n';

describe('connection counts (real sockets, small configured limits)', () => {
  let gateway: Gateway;
  const clients: Client[] = [];
  const track = async (from?: string) => {
    const c = await open(gateway.port, from);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    // Idle limit far above the test's pace: only the counts may close anything here.
    gateway = await startGateway({ PEIL_MAX_CONNECTIONS: '5', PEIL_MAX_CONNECTIONS_PER_CLIENT: '3', PEIL_IDLE_TIMEOUT_MS: '60000' });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    // The gateway must have seen those closes before the next test counts connections.
    await until(async () => (await gateway.openCount()) === 0);
  });

  afterAll(async () => gateway?.close());

  it('closes connections above the per-client limit at once, and takes new ones when one is released', async () => {
    const held = [await track(), await track(), await track()];
    // Answered on each, so all three are certainly counted before the fourth arrives.
    for (const c of held) expect(await ask(c, docs)).toMatch(/^HTTP\/1\.1 200 /);
    const fourth = await track();
    expect(await closedWithin(fourth)).toBe(true);
    expect(await fourth.closed).toBe('');

    held[0]!.socket.destroy();
    await held[0]!.closed;
    await until(async () => (await gateway.openCount()) === 2);
    const again = await track();
    expect(await ask(again, docs)).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('counts clients apart, and closes connections above the total limit whoever opens them', async () => {
    const a = [await track('127.0.0.1'), await track('127.0.0.1'), await track('127.0.0.1')];
    const b = [await track('127.0.0.2'), await track('127.0.0.2')];
    for (const c of [...a, ...b]) expect(await ask(c, docs)).toMatch(/^HTTP\/1\.1 200 /);
    const overTotal = await track('127.0.0.3');
    expect(await closedWithin(overTotal)).toBe(true);
    for (const c of [...a, ...b]) expect(await ask(c, docs)).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe('connection timeouts (real sockets, small configured limits)', () => {
  let gateway: Gateway;
  const clients: Client[] = [];
  const track = async () => {
    const c = await open(gateway.port);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    gateway = await startGateway({ PEIL_IDLE_TIMEOUT_MS: '1000', PEIL_HEADERS_TIMEOUT_MS: '500' });
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.socket.destroy();
  });

  afterAll(async () => gateway?.close());

  it('closes a connection that stays idle, before and between requests', async () => {
    const silent = await track();
    expect(await closedWithin(silent)).toBe(true);
    // Written at once on connecting, so the idle limit cannot strike before the request.
    const afterOne = await track();
    expect(await ask(afterOne, docs)).toMatch(/^HTTP\/1\.1 200 /);
    expect(await closedWithin(afterOne)).toBe(true);
  });

  it('does not cut a connection whose request is still being answered for longer than the idle limit', async () => {
    const client = await track();
    const answer = await ask(client, `GET /v1/enrolment/households/H HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${gateway.key}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('{"slow":true}');
  });

  it('closes a connection whose request head trickles in slower than the header limit', async () => {
    const client = await track();
    client.socket.write('GET /v1/docs HTTP/1.1\r\n');
    // A header line every 100 ms keeps the socket active, so only the header limit can end it.
    const drip = setInterval(() => client.socket.write('X-Drip: 1\r\n'), 100);
    try {
      expect(await closedWithin(client, 10_000)).toBe(true);
    } finally {
      clearInterval(drip);
    }
    expect(await client.closed).toMatch(/^(HTTP\/1\.1 408 |$)/);
  });
});
