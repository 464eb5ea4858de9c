import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashEnvelope } from '../core/hash-chain';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { EVENT_COLUMNS, fromStoredRow, type StoredRow } from '../sqlite/sqlite-rows';
import { testEvent } from '@peil/testing';
import { verifyLedger } from './verify-ledger';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `events` events over five streams, interleaved, appended one or two at a time. */
async function ledger(events: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'peil-verify-'));
  dirs.push(dir);
  const file = join(dir, 'ledger.sqlite');
  const store = new SqliteEventStore(file);
  const revisions = new Map<string, number>();
  for (let n = 0; n < events; ) {
    const stream = `household-${(n * 7) % 5}`;
    const count = Math.min(events - n, 1 + (n % 2));
    const last = revisions.get(stream);
    await store.append(stream, Array.from({ length: count }, (_, i) => testEvent(n + i, 'spec')), last === undefined ? 'no_stream' : last);
    revisions.set(stream, (last ?? -1) + count);
    n += count;
  }
  await store.close();
  return file;
}

type Tamper = 'data' | 'truncate' | 'delete' | 'revision' | 'prevHash' | 'principal';

/** What someone with write access to the file could do, behind the store's back (triggers dropped). */
function tamper(file: string, position: number, how: Tamper): void {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete');
    const row = db.prepare<[number], StoredRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position = ?`).raw(true).get(position)!;
    const rehash = (change: (e: ReturnType<typeof fromStoredRow>) => void) => {
      const event = fromStoredRow(row);
      change(event);
      db.prepare('UPDATE events SET revision = ?, prev_hash = ?, hash = ? WHERE position = ?').run(event.revision, event.prevHash, hashEnvelope(event), position);
    };
    if (how === 'data') db.prepare('UPDATE events SET data = ? WHERE position = ?').run(row[12].replace('}', ',"x":1}'), position);
    if (how === 'truncate') db.prepare('UPDATE events SET data = ? WHERE position = ?').run(row[12].slice(0, -1), position);
    if (how === 'delete') db.prepare('DELETE FROM events WHERE position = ?').run(position);
    if (how === 'principal') db.prepare("UPDATE events SET principal_role = 'admin' WHERE position = ?").run(position);
    // Rehashed: only the chain can tell.
    if (how === 'revision') rehash((e) => (e.revision += 1000));
    if (how === 'prevHash') rehash((e) => (e.prevHash = '0'.repeat(64)));
  } finally {
    db.close();
  }
}

describe('verifyLedger in position ranges', () => {
  it('gives the report one verifier reading from the first event gives, whatever was changed where (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.record({ at: fc.integer({ min: 1, max: 60 }), how: fc.constantFrom<Tamper>('data', 'truncate', 'delete', 'revision', 'prevHash', 'principal') })),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        async (events, change, ranges, pageSize) => {
          const file = await ledger(events);
          if (change && change.at <= events) tamper(file, change.at, change.how);
          const store = new SqliteEventStore(file);
          try {
            const sequential = await verifyLedger(store, pageSize);
            const parallel = await verifyLedger(store, pageSize, { parallel: { ranges, inThread: true } });
            expect(parallel).toEqual(sequential);
            if (!change || change.at > events) expect(sequential.ok).toBe(true);
          } finally {
            await store.close();
          }
        },
      ),
      { seed: 1605, numRuns: 120 },
    );
  });

  it('names the first of two changes, although a later range found its own first', async () => {
    const file = await ledger(40);
    tamper(file, 9, 'data');
    tamper(file, 33, 'delete');
    const store = new SqliteEventStore(file);
    const report = await verifyLedger(store, 5000, { parallel: { ranges: 4, inThread: true } });
    expect(report).toMatchObject({ ok: false, checkedEvents: 8, verifiedThrough: 8, headPosition: 40, firstFailure: { position: 9, reason: 'hash_mismatch' } });
    await store.close();
  });
});
