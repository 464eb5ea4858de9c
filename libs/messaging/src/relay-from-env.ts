import { z } from 'zod';
import type { SASLOptions } from 'kafkajs';
import type { EventStore } from '@peil/ledger';
import { boolVar, intVar, loadConfig, stringVar } from '@peil/config';
import { KafkaPublisher, type KafkaPublisherConfig } from './kafka-publisher';
import { OutboundRelay, type RelayOptions } from './relay';
import { relayCheckpointFile, SqliteRelayCheckpointStore } from './sqlite-relay-checkpoint-store';

const BROKER = /^[A-Za-z0-9._-]+:\d{1,5}$/;

const busSchema = z
  .object({
    // `store`: subscribers tail the ledger itself (embedded profile), no relay. `kafka`: the relay publishes.
    PEIL_BUS: z.enum(['store', 'kafka']).optional().default('store'),
    // Where the services' reactions and the projector read the ledger from (0015): the store, or the relay's topics.
    PEIL_SUBSCRIPTIONS: z.enum(['store', 'kafka']).optional().default('store'),
    PEIL_KAFKA_GROUP_PREFIX: stringVar('peil'),
    PEIL_KAFKA_SESSION_TIMEOUT_MS: intVar(30_000, 6_000, 300_000),
    PEIL_KAFKA_BROKERS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const list = (v ?? '').split(',').map((b) => b.trim()).filter(Boolean);
        if (list.some((b) => !BROKER.test(b))) {
          ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of host:port' });
          return z.NEVER;
        }
        return list;
      }),
    PEIL_KAFKA_CLIENT_ID: stringVar('peil-relay'),
    // On in production; false only for brokers that cannot grant producer ids (the test mock).
    PEIL_KAFKA_IDEMPOTENT: boolVar(true),
    PEIL_KAFKA_CREATE_TOPICS: boolVar(true),
    PEIL_KAFKA_CONNECTION_TIMEOUT_MS: intVar(3_000, 100, 60_000),
    PEIL_KAFKA_REQUEST_TIMEOUT_MS: intVar(10_000, 100, 300_000),
    PEIL_KAFKA_SSL: boolVar(false),
    PEIL_KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    PEIL_KAFKA_SASL_USERNAME: z.string().optional(),
    PEIL_KAFKA_SASL_PASSWORD: z.string().optional(),
    PEIL_RELAY_BATCH_SIZE: intVar(500, 1, 10_000),
    PEIL_RELAY_RETRY_INITIAL_MS: intVar(200, 1, 60_000),
    PEIL_RELAY_RETRY_MAX_MS: intVar(30_000, 1, 600_000),
  })
  .superRefine((c, ctx) => {
    if (c.PEIL_SUBSCRIPTIONS === 'kafka' && c.PEIL_BUS !== 'kafka') {
      ctx.addIssue({ code: 'custom', path: ['PEIL_SUBSCRIPTIONS'], message: 'kafka requires PEIL_BUS=kafka (the relay is what fills the topics)' });
    }
    if (c.PEIL_BUS === 'kafka' && c.PEIL_KAFKA_BROKERS.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['PEIL_KAFKA_BROKERS'], message: 'required when PEIL_BUS=kafka' });
    }
    if (c.PEIL_KAFKA_SASL_MECHANISM && !(c.PEIL_KAFKA_SASL_USERNAME && c.PEIL_KAFKA_SASL_PASSWORD)) {
      ctx.addIssue({ code: 'custom', path: ['PEIL_KAFKA_SASL_USERNAME'], message: 'username and password required with PEIL_KAFKA_SASL_MECHANISM' });
    }
    if (c.PEIL_RELAY_RETRY_MAX_MS < c.PEIL_RELAY_RETRY_INITIAL_MS) {
      ctx.addIssue({ code: 'custom', path: ['PEIL_RELAY_RETRY_MAX_MS'], message: 'must be at least PEIL_RELAY_RETRY_INITIAL_MS' });
    }
  });

export type BusConfig =
  | { bus: 'store' }
  | {
      bus: 'kafka';
      kafka: KafkaPublisherConfig;
      relay: Pick<RelayOptions, 'batchSize' | 'retry'>;
      /** Subscribers on the store (tailing it) or on the topics (consumer groups `<groupPrefix>.<service>.<reader>`). */
      subscriptions: 'store' | 'kafka';
      groupPrefix: string;
      sessionTimeoutMs: number;
    };

/** Validates the bus variables; throws ConfigError naming each bad variable (never its value). */
export function loadBusConfig(env: NodeJS.ProcessEnv = process.env): BusConfig {
  const c = loadConfig(busSchema, env);
  if (c.PEIL_BUS === 'store') return { bus: 'store' };
  const sasl: SASLOptions | undefined = c.PEIL_KAFKA_SASL_MECHANISM
    ? ({ mechanism: c.PEIL_KAFKA_SASL_MECHANISM, username: c.PEIL_KAFKA_SASL_USERNAME!, password: c.PEIL_KAFKA_SASL_PASSWORD! } as SASLOptions)
    : undefined;
  return {
    bus: 'kafka',
    kafka: {
      brokers: c.PEIL_KAFKA_BROKERS,
      clientId: c.PEIL_KAFKA_CLIENT_ID,
      idempotent: c.PEIL_KAFKA_IDEMPOTENT,
      createTopics: c.PEIL_KAFKA_CREATE_TOPICS,
      connectionTimeoutMs: c.PEIL_KAFKA_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: c.PEIL_KAFKA_REQUEST_TIMEOUT_MS,
      ...(c.PEIL_KAFKA_SSL ? { ssl: true } : {}),
      ...(sasl ? { sasl } : {}),
    },
    relay: {
      batchSize: c.PEIL_RELAY_BATCH_SIZE,
      retry: { initialMs: c.PEIL_RELAY_RETRY_INITIAL_MS, maxMs: c.PEIL_RELAY_RETRY_MAX_MS },
    },
    subscriptions: c.PEIL_SUBSCRIPTIONS,
    groupPrefix: c.PEIL_KAFKA_GROUP_PREFIX,
    sessionTimeoutMs: c.PEIL_KAFKA_SESSION_TIMEOUT_MS,
  };
}

/**
 * The outbound relay this environment asks for, not started: null for PEIL_BUS=store (the embedded
 * profile needs none). Its checkpoint lives in `<dataDir>/relay.sqlite`; relay.close() closes the
 * publisher and that file, not the event store.
 */
export function createRelayFromEnv(
  env: NodeJS.ProcessEnv,
  store: EventStore,
  dataDir: string,
  extra: Pick<RelayOptions, 'onError' | 'clock' | 'pollIntervalMs'> = {},
): OutboundRelay | null {
  const config = loadBusConfig(env);
  if (config.bus === 'store') return null;
  return new OutboundRelay(
    store,
    new KafkaPublisher(config.kafka),
    new SqliteRelayCheckpointStore(relayCheckpointFile(dataDir)),
    { ...config.relay, ...extra },
  );
}
