import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';

export interface TempLedger {
  /** The temp directory, a data dir with the ledger as `ledger.sqlite` (see ledgerPath): other files of the test go next to it. */
  readonly dir: string;
  readonly store: SqliteEventStore;
}

/**
 * A fresh SQLite ledger in a temp directory, closed and removed after use: one per test of the
 * enclosing describe (`each`), or one for all of them (`all`, for a ledger written once and only
 * read). Read its members inside tests and hooks (they change per test).
 */
export function useTempLedger(prefix = 'peil-ledger-', scope: 'each' | 'all' = 'each'): TempLedger {
  let dir = '';
  let store: SqliteEventStore | undefined;
  const [before, after] = scope === 'each' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
  });
  after(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir(): string {
      return dir;
    },
    get store(): SqliteEventStore {
      if (!store) throw new Error('useTempLedger: the store exists only inside a test');
      return store;
    },
  };
}
