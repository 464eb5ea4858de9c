import { Controller, Get, Injectable, Logger, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from '@peil/testing';
import { INTERNAL_TOKEN } from '../auth/roles.guard';
import { GATEWAY_HEADERS } from '../auth/roles';
import { loadPlatformConfig } from '../config/platform.config';
import { IntegrityMonitor } from '../integrity/integrity.monitor';
import { IntegrityStatus } from '../integrity/integrity.status';
import { HealthRegistry } from './health.registry';
import { PlatformModule } from './platform.module';

/** A component the way a service adds one: it registers its check when it is constructed. */
@Injectable()
class Broker {
  up = true;
  constructor(health: HealthRegistry) {
    health.register('broker', async () => {
      if (!this.up) throw new Error('connect ECONNREFUSED kafka://svc:hunter2@broker:9092');
    });
  }
}

/** A context's routes in miniature, under paths ROUTE_ROLES opens to `ngo`: one write, one read. */
@Controller('v1/training')
class ThingsController {
  @Post('events')
  write() {
    return { results: [] };
  }
  @Get('households/:householdId')
  read() {
    return { things: [] };
  }
}

describe('/internal/health and /internal/ready of a service (embedded profile, real HTTP)', () => {
  let dir: string;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dir = mkdtempSync(join(tmpdir(), 'peil-health-'));
    const config = loadPlatformConfig({ PEIL_DATA_DIR: dir });
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forService('enrolment', { config })],
      controllers: [ThingsController],
      providers: [Broker],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    // Until the first verification of the ledger ends, `integrity` says how far it got.
    await app.get(IntegrityMonitor).verifiedOnce;
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    removeDir(dir);
  });

  const asGateway = (role = 'ngo') => ({ [GATEWAY_HEADERS.token]: app.get<string>(INTERNAL_TOKEN), [GATEWAY_HEADERS.role]: role });

  it('are 200 without credentials, listing the event store, the integrity check and every registered component', async () => {
    for (const path of ['/internal/health', '/internal/ready']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({
        service: 'enrolment',
        ok: true,
        components: [
          { name: 'event-store', ok: true },
          { name: 'integrity', ok: true },
          { name: 'broker', ok: true },
        ],
      });
    }
  });

  it('gives every application built from the same module its own registry', async () => {
    const config = loadPlatformConfig({ PEIL_DATA_DIR: dir });
    const platform = PlatformModule.forService('enrolment', { config });
    for (let i = 0; i < 2; i++) {
      const moduleRef = await Test.createTestingModule({ imports: [platform], providers: [Broker] }).compile();
      const other = moduleRef.createNestApplication({ logger: false });
      await other.init();
      expect((await other.get(HealthRegistry).report()).components.map((c) => c.name)).toEqual(['event-store', 'integrity', 'broker']);
      await other.close();
    }
  });

  it('readiness is 503 naming the component that is down, with a reason that holds no credentials; liveness stays 200', async () => {
    app.get(Broker).up = false;
    try {
      const expected = [
        { name: 'event-store', ok: true },
        { name: 'integrity', ok: true },
        { name: 'broker', ok: false, error: 'connect ECONNREFUSED kafka://***@broker:9092' },
      ];
      const ready = await fetch(`${base}/internal/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ok: false, components: expected });
      const live = await fetch(`${base}/internal/health`);
      expect(live.status).toBe(200);
      expect(await live.json()).toMatchObject({ ok: false, components: expected });
    } finally {
      app.get(Broker).up = true;
    }
  });

  // Last: a fault is kept for the life of the process.
  it('on an integrity fault: alive, not ready, writes refused with ledger_integrity_fault, reads answered', async () => {
    expect((await fetch(`${base}/v1/training/events`, { method: 'POST', headers: asGateway() })).status).toBe(201);
    app.get(IntegrityStatus).raise('ledger-chain', { position: 7, reason: 'hash_mismatch', detail: 'stored hash a but content hashes to b' });

    const live = await fetch(`${base}/internal/health`);
    expect(live.status).toBe(200);
    const integrity = { name: 'integrity', ok: false, error: 'hash_mismatch at position 7 (ledger-chain): stored hash a but content hashes to b' };
    expect(((await live.json()) as { components: unknown[] }).components).toContainEqual(integrity);
    expect((await fetch(`${base}/internal/ready`)).status).toBe(503);

    const write = await fetch(`${base}/v1/training/events`, { method: 'POST', headers: asGateway() });
    expect(write.status).toBe(503);
    expect(await write.json()).toEqual({ error: { code: 'ledger_integrity_fault', message: expect.stringContaining('hash_mismatch at position 7') } });
    expect((await fetch(`${base}/v1/training/households/H1`, { headers: asGateway() })).status).toBe(200);
    // Authentication still comes first: a caller without the gateway's token learns nothing of the ledger.
    expect((await fetch(`${base}/v1/training/events`, { method: 'POST' })).status).toBe(401);
  });
});
