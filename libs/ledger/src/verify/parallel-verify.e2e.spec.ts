import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEvent } from '@peil/testing';

/**
 * The worker threads run compiled JavaScript, so this spec drives the built ledger (dist/): the
 * ranges are then verified by real workers, each on its own read-only connection.
 */
const DIST_LEDGER = join(__dirname, '../../../../dist/libs/ledger/src/index.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const built = () => require(DIST_LEDGER) as typeof import('../index');

// Generous: on a loaded machine starting workers and writing 3,000 events takes a while; nothing here depends on timing.
jest.setTimeout(180_000);

describe('verifyLedger with worker threads (built ledger)', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(DIST_LEDGER)) throw new Error(`${DIST_LEDGER} is missing: run \`npm run build\` first`);
    dir = mkdtempSync(join(tmpdir(), 'peil-verify-workers-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function ledger(name: string): Promise<string> {
    const file = join(dir, `${name}.sqlite`);
    const store = new (built().SqliteEventStore)(file);
    // 3,000 events over 7 streams, 50 at a time: each range starts inside streams begun before it.
    for (let i = 0; i < 60; i++) {
      const stream = `household-${i % 7}`;
      store.appendSync(stream, Array.from({ length: 50 }, (_, k) => testEvent(i * 50 + k, 'e2e')), 'any');
    }
    await store.close();
    return file;
  }

  it('verifies an intact ledger in three ranges as one pass does', async () => {
    const { SqliteEventStore, verifyLedger } = built();
    const store = new SqliteEventStore(await ledger('intact'));
    try {
      const parallel = await verifyLedger(store, 500, { parallel: { ranges: 3 } });
      expect(parallel).toEqual({ ok: true, checkedEvents: 3000, headPosition: 3000, verifiedThrough: 3000 });
    } finally {
      await store.close();
    }
  });

  it('names the same first failure as one pass, for a change in the middle range', async () => {
    const { SqliteEventStore, verifyLedger } = built();
    const file = await ledger('tampered');
    const db = new Database(file);
    db.exec('DROP TRIGGER events_no_update');
    db.prepare(`UPDATE events SET data = '{"n":-1}' WHERE position = 1234`).run();
    db.close();
    const store = new SqliteEventStore(file);
    try {
      const parallel = await verifyLedger(store, 500, { parallel: { ranges: 3 } });
      expect(parallel).toEqual(await verifyLedger(store, 500));
      expect(parallel).toMatchObject({ ok: false, checkedEvents: 1233, verifiedThrough: 1233, firstFailure: { position: 1234, reason: 'hash_mismatch' } });
    } finally {
      await store.close();
    }
  });
});
