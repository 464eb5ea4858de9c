import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../core/envelope';
import { chain } from '../core/hash-chain';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { SqliteTreeStore } from '../sqlite/sqlite-tree-store';
import { ledgerTreeContract } from './ledger-tree.contract';
import { LedgerTree, TreeIntegrityError } from './ledger-tree';
import { testEvent } from '@peil/testing';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'peil-tree-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

ledgerTreeContract('SqliteEventStore', async () => {
  const store = new SqliteEventStore(join(tempDir(), 'ledger.sqlite'));
  return { store, cleanup: () => store.close() };
});

const event = (n: number): NewEvent => testEvent(n, 'tree-spec');

/**
 * A ledger of 40 events on 4 streams with its tree caught up, both closed; then `tamper` runs on the
 * raw SQLite file (guard triggers dropped) and the ledger and tree are opened again.
 */
async function tamperedLedger(tamper: (db: Database.Database) => void): Promise<LedgerTree> {
  const dir = tempDir();
  const ledgerFile = join(dir, 'ledger.sqlite');
  const treeFile = join(dir, 'tree.sqlite');
  const store = new SqliteEventStore(ledgerFile);
  for (let i = 0; i < 40; i++) await store.append(`s-${i % 4}`, [event(i)], 'any');
  const tree = new LedgerTree(store, new SqliteTreeStore(treeFile));
  expect(await tree.catchUp()).toBe(40);
  tree.nodes.close();
  await store.close();
  const raw = new Database(ledgerFile);
  raw.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;');
  tamper(raw);
  raw.close();
  const reopened = new SqliteEventStore(ledgerFile);
  return new LedgerTree(reopened, new SqliteTreeStore(treeFile));
}

/** Deletes the last `count` events and appends as many others, each chained correctly onto its stream. */
function rewriteTail(db: Database.Database, count: number): void {
  const head = (db.prepare('SELECT max(position) AS p FROM events').get() as { p: number }).p;
  db.prepare('DELETE FROM events WHERE position > ?').run(head - count);
  for (let i = 0; i < count; i++) {
    const streamId = `s-${i % 4}`;
    const last = db.prepare('SELECT revision, hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').get(streamId) as { revision: number; hash: string };
    const [e] = chain(streamId, [event(1000 + i)], last);
    db.prepare(
      `INSERT INTO events (stream_id, category, revision, event_id, type, schema_version, occurred_at, recorded_at, source, actor,
        correlation_id, causation_id, data, prev_hash, hash, content_digest) VALUES (?, 's', ?, ?, ?, 1, ?, ?, ?, ?, ?, NULL, ?, ?, ?, 'x')`,
    ).run(streamId, e!.revision, e!.eventId, e!.type, e!.occurredAt, e!.recordedAt, e!.source, e!.actor, e!.correlationId, e!.dataJson, e!.prevHash, e!.hash);
  }
}

describe('LedgerTree on SQLite: a tree that disagrees with the ledger is an integrity fault, never silently rebuilt', () => {
  it('the last 10 events deleted and replaced by others with recomputed chains: the next catch-up reports the rewrite and keeps reporting it', async () => {
    const tree = await tamperedLedger((db) => rewriteTail(db, 10));
    await expect(tree.catchUp()).rejects.toThrow(TreeIntegrityError);
    await expect(tree.catchUp()).rejects.toThrow('history was rewritten');
    expect(tree.fault).toMatchObject({ index: 39, position: 40 });
    expect(tree.size()).toBe(40);
  });

  it('events deleted from the end: reported as removed', async () => {
    const tree = await tamperedLedger((db) => db.prepare('DELETE FROM events WHERE position > 35').run());
    await expect(tree.catchUp()).rejects.toThrow('events were removed');
  });

  it('one event rewritten in the middle: the full comparison a restart runs finds it', async () => {
    const tree = await tamperedLedger((db) => db.prepare("UPDATE events SET hash = ? WHERE position = 12").run('ab'.repeat(32)));
    await expect(tree.catchUp()).resolves.toBe(40);
    await expect(tree.verifyAgainstLedger()).rejects.toMatchObject({ index: 11, position: 12 });
    expect(tree.fault).not.toBeNull();
  });

  it('a hole in the positions beyond the tree is refused', async () => {
    const tree = await tamperedLedger(() => undefined);
    const file = (tree as unknown as { store: SqliteEventStore }).store.file;
    await (tree as unknown as { store: SqliteEventStore }).store.append('s-0', [event(98), event(99)], 'any');
    const raw = new Database(file);
    raw.exec('DROP TRIGGER IF EXISTS events_no_delete');
    raw.prepare('DELETE FROM events WHERE position = 41').run();
    raw.close();
    await expect(tree.catchUp()).rejects.toThrow('no event at position 41');
  });

  it('only rebuild replaces a faulty tree, with the tree of the ledger as it now is', async () => {
    const tree = await tamperedLedger((db) => rewriteTail(db, 10));
    await expect(tree.catchUp()).rejects.toThrow(TreeIntegrityError);
    const oldRoot = tree.root(40);
    await expect(tree.rebuild()).resolves.toBe(40);
    expect(tree.fault).toBeNull();
    expect(tree.root(40).equals(oldRoot)).toBe(false);
  });
});
