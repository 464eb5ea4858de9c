import { join } from 'node:path';
import { SqliteEventStore, type EventStore } from '@peil/ledger';
import type { PlatformConfig } from '../config/platform.config';

/** The embedded ledger file every service process shares. */
export const ledgerFile = (dataDir: string): string => join(dataDir, 'ledger.sqlite');

/**
 * The event store of this profile. Only the embedded (SQLite) profile is wired so far; the
 * EventStoreDB adapter exists behind the same port and is selected here once the distributed
 * profile lands (issue: distributed profile).
 */
export function createEventStore(config: PlatformConfig): EventStore {
  return new SqliteEventStore(ledgerFile(config.dataDir));
}
