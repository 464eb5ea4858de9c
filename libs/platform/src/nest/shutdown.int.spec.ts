import { Controller, Get, Injectable, Logger, Module, type BeforeApplicationShutdown, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { request, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { ConfigError } from '@peil/config';
import { drainable, shutdownTimeoutMs, type Drainable } from './shutdown';

/**
 * What happens in order, and a request the test holds open until it releases it: draining is
 * shown by events, never by how long something took.
 */
const order: string[] = [];
let release: () => void = () => undefined;

@Controller()
class SlowController {
  @Get('hold')
  async hold() {
    await new Promise<void>((done) => (release = done));
    order.push('answered');
    return { ok: true };
  }
}

/** Stands for a projector: its batch must settle after the last request and before the stores close. */
@Injectable()
class Projector implements BeforeApplicationShutdown {
  beforeApplicationShutdown() {
    order.push('projector stopped');
  }
}

@Module({ controllers: [SlowController], providers: [Projector] })
class SlowModule {}

function get(port: number, path: string): Promise<IncomingMessage & { body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done(Object.assign(res, { body })));
    });
    req.on('error', fail);
    req.end();
  });
}

/** Whether a new TCP connection is refused (the listening socket is closed). */
function refused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('draining a Nest application on shutdown (real HTTP on loopback)', () => {
  let app: INestApplication;
  let drain: Drainable;
  let port: number;

  beforeEach(async () => {
    order.length = 0;
    Logger.overrideLogger(false);
    app = await NestFactory.create(SlowModule, { logger: false });
    drain = drainable(app);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterEach(async () => {
    release();
    await app.close().catch(() => undefined);
  });

  it('refuses new connections at once, answers the request in flight, then stops the projectors', async () => {
    const inFlight = get(port, '/hold');
    await until('the request to arrive', () => drain.inFlight === 1);

    const outcome = drain.shutDown(60_000);
    expect(await refused(port)).toBe(true);
    order.push('released');
    release();

    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
    expect(res.headers.connection).toBe('close');
    expect(await outcome).toBe('drained');
    expect(order).toEqual(['released', 'answered', 'projector stopped']);
  });

  it('gives up at the deadline while a request is still held, without running the shutdown hooks', async () => {
    const inFlight = get(port, '/hold').catch(() => undefined);
    await until('the request to arrive', () => drain.inFlight === 1);

    expect(await drain.shutDown(100)).toBe('deadline');
    expect(drain.inFlight).toBe(1);
    expect(order).toEqual([]);
    release();
    await inFlight;
  });

  it('reads PEIL_SHUTDOWN_TIMEOUT_MS, 10 s unset, and refuses a value that is no number of milliseconds', () => {
    expect(shutdownTimeoutMs({})).toBe(10_000);
    expect(shutdownTimeoutMs({ PEIL_SHUTDOWN_TIMEOUT_MS: '30000' })).toBe(30_000);
    expect(() => shutdownTimeoutMs({ PEIL_SHUTDOWN_TIMEOUT_MS: 'soon' })).toThrow(ConfigError);
    expect(() => shutdownTimeoutMs({ PEIL_SHUTDOWN_TIMEOUT_MS: '0' })).toThrow(/PEIL_SHUTDOWN_TIMEOUT_MS/);
  });
});
