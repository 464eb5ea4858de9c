import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chain, SqliteEventStore, type NewEvent } from '@peil/ledger';
import { ManualClock } from '@peil/platform/clock';
import { loadPlatformConfig } from '@peil/platform/config';
import { HealthRegistry } from '@peil/platform/nest';
import { testEvent } from '@peil/testing';
import { TreeHost } from './tree.host';

// The ledger service's `tree` health component: ok over an intact ledger, down with the reason once
// the ledger no longer holds what the persisted tree does — and still down after a restart.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const event = (n: number): NewEvent => testEvent(n, 'tree-host-spec');

async function boot(dataDir: string) {
  const store = new SqliteEventStore(join(dataDir, 'ledger.sqlite'));
  const health = new HealthRegistry(5_000);
  const host = new TreeHost(store, loadPlatformConfig({ PEIL_DATA_DIR: dataDir }), new ManualClock(new Date('2026-01-15T09:31:00Z')), health);
  await host.onApplicationBootstrap();
  const stop = async () => {
    await host.beforeApplicationShutdown();
    await store.close();
  };
  return { store, health, host, stop };
}

describe('TreeHost', () => {
  it('reports the tree healthy, then down after the tail of the ledger was rewritten, across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'peil-tree-host-'));
    dirs.push(dataDir);
    const first = await boot(dataDir);
    for (let i = 0; i < 12; i++) await first.store.append(`s-${i % 3}`, [event(i)], 'any');
    await expect(first.host.current()).resolves.toBe(12);
    expect((await first.health.report()).components).toContainEqual({ name: 'tree', ok: true });
    await first.stop();

    const db = new Database(join(dataDir, 'ledger.sqlite'));
    db.exec('DROP TRIGGER events_no_delete');
    const victim = db.prepare('SELECT stream_id, revision FROM events WHERE position = 12').get() as { stream_id: string; revision: number };
    db.prepare('DELETE FROM events WHERE position = 12').run();
    const last = db.prepare('SELECT revision, hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').get(victim.stream_id) as { revision: number; hash: string };
    const [e] = chain(victim.stream_id, [event(99)], last);
    db.prepare(
      `INSERT INTO events (stream_id, category, revision, event_id, type, schema_version, occurred_at, recorded_at, source, actor, correlation_id, causation_id, data, prev_hash, hash, content_digest)
       VALUES (?, 's', ?, ?, ?, 1, ?, ?, ?, ?, ?, NULL, ?, ?, ?, 'x')`,
    ).run(victim.stream_id, e!.revision, e!.eventId, e!.type, e!.occurredAt, e!.recordedAt, e!.source, e!.actor, e!.correlationId, e!.dataJson, e!.prevHash, e!.hash);
    db.close();

    for (let restart = 0; restart < 2; restart++) {
      const again = await boot(dataDir);
      const report = await again.health.report();
      expect(report.ok).toBe(false);
      expect(report.components.find((c) => c.name === 'tree')).toMatchObject({ ok: false, error: expect.stringContaining('history was rewritten') });
      await expect(again.host.current()).rejects.toThrow('disagrees with the ledger');
      await again.stop();
    }
  });
});
