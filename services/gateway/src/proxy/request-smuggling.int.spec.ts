import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { SERVICES } from '@peil/platform/config';
import { freePortBase, LoopbackStandIn, removeDir } from '@peil/testing';
import { createGateway } from '../gateway.app';
import { loadGatewayConfig } from '../gateway.config';

/**
 * Request smuggling through the proxy, from outside: raw bytes on real sockets to a real gateway,
 * in front of a real keep-alive HTTP server standing in for enrolment (the desync happens in any
 * HTTP/1.1 server behind the proxy). Every attack must end in a 4xx or a closed connection, and
 * the next client — whose request may travel on the same pooled upstream connection — must get
 * its own answer and have its write recorded.
 */

interface Seen {
  method: string;
  url: string;
  framing: { 'content-length'?: string; 'transfer-encoding'?: string };
  bodyBytes: number;
  complete: boolean;
}

/** Enrolment's shape, kept to what the attacks aim at: a household read and an events write. */
class StandInEnrolment extends LoopbackStandIn {
  readonly seen: Seen[] = [];
  /** eventIds of the writes it recorded, in order. */
  readonly recorded: string[] = [];

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const framing = { 'content-length': req.headers['content-length'], 'transfer-encoding': req.headers['transfer-encoding'] };
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', framing: JSON.parse(JSON.stringify(framing)) as Seen['framing'], bodyBytes: 0, complete: false };
    this.seen.push(entry);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      entry.complete = true;
      entry.bodyBytes = Buffer.concat(chunks).length;
      const household = /^\/v1\/enrolment\/households\/([^/?]+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && household) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ householdId: household[1], fullName: `private name of ${household[1]}` }));
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/enrolment/events') {
        let eventId: unknown;
        try {
          eventId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: Array<{ eventId: unknown }> }).events[0]?.eventId;
        } catch {
          eventId = undefined;
        }
        if (typeof eventId !== 'string') {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'malformed_json', message: 'not an events batch' } }));
          return;
        }
        this.recorded.push(eventId);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ results: [{ eventId, status: 'accepted' }] }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: `${req.method} ${req.url}` } }));
    });
  }

  // Longer than the gateway's pool keeps a socket, so the pool, not the service, decides reuse.
  protected override configure(server: Server): void {
    server.keepAliveTimeout = 60_000;
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Exchange {
  responses: RawResponse[];
  /** The gateway closed the connection (rather than the test giving up waiting). */
  closed: boolean;
}

/**
 * Writes raw bytes on a fresh connection and reads answers until the gateway closes it or
 * `expect` answers have arrived. The deadline only turns a hang into a failure; no assertion
 * depends on timing.
 */
async function exchange(port: number, raw: string, options: { expect?: number; headRequests?: number[] } = {}): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    let buffer = Buffer.alloc(0);
    let responses: RawResponse[] = [];
    const finish = (closed: boolean) => {
      clearTimeout(deadline);
      socket.destroy();
      resolve({ responses, closed });
    };
    const deadline = setTimeout(() => finish(false), 10_000);
    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      responses = parseResponses(buffer, options.headRequests ?? []);
      if (options.expect !== undefined && responses.length >= options.expect) finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the answer is still a closed connection; anything else is the test's failure.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
      clearTimeout(deadline);
      reject(err);
    });
  });
}

/** Complete responses at the start of `data` (Content-Length or chunked bodies; none for HEAD). */
function parseResponses(data: Buffer, headRequests: number[]): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', at);
    if (headEnd < 0) return out;
    const [statusLine, ...lines] = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let bodyStart = headEnd + 4;
    let body = '';
    if (headRequests.includes(out.length) || status === 204 || status === 304) {
      // no body
    } else if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const sizeEnd = data.indexOf('\r\n', bodyStart);
        if (sizeEnd < 0) return out;
        const size = parseInt(data.subarray(bodyStart, sizeEnd).toString('latin1'), 16);
        if (data.length < sizeEnd + 2 + size + 2) return out;
        parts.push(data.subarray(sizeEnd + 2, sizeEnd + 2 + size));
        bodyStart = sizeEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = Buffer.concat(parts).toString('utf8');
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (data.length < bodyStart + length) return out;
      body = data.subarray(bodyStart, bodyStart + length).toString('utf8');
      bodyStart += length;
    }
    out.push({ status, headers, body });
    at = bodyStart;
  }
}

