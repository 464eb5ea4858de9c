import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type NewEvent } from '@peil/ledger';
import { treeCommand } from './tree.command';
import { UsageError } from './cli-args';

const event = (n: number): NewEvent => ({
  eventId: randomUUID(),
  type: 'Tested',
  schemaVersion: 1,
  occurredAt: '2026-01-15T09:30:00.000Z',
  recordedAt: '2026-01-15T09:30:01.000Z',
  source: 'tree-cli-spec',
  actor: 'tester',
  correlationId: randomUUID(),
  causationId: null,
  data: { n },
  contentDigest: `d:${n}`,
});

describe('tree status | rebuild', () => {
  it('status 0 when the tree agrees, 1 naming the leaf once a past event changed; rebuild replaces the tree and status is 0 again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peil-tree-cli-'));
    try {
      const file = join(dir, 'ledger.sqlite');
      let store = new SqliteEventStore(file);
      for (let i = 0; i < 9; i++) await store.append(`s-${i % 2}`, [event(i)], 'any');
      let out = '';
      const run = (sub: string) => treeCommand([sub], store, dir, (t) => (out = t));
      await expect(run('status')).resolves.toBe(0);
      expect(JSON.parse(out)).toMatchObject({ ok: true, size: 9 });
      await store.close();
      const db = new Database(file);
      db.exec('DROP TRIGGER events_no_update');
      db.prepare('UPDATE events SET hash = ? WHERE position = 4').run('cd'.repeat(32));
      db.close();
      store = new SqliteEventStore(file);
      await expect(run('status')).resolves.toBe(1);
      expect(JSON.parse(out)).toMatchObject({ ok: false, fault: { index: 3, position: 4 } });
      await expect(run('rebuild')).resolves.toBe(0);
      await expect(run('status')).resolves.toBe(0);
      await expect(run('prune')).rejects.toBeInstanceOf(UsageError);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
