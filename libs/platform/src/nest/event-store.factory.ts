import { join } from 'node:path';
import { EsdbEventStore, SqliteEventStore, type EventStore } from '@peil/ledger';
import { ConfigError } from '@peil/config';
import type { PlatformConfig } from '../config/platform.config';
import type { HealthCheck } from './health.registry';

/** The embedded ledger file every service process shares. */
export const ledgerFile = (dataDir: string): string => join(dataDir, 'ledger.sqlite');

/** Where one process keeps the last ledger position it verified, re-checked at its next start. */
export const integrityPointFile = (dataDir: string, process: string): string => join(dataDir, 'integrity', `${process}.verified.json`);

/**
 * The event store of this profile (PEIL_EVENT_STORE): the SQLite file in the data dir, or
 * EventStoreDB at PEIL_ESDB_URL (decisions 0005, 0016). The EventStoreDB client connects lazily,
 * so creating it never fails on an unreachable server; `untilEventStoreReachable` waits for that.
 */
export function createEventStore(config: PlatformConfig): EventStore {
  switch (config.PEIL_EVENT_STORE) {
    case 'sqlite':
      return new SqliteEventStore(ledgerFile(config.dataDir));
    case 'esdb':
      if (config.PEIL_ESDB_URL === undefined) throw new ConfigError('invalid configuration\n  PEIL_ESDB_URL: required when PEIL_EVENT_STORE=esdb');
      return EsdbEventStore.connect(config.PEIL_ESDB_URL);
  }
}

/** The `event-store` health check: the server answers (EventStoreDB), the file is open and readable (SQLite). */
export function eventStoreCheck(store: EventStore): HealthCheck {
  if (store instanceof EsdbEventStore) return () => store.ping();
  return async () => {
    await store.headPosition();
  };
}