// Above exchange()'s own 10 s deadline, so a hang fails with what was received, not a bare timeout.
jest.setTimeout(30_000);

describe('request framing through the gateway (raw sockets, real gateway and a real keep-alive service)', () => {
  let dataDir: string;
  let app: INestApplication;
  let port: number;
  let key: string;
  let enrolment: StandInEnrolment;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'peil-gateway-framing-'));
    const portBase = await freePortBase();
    enrolment = new StandInEnrolment(portBase + SERVICES.enrolment);
    await enrolment.start();
    const config = loadGatewayConfig({ PEIL_DATA_DIR: dataDir, PEIL_INTERNAL_PORT_BASE: String(portBase), PEIL_LOG_LEVEL: 'error' });
    app = await createGateway(config);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
    key = (JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8')) as Record<string, string>).ngo!;
  });

  afterAll(async () => {
    await app?.close();
    await enrolment?.stop();
    removeDir(dataDir);
  });

  beforeEach(() => {
    enrolment.seen.length = 0;
    enrolment.recorded.length = 0;
  });

  const head = (requestLine: string, extra: string[] = []) => [requestLine, 'Host: gateway', `Authorization: Bearer ${key}`, ...extra].join('\r\n') + '\r\n\r\n';
  const smuggled = 'GET /v1/enrolment/households/X HTTP/1.1\r\nX-Pad: ';
  const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
  const eventsBody = (eventId: string) => JSON.stringify({ events: [{ eventId, type: 'HouseholdEnrolled' }] });

  /** A well-behaved client, after the attack: it must get its own answer and its write must be recorded. */
  async function victimEnrols(): Promise<void> {
    const eventId = randomUUID();
    const res = await fetch(`http://127.0.0.1:${port}/v1/enrolment/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: eventsBody(eventId),
    });
    const body = (await res.json()) as unknown;
    expect({ status: res.status, body }).toEqual({ status: 200, body: { results: [{ eventId, status: 'accepted' }] } });
    expect(enrolment.recorded).toContain(eventId);
  }

  /** Leaves one idle connection in the gateway's pool to enrolment, the one an attack would poison. */
  async function warmPool(): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${port}/v1/enrolment/households/WARM`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }

  const neverForwarded = (what: string) => expect(enrolment.seen.filter((s) => s.url.includes(what) && s.complete)).toEqual([]);

  it('refuses the reported reproduction (chunked GET carrying the start of a request) and the next client gets its own answer', async () => {
    await warmPool();
    const attack = await exchange(port, head('GET /v1/enrolment/households/A HTTP/1.1', ['Transfer-Encoding: chunked']) + chunk(smuggled) + '0\r\n\r\n');
    expect(attack.closed).toBe(true);
    expect(attack.responses).toHaveLength(1);
    expect(attack.responses[0]).toMatchObject({ status: 400, headers: { connection: 'close' } });
    expect(JSON.parse(attack.responses[0]!.body)).toEqual({ error: { code: 'body_not_allowed', message: expect.stringContaining('GET') } });
    await victimEnrols();
    neverForwarded('/households/A');
    neverForwarded('/households/X');
  });

  it('refuses a GET with a Content-Length body, and a HEAD with any body', async () => {
    await warmPool();
    const withLength = await exchange(port, head('GET /v1/enrolment/households/A HTTP/1.1', [`Content-Length: ${smuggled.length}`]) + smuggled);
    expect(withLength.closed).toBe(true);
    expect(withLength.responses.map((r) => r.status)).toEqual([400]);
    expect(JSON.parse(withLength.responses[0]!.body).error.code).toBe('body_not_allowed');
    await victimEnrols();

    const headChunked = await exchange(port, head('HEAD /v1/enrolment/households/A HTTP/1.1', ['Transfer-Encoding: chunked']) + chunk(smuggled) + '0\r\n\r\n', { headRequests: [0] });
    expect(headChunked.closed).toBe(true);
    expect(headChunked.responses.map((r) => r.status)).toEqual([400]);
    await victimEnrols();
    neverForwarded('/households/A');
    neverForwarded('/households/X');
  });

  it('refuses a body on the open routes too (health), before any route runs', async () => {
    const res = await exchange(port, 'GET /v1/health HTTP/1.1\r\nHost: gateway\r\nContent-Length: 5\r\n\r\nhello');
    expect(res.closed).toBe(true);
    expect(res.responses.map((r) => [r.status, JSON.parse(r.body).error.code])).toEqual([[400, 'body_not_allowed']]);
  });

  it('keeps Content-Length 0 on a GET an ordinary request', async () => {
    const res = await exchange(port, head('GET /v1/enrolment/households/A HTTP/1.1', ['Content-Length: 0']), { expect: 1 });
    expect(res.responses.map((r) => r.status)).toEqual([200]);
    expect(JSON.parse(res.responses[0]!.body).householdId).toBe('A');
  });

  // Each ends in a refusal and a closed connection; what reached the service, if anything, never completed.
  const variants: Array<[string, () => string, number]> = [
    ['chunked and Content-Length together', () => head('POST /v1/enrolment/events HTTP/1.1', ['Content-Length: 4', 'Transfer-Encoding: chunked']) + '0\r\n\r\n' + smuggled, 400],
    ['chunked and Content-Length together on a GET', () => head('GET /v1/enrolment/households/A HTTP/1.1', ['Transfer-Encoding: chunked', 'Content-Length: 0']) + chunk(smuggled) + '0\r\n\r\n', 400],
    ['bare LF line endings', () => `GET /v1/enrolment/households/A HTTP/1.1\nHost: gateway\nAuthorization: Bearer ${key}\nTransfer-Encoding: chunked\n\n${chunk(smuggled)}0\n\n`, 400],
    ['bare LF inside a CRLF head', () => head('GET /v1/enrolment/households/A HTTP/1.1', [`Content-Length: ${smuggled.length}\nX-Other: 1`]) + smuggled, 400],
    ['obs-fold continuation of Transfer-Encoding', () => head('GET /v1/enrolment/households/A HTTP/1.1', ['Transfer-Encoding:', ' chunked']) + chunk(smuggled) + '0\r\n\r\n', 400],
    ['obs-fold continuation of another header', () => head('POST /v1/enrolment/events HTTP/1.1', ['X-Note: a', ' b', 'Content-Length: 2']) + '{}', 400],
    ['a space before the colon of Transfer-Encoding', () => head('POST /v1/enrolment/events HTTP/1.1', ['Transfer-Encoding : chunked']) + '0\r\n\r\n', 400],
    ['two Content-Length values', () => head('POST /v1/enrolment/events HTTP/1.1', ['Content-Length: 2', 'Content-Length: 40']) + '{}' + smuggled, 400],
    ['a signed Content-Length', () => head('POST /v1/enrolment/events HTTP/1.1', ['Content-Length: +2']) + '{}', 400],
    ['a transfer coding other than chunked', () => head('POST /v1/enrolment/events HTTP/1.1', ['Transfer-Encoding: gzip, chunked']) + '0\r\n\r\n', 501],
    ['chunked on HTTP/1.0', () => head('POST /v1/enrolment/events HTTP/1.0', ['Transfer-Encoding: chunked']) + chunk('{}') + '0\r\n\r\n', 400],
  ];

  // Built when run: the key exists only once the gateway has started.
  it.each(variants)('refuses %s, closes, forwards nothing complete, and the next client is unaffected', async (_name, raw, status) => {
    await warmPool();
    const attack = await exchange(port, raw());
    expect(attack.closed).toBe(true);
    expect(attack.responses.map((r) => r.status)).toEqual([status]);
    expect(JSON.parse(attack.responses[0]!.body)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    await victimEnrols();
    expect(enrolment.recorded).toHaveLength(1); // the victim's only
    neverForwarded('/households/A');
    neverForwarded('/households/X');
  });

  // Found mid-body, after the request was handed to the proxy and forwarding began: the answer
  // under way cannot be replaced by a 400, so the connection is cut and the upstream request aborted.
  const midBody: Array<[string, () => string]> = [
    ['a negative chunk size', () => head('POST /v1/enrolment/events HTTP/1.1', ['Transfer-Encoding: chunked']) + '-1\r\nx\r\n0\r\n\r\n'],
    ['a 0x-prefixed chunk size', () => head('POST /v1/enrolment/events HTTP/1.1', ['Transfer-Encoding: chunked']) + '0x2\r\n{}\r\n0\r\n\r\n'],
    ['an overflowing chunk size', () => head('POST /v1/enrolment/events HTTP/1.1', ['Transfer-Encoding: chunked']) + 'fffffffffffffffff\r\n{}\r\n0\r\n\r\n'],
    ['a chunk longer than its size', () => head('POST /v1/enrolment/events HTTP/1.1', ['Transfer-Encoding: chunked']) + '2\r\n{}' + smuggled + '\r\n0\r\n\r\n'],
  ];

  it.each(midBody)('cuts the connection on %s and completes nothing upstream', async (_name, raw) => {
    await warmPool();
    const attack = await exchange(port, raw());
    expect(attack).toEqual({ closed: true, responses: [] });
    await victimEnrols();
    expect(enrolment.recorded).toHaveLength(1); // the victim's only
    expect(enrolment.seen.filter((s) => s.method === 'POST' && s.complete)).toHaveLength(1);
  });

  it('aborts the upstream request when a chunked body turns invalid after forwarding began', async () => {
    const eventId = randomUUID();
    const body = eventsBody(eventId);
    const attack = await exchange(port, head('POST /v1/enrolment/events HTTP/1.1', ['Transfer-Encoding: chunked']) + chunk(body.slice(0, 10)) + 'zz\r\n' + body.slice(10));
    expect(attack).toEqual({ closed: true, responses: [] });
    await victimEnrols();
    expect(enrolment.recorded).not.toContain(eventId);
    // It did reach the service, chunk by chunk, and was cut there: never completed, never recorded.
    expect(enrolment.seen.filter((s) => s.method === 'POST').map((s) => s.complete)).toEqual([false, true]);
  });

  it('frames every forwarded request itself: the length it counted, chunked, or nothing', async () => {
    const body = eventsBody(randomUUID());
    const length = Buffer.byteLength(body);
    await exchange(port, head('POST /v1/enrolment/events HTTP/1.1', [`Content-Length: ${length}`]) + body, { expect: 1 });
    await exchange(port, head('POST /v1/enrolment/events HTTP/1.1', ['Transfer-Encoding: chunked']) + chunk(body.slice(0, 7)) + chunk(body.slice(7)) + '0\r\n\r\n', { expect: 1 });
    await exchange(port, head('POST /v1/enrolment/events HTTP/1.1'), { expect: 1 });
    await exchange(port, head('GET /v1/enrolment/households/A HTTP/1.1', ['Content-Length: 0']), { expect: 1 });
    expect(enrolment.seen.map((s) => [s.method, s.framing, s.bodyBytes, s.complete])).toEqual([
      ['POST', { 'content-length': String(length) }, length, true],
      ['POST', { 'transfer-encoding': 'chunked' }, length, true],
      ['POST', { 'content-length': '0' }, 0, true],
      ['GET', {}, 0, true],
    ]);
  });

  it('answers pipelined requests on one connection in order, each with its own answer', async () => {
    const eventId = randomUUID();
    const body = eventsBody(eventId);
    const raw =
      head('GET /v1/enrolment/households/A HTTP/1.1') +
      head('POST /v1/enrolment/events HTTP/1.1', ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`]) +
      body +
      head('GET /v1/enrolment/households/B HTTP/1.1');
    const res = await exchange(port, raw, { expect: 3 });
    expect(res.responses.map((r) => [r.status, JSON.parse(r.body)])).toEqual([
      [200, { householdId: 'A', fullName: 'private name of A' }],
      [200, { results: [{ eventId, status: 'accepted' }] }],
      [200, { householdId: 'B', fullName: 'private name of B' }],
    ]);
    expect(enrolment.recorded).toEqual([eventId]);
  });

  it('handles nothing pipelined behind a refused request, and closes after the refusal', async () => {
    const eventId = randomUUID();
    const body = eventsBody(eventId);
    const raw =
      head('GET /v1/enrolment/households/A HTTP/1.1') +
      head('GET /v1/enrolment/households/B HTTP/1.1', [`Content-Length: ${smuggled.length}`]) +
      smuggled +
      head('POST /v1/enrolment/events HTTP/1.1', ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`]) +
      body;
    const res = await exchange(port, raw);
    expect(res.closed).toBe(true);
    // The first answer is A's own (or lost with the connection); the refusal is the last answer.
    const statuses = res.responses.map((r) => r.status);
    expect([[200, 400], [400]]).toContainEqual(statuses);
    if (statuses.length === 2) expect(JSON.parse(res.responses[0]!.body).householdId).toBe('A');
    expect(JSON.parse(res.responses[statuses.length - 1]!.body).error.code).toBe('body_not_allowed');
    // The write behind the refusal was never handled: unanswered, so the client knows to send it again.
    expect(enrolment.recorded).not.toContain(eventId);
    neverForwarded('/households/B');
    await victimEnrols();
  });
});
