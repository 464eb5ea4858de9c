import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../core/envelope';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { testEvent } from '@peil/testing';
import { checkVerifiedPoint, LedgerFollower } from './ledger-follower';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'peil-follower-'));
  dirs.push(dir);
  return join(dir, 'ledger.sqlite');
}

let n = 0;
function event(): NewEvent {
  n += 1;
  return testEvent(n, 'follower-spec', { n, amountMinor: 1000 + n });
}

/** Changes the ledger behind the store's back (a second connection, guard triggers dropped), as an attacker with file access could. */
function behindTheStore(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;');
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

describe('LedgerFollower', () => {
  let file: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    file = tempFile();
    store = new SqliteEventStore(file);
    await store.append('household-A', [event(), event()], 'no_stream');
    await store.append('household-B', [event()], 'no_stream');
  });
  afterEach(() => store.close());

  it('verifies each event once, as it appears, page by page', async () => {
    const follower = new LedgerFollower(store);
    expect(await follower.step(2)).toEqual({ caughtUp: false, checked: 2 });
    expect(await follower.step(2)).toEqual({ caughtUp: true, checked: 1 });
    expect(await follower.step(2)).toEqual({ caughtUp: true, checked: 0 });
    await store.append('household-A', [event()], 1);
    expect(await follower.step(2)).toEqual({ caughtUp: true, checked: 1 });
    const [head] = await store.readAll(3, 1);
    expect(follower.verified).toEqual({ position: 4, hash: head!.hash });
  });

  it('resumes after a verified point, chaining streams it did not see onto their stored last event', async () => {
    const first = new LedgerFollower(store);
    await first.step();
    await store.append('household-A', [event()], 1);
    await store.append('household-B', [event()], 0);
    const resumed = new LedgerFollower(store, { from: first.verified });
    expect(await resumed.step()).toEqual({ caughtUp: true, checked: 2 });
    expect(resumed.verified?.position).toBe(5);
  });

  it('finds a changed byte in an event that appeared after the verified point, at its position', async () => {
    const follower = new LedgerFollower(store);
    await follower.step();
    await store.append('household-B', [event()], 0);
    behindTheStore(file, "UPDATE events SET data = replace(data, '\"n\":', '\"m\":') WHERE position = 4");
    const step = await follower.step();
    expect(step.fault).toMatchObject({ position: 4, reason: 'hash_mismatch' });
    // The fault stays: a later step does not read past it.
    expect((await follower.step()).fault).toEqual(step.fault);
  });

  it('notices the last verified event rewritten even when nothing new is written', async () => {
    const follower = new LedgerFollower(store);
    await follower.step();
    behindTheStore(file, "UPDATE events SET data = replace(data, '\"n\":', '\"m\":') WHERE position = 3");
    expect((await follower.step()).fault).toMatchObject({ position: 3, reason: 'hash_mismatch' });
  });

  it('notices a ledger cut back below the verified point, naming the real head', async () => {
    const follower = new LedgerFollower(store);
    await follower.step();
    behindTheStore(file, 'DELETE FROM events WHERE position > 1');
    const step = await follower.step();
    expect(step.fault).toMatchObject({ position: 3, reason: 'ledger_cut_back' });
    expect(step.fault?.detail).toMatch(/head is 1/);
  });

  it('notices a ledger cut back and written again past the verified point', async () => {
    const follower = new LedgerFollower(store);
    await follower.step();
    behindTheStore(file, 'DELETE FROM events WHERE position = 3');
    await store.append('household-C', [event()], 'no_stream');
    expect((await follower.step()).fault).toMatchObject({ position: 3, reason: 'verified_event_changed' });
  });

  it('re-checks a persisted point before resuming from it', async () => {
    const [third] = await store.readAll(2, 1);
    expect(await checkVerifiedPoint(store, { position: 3, hash: third!.hash })).toBeUndefined();
    expect(await checkVerifiedPoint(store, { position: 3, hash: 'f'.repeat(64) })).toMatchObject({ reason: 'verified_event_changed' });
    expect(await checkVerifiedPoint(store, { position: 9, hash: third!.hash })).toMatchObject({ position: 9, reason: 'ledger_cut_back' });
    const resumed = new LedgerFollower(store, { from: { position: 3, hash: 'f'.repeat(64) } });
    expect((await resumed.step()).fault).toMatchObject({ position: 3, reason: 'verified_event_changed' });
  });

  it('finds a position gap left by a deleted event in the middle', async () => {
    await store.append('household-C', [event()], 'no_stream');
    behindTheStore(file, 'DELETE FROM events WHERE position = 3');
    expect((await new LedgerFollower(store).step()).fault).toMatchObject({ position: 4, reason: 'position_gap' });
  });
});
