import { Injectable, Logger, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from '@peil/testing';
import { loadPlatformConfig } from '../config/platform.config';
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

describe('/internal/health of a service (embedded profile, real HTTP)', () => {
  let dir: string;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dir = mkdtempSync(join(tmpdir(), 'peil-health-'));
    const config = loadPlatformConfig({ PEIL_DATA_DIR: dir });
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forService('enrolment', { config })],
      providers: [Broker],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/internal/health`;
  });

  afterAll(async () => {
    await app?.close();
    removeDir(dir);
  });

  it('is 200 without credentials, listing the event store and every registered component', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      service: 'enrolment',
      ok: true,
      components: [
        { name: 'event-store', ok: true },
        { name: 'broker', ok: true },
      ],
    });
  });

  it('gives every application built from the same module its own registry', async () => {
    const config = loadPlatformConfig({ PEIL_DATA_DIR: dir });
    const platform = PlatformModule.forService('enrolment', { config });
    for (let i = 0; i < 2; i++) {
      const moduleRef = await Test.createTestingModule({ imports: [platform], providers: [Broker] }).compile();
      const other = moduleRef.createNestApplication({ logger: false });
      await other.init();
      expect((await other.get(HealthRegistry).report()).components.map((c) => c.name)).toEqual(['event-store', 'broker']);
      await other.close();
    }
  });

  it('is 503 naming the component that is down, with a reason that holds no credentials', async () => {
    app.get(Broker).up = false;
    try {
      const res = await fetch(url);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { ok: boolean; components: unknown[] };
      expect(body.ok).toBe(false);
      expect(body.components).toEqual([
        { name: 'event-store', ok: true },
        { name: 'broker', ok: false, error: 'connect ECONNREFUSED kafka://***@broker:9092' },
      ]);
    } finally {
      app.get(Broker).up = true;
    }
  });
});
