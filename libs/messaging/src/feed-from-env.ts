import type { EventStore } from '@peil/ledger';
import { storeTailFeeds, type LedgerFeeds } from '@peil/projections';
import { KafkaLedgerFeeds, type KafkaFeedConfig } from './kafka-ledger-feed';
import { loadBusConfig } from './relay-from-env';

/** LedgerFeeds that can be closed: the Kafka ones leave their groups; the store's need nothing. */
export type ClosableLedgerFeeds = LedgerFeeds & { close(): Promise<void> };

/**
 * The feeds this environment asks for (PEIL_SUBSCRIPTIONS, 0015): tailing the store by default, or
 * one consumer group per reader, named `<PEIL_KAFKA_GROUP_PREFIX>.<service>.<reader>`. Validates
 * the bus variables on the spot, so a bad setting stops the service at start with a ConfigError.
 */
export function createLedgerFeedsFromEnv(
  env: NodeJS.ProcessEnv,
  store: EventStore,
  service: string,
  extra: Pick<KafkaFeedConfig, 'onError' | 'maxWaitTimeMs' | 'retry'> = {},
): ClosableLedgerFeeds {
  const config = loadBusConfig(env);
  if (config.bus === 'store' || config.subscriptions === 'store') return { ...storeTailFeeds(store), close: async () => undefined };
  const { brokers, connectionTimeoutMs, requestTimeoutMs, ssl, sasl } = config.kafka;
  return new KafkaLedgerFeeds({
    brokers,
    clientId: `${config.groupPrefix}-${service}`,
    groupPrefix: `${config.groupPrefix}.${service}`,
    sessionTimeoutMs: config.sessionTimeoutMs,
    ...(connectionTimeoutMs !== undefined ? { connectionTimeoutMs } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(ssl !== undefined ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    ...extra,
  });
}
