import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStoreContract } from './read-store.contract';
import { readStoreHistoryContract } from './read-store-history.contract';
import { CheckpointMovedError } from './read-store.port';
import { SqliteReadStore } from './sqlite-read-store';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'peil-read-store-'));
  dirs.push(dir);
  return join(dir, 'read-models.sqlite');
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

readStoreContract('SqliteReadStore', async () => {
  const store = new SqliteReadStore(tempFile());
  return { store, cleanup: () => store.close() };
});

readStoreHistoryContract('SqliteReadStore', async () => {
  const store = new SqliteReadStore(tempFile());
  return { store, cleanup: () => store.close() };
});

describe('SqliteReadStore specifics', () => {
  it('keeps documents and checkpoints across a reopen, stored as canonical JSON bytes', async () => {
    const file = tempFile();
    const store = new SqliteReadStore(file);
    await store.commit('p', null, 7, async (tx) => tx.put('docs', 'h1', { b: [1, { d: 2, c: 1 }], a: 'é' }));
    await store.close();

    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT json FROM documents').pluck().all()).toEqual(['{"a":"é","b":[1,{"c":1,"d":2}]}']);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();

    const reopened = new SqliteReadStore(file);
    expect(await reopened.checkpoint('p')).toBe(7);
    expect(await reopened.read((tx) => tx.get('docs', 'h1'))).toEqual({ a: 'é', b: [1, { c: 1, d: 2 }] });
    await reopened.close();
  });

  it('two stores on one file (two processes, say) cannot both commit from one checkpoint', async () => {
    const file = tempFile();
    const [one, two] = [new SqliteReadStore(file), new SqliteReadStore(file)];
    await one.commit('p', null, 1, async () => undefined);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // `one` runs its batch, then `two` commits from the same checkpoint before `one` lands.
    const slow = one.commit('p', 1, 2, async (tx) => {
      await tx.put('docs', 'by', { store: 'one' });
      await held;
    });
    await two.commit('p', 1, 3, async (tx) => tx.put('docs', 'by', { store: 'two' }));
    release();
    await expect(slow).rejects.toBeInstanceOf(CheckpointMovedError);
    expect(await one.checkpoint('p')).toBe(3);
    expect(await one.read((tx) => tx.get('docs', 'by'))).toEqual({ store: 'two' });
    await Promise.all([one.close(), two.close()]);
  });

  it('opens a read store written before checkpoints kept a hash: the checkpoint stays, its hash is empty until the next commit', async () => {
    const file = tempFile();
    const old = new Database(file);
    old.exec(`CREATE TABLE documents (collection TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;
      CREATE TABLE checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);
      INSERT INTO checkpoints VALUES ('p', 12);`);
    old.close();
    const store = new SqliteReadStore(file);
    expect(await store.checkpointMark('p')).toEqual({ position: 12, hash: null });
    await store.commit('p', 12, 13, async () => undefined, 'c'.repeat(64));
    expect(await store.checkpointMark('p')).toEqual({ position: 13, hash: 'c'.repeat(64) });
    await store.close();
  });
});
