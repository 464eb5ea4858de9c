import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import { ledgerPath } from './ledger-file';

/** `each`: one per test of the enclosing describe; `all`: one for all of them (written once, then only read). */
export type TempScope = 'each' | 'all';

const hooks = (scope: TempScope) => (scope === 'each' ? { before: beforeEach, after: afterEach } : { before: beforeAll, after: afterAll });

/** A fresh temp directory, removed after use. Read `path` inside tests and hooks (it changes per test). */
export function useTempDir(prefix: string, scope: TempScope = 'each'): { readonly path: string } {
  let dir = '';
  const { before, after } = hooks(scope);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get path(): string {
      return dir;
    },
  };
}

export interface TempLedger {
  /** The temp directory, a data dir with the ledger as `ledger.sqlite` (see ledgerPath): other files of the test go next to it. */
  readonly dir: string;
  readonly store: SqliteEventStore;
}

/**
 * A fresh SQLite ledger in a temp directory, closed and removed after use. Read its members inside
 * tests and hooks (they change per test).
 */
export function useTempLedger(prefix = 'peil-ledger-', scope: TempScope = 'each'): TempLedger {
  let store: SqliteEventStore | undefined;
  const { before, after } = hooks(scope);
  // Registered before the directory's hooks: after-hooks run in that order, so the store closes before its directory goes.
  after(async () => {
    await store?.close();
    store = undefined;
  });
  const dir = useTempDir(prefix, scope);
  before(() => {
    store = new SqliteEventStore(ledgerPath(dir.path));
  });
  return {
    get dir(): string {
      return dir.path;
    },
    get store(): SqliteEventStore {
      if (!store) throw new Error('useTempLedger: the store exists only inside a test');
      return store;
    },
  };
}
