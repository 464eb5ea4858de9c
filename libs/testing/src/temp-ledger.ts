import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';

export interface TempLedger {
  /** The temp directory: other files of the test (read models, a tree, a verified point) go next to the ledger. */
  readonly dir: string;
  /** The ledger's SQLite file, for a test that rewrites it behind the store's back. */
  readonly file: string;
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
    get file(): string {
      return join(dir, 'ledger.sqlite');
    },
    get store(): SqliteEventStore {
      if (!store) throw new Error('useTempLedger: the store exists only inside a test');
      return store;
    },
  };
}
