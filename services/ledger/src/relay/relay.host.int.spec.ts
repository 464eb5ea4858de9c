import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import { type PlatformConfig } from '@peil/platform/config';
import { HealthRegistry } from '@peil/platform/nest';
import { ServiceMetrics } from '@peil/platform/observability';
import { until } from '../../../../libs/messaging/src/testing/ledger-events';
import { RelayHost } from './relay.host';

/** The relay's health as the ledger service reports it: down with a reason and the lag while no broker answers. */
describe('RelayHost', () => {
  let dir: string;
  let store: SqliteEventStore;
  const env = { ...process.env };

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peil-relay-host-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
  });
  afterEach(async () => {
    process.env = { ...env };
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates nothing on the store bus, and is healthy', async () => {
    delete process.env.PEIL_BUS;
    const health = new HealthRegistry();
    const host = new RelayHost(store, { dataDir: dir } as PlatformConfig, health, new ServiceMetrics('ledger'));
    expect(host.relay).toBeNull();
    expect((await health.report()).components).toEqual([]);
    await host.onApplicationBootstrap();
    await expect(host.check()).resolves.toBeUndefined();
    await host.beforeApplicationShutdown();
  });

  it('on the Kafka bus with no broker listening, keeps retrying and reports the relay down with its lag', async () => {
    Object.assign(process.env, {
      PEIL_BUS: 'kafka',
      // A closed loopback port: connections are refused at once.
      PEIL_KAFKA_BROKERS: '127.0.0.1:1',
      PEIL_KAFKA_IDEMPOTENT: 'false',
      PEIL_KAFKA_CREATE_TOPICS: 'false',
      PEIL_KAFKA_CONNECTION_TIMEOUT_MS: '200',
      PEIL_RELAY_RETRY_INITIAL_MS: '50',
      PEIL_RELAY_RETRY_MAX_MS: '100',
    });
    await store.append('household-A', [
      { eventId: '0b5c1a4e-8d6f-4f43-9a55-0c1f5c7e6b01', type: 'Tested', schemaVersion: 1, occurredAt: '2026-03-01T09:00:00.000Z', recordedAt: '2026-03-01T09:00:01.000Z', source: 'spec', actor: 'tester', correlationId: 'c', causationId: null, data: {}, contentDigest: 'd' },
    ], 'no_stream');
    const health = new HealthRegistry();
    const host = new RelayHost(store, { dataDir: dir } as PlatformConfig, health, new ServiceMetrics('ledger'));
    await host.onApplicationBootstrap();
    try {
      await until(() => host.check().then(() => false, () => true), 10_000, 'the relay to report the broker down');
      await expect(host.check()).rejects.toThrow(/^broker unreachable \(.+\); lag 1 events$/);
      expect(host.relay!.status()).toMatchObject({ checkpoint: null, inFlight: 1 });
      const report = await health.report();
      expect(report.ok).toBe(false);
      expect(report.components).toEqual([{ name: 'relay', ok: false, error: expect.stringMatching(/^broker unreachable .*lag 1 events$/) }]);
    } finally {
      await host.beforeApplicationShutdown();
    }
  }, 20_000);
});
