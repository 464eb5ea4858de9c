import { Logger, type FactoryProvider, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@peil/ledger';
import { createLedgerFeedsFromEnv, loadBusConfig, type ClosableLedgerFeeds } from '@peil/messaging';
import type { LedgerFeed, LedgerFeeds } from '@peil/projections';
import { EVENT_STORE, LEDGER_FEEDS } from '../nest/tokens';

/** The configured feeds as a Nest provider: leaves its Kafka consumer groups when the service stops. */
export class LedgerFeedsHost implements LedgerFeeds, OnApplicationShutdown {
  constructor(private readonly feeds: ClosableLedgerFeeds) {}

  feed(reader: string): LedgerFeed {
    return this.feeds.feed(reader);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.feeds.close();
  }
}

/**
 * LEDGER_FEEDS for one service: tailing the store, or Kafka consumer groups
 * `<PEIL_KAFKA_GROUP_PREFIX>.<service>.<reader>` with PEIL_SUBSCRIPTIONS=kafka (0015). The bus
 * variables are validated when the provider is created (at bootstrap), so a bad value stops the service at start.
 */
export function ledgerFeedsProvider(service: string, env: NodeJS.ProcessEnv = process.env): FactoryProvider<LedgerFeedsHost> {
  const logger = new Logger('ledger-feed');
  return {
    provide: LEDGER_FEEDS,
    inject: [EVENT_STORE],
    useFactory: (store: EventStore) => {
      loadBusConfig(env);
      return new LedgerFeedsHost(
        createLedgerFeedsFromEnv(env, store, service, {
          // kafkajs errors name brokers and groups, never credentials.
          onError: (err, group) => logger.warn(`${group}: ${err instanceof Error ? err.message : String(err)}`),
        }),
      );
    },
  };
}
