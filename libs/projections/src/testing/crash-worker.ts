import { SqliteEventStore } from '@peil/ledger';
import { Projector } from '../projector';
import { SqliteReadStore } from '../sqlite-read-store';
import { countingProjection } from './counting.projection';

/**
 * Test-only worker for projector-crash.int.spec.ts, run from dist/ (npm run build): projects a ledger
 * into a SQLite read store until done ("catch-up") or forever ("live"), so the spec can kill -9 it at
 * any moment and check that the next run neither double-counts nor misses an event.
 *   node crash-worker.js <ledger file> <read-store file> catch-up|live <batch size> [page delay ms]
 * The page delay makes each catch-up page wait before it is read, so a run lasts long enough for a
 * kill aimed at "part-way" to land part-way on a loaded machine too; the commits stay as fast as ever.
 */
async function main(): Promise<void> {
  const [ledgerFile, readStoreFile, mode, batchSize, pageDelayMs] = process.argv.slice(2);
  if (!ledgerFile || !readStoreFile || (mode !== 'catch-up' && mode !== 'live')) {
    throw new Error('usage: crash-worker <ledger file> <read-store file> catch-up|live <batch size>');
  }
  const store = new SqliteEventStore(ledgerFile, { pollIntervalMs: 5 });
  const delay = Number(pageDelayMs ?? 0);
  if (delay > 0) {
    const readAll = store.readAll.bind(store);
    store.readAll = async (after, limit) => {
      await new Promise((resolve) => setTimeout(resolve, delay));
      return readAll(after, limit);
    };
  }
  const readStore = new SqliteReadStore(readStoreFile);
  const projector = new Projector(store, readStore, [countingProjection('counting', 1, { recordEach: true })], {
    batchSize: Number(batchSize ?? 100),
    liveBufferMs: 5,
    onError: (err) => {
      console.error(err);
      process.exit(1);
    },
  });
  if (mode === 'live') {
    await projector.start();
    process.stdout.write('live\n');
    return; // runs until killed
  }
  await projector.catchUp();
  await readStore.close();
  await store.close();
  process.stdout.write('done\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
