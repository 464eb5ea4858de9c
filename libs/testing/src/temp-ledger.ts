import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';

/**
 * A fresh SQLite ledger in a temp directory for each test of the enclosing describe, closed and
 * removed after it. Read `store` inside tests and hooks (it changes per test).
 */
export function useTempLedger(prefix = 'peil-ledger-'): { readonly store: SqliteEventStore } {
  let dir = '';
  let store: SqliteEventStore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get store(): SqliteEventStore {
      if (!store) throw new Error('useTempLedger: the store exists only inside a test');
      return store;
    },
  };
}
