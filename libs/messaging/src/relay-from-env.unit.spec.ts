import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import { ConfigError } from '@peil/config';
import { StoreTailFeed } from '@peil/projections';
import { createLedgerFeedsFromEnv } from './feed-from-env';
import { KafkaLedgerFeed } from './kafka-ledger-feed';
import { createRelayFromEnv, loadBusConfig } from './relay-from-env';

describe('bus configuration from the environment', () => {
  it('defaults to the store bus, which needs no relay', () => {
    expect(loadBusConfig({})).toEqual({ bus: 'store' });
    const store = new SqliteEventStore(':memory:');
    expect(createRelayFromEnv({}, store, '/nonexistent')).toBeNull();
  });

  it('reads the Kafka settings, idempotent and topic creation on by default', () => {
    const config = loadBusConfig({ PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: 'k1:9092, k2:9092' });
    expect(config).toMatchObject({
      bus: 'kafka',
      kafka: { brokers: ['k1:9092', 'k2:9092'], clientId: 'peil-relay', idempotent: true, createTopics: true },
      relay: { batchSize: 500, retry: { initialMs: 200, maxMs: 30_000 } },
    });
  });

  it('turns idempotence off only when told, for brokers such as the mock', () => {
    const config = loadBusConfig({ PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: 'k1:9092', PEIL_KAFKA_IDEMPOTENT: 'false', PEIL_KAFKA_CLIENT_ID: 'relay-a' });
    expect(config).toMatchObject({ kafka: { idempotent: false, clientId: 'relay-a' } });
  });

  it('accepts SASL and TLS settings', () => {
    const config = loadBusConfig({
      PEIL_BUS: 'kafka',
      PEIL_KAFKA_BROKERS: 'k1:9093',
      PEIL_KAFKA_SSL: 'true',
      PEIL_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      PEIL_KAFKA_SASL_USERNAME: 'relay',
      PEIL_KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(config).toMatchObject({ kafka: { ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'relay', password: 's3cret' } } });
  });

  it.each([
    [{ PEIL_BUS: 'rabbit' }, 'PEIL_BUS'],
    [{ PEIL_BUS: 'kafka' }, 'PEIL_KAFKA_BROKERS: required when PEIL_BUS=kafka'],
    [{ PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: 'k1' }, 'PEIL_KAFKA_BROKERS: must be a comma-separated list of host:port'],
    [{ PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: 'k1:9092', PEIL_KAFKA_IDEMPOTENT: 'maybe' }, 'PEIL_KAFKA_IDEMPOTENT: must be true or false'],
    [{ PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: 'k1:9092', PEIL_KAFKA_SASL_MECHANISM: 'plain' }, 'PEIL_KAFKA_SASL_USERNAME'],
    [{ PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: 'k1:9092', PEIL_RELAY_BATCH_SIZE: '0' }, 'PEIL_RELAY_BATCH_SIZE'],
    [{ PEIL_SUBSCRIPTIONS: 'kafka' }, 'PEIL_SUBSCRIPTIONS: kafka requires PEIL_BUS=kafka'],
    [{ PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: 'k1:9092', PEIL_SUBSCRIPTIONS: 'topics' }, 'PEIL_SUBSCRIPTIONS'],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => loadBusConfig(env)).toThrow(ConfigError);
    expect(() => loadBusConfig(env)).toThrow(message);
  });

  it('never echoes a secret in its errors', () => {
    const env = { PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: 'k1', PEIL_KAFKA_SASL_MECHANISM: 'plain', PEIL_KAFKA_SASL_PASSWORD: 'hunter2' } as const;
    expect(() => loadBusConfig(env)).toThrow(/PEIL_KAFKA_BROKERS/);
    try {
      loadBusConfig(env);
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('gives store-tail feeds by default, also with the Kafka bus, and a consumer group per service and reader on request', async () => {
    const store = new SqliteEventStore(':memory:');
    const kafka = { PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: 'k1:9092' };
    expect(createLedgerFeedsFromEnv({}, store, 'training').feed('x')).toBeInstanceOf(StoreTailFeed);
    expect(createLedgerFeedsFromEnv(kafka, store, 'training').feed('x')).toBeInstanceOf(StoreTailFeed);
    const feeds = createLedgerFeedsFromEnv({ ...kafka, PEIL_SUBSCRIPTIONS: 'kafka', PEIL_KAFKA_GROUP_PREFIX: 'pilot' }, store, 'training');
    const feed = feeds.feed('session-expenditure') as KafkaLedgerFeed;
    expect(feed.groupId).toBe('pilot.training.session-expenditure');
    expect(feeds.feed('session-expenditure')).toBe(feed);
    await feeds.close();
    await store.close();
  });

  it('builds an unstarted relay whose checkpoint is relay.sqlite in the data dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peil-relay-env-'));
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    try {
      const relay = createRelayFromEnv({ PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: '127.0.0.1:1' }, store, dir)!;
      expect(relay.status()).toMatchObject({ state: 'stopped', checkpoint: null, published: 0 });
      expect(await relay.lag()).toBe(0);
      await relay.close();
      expect(existsSync(join(dir, 'relay.sqlite'))).toBe(true);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
