import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../clock/clock';
import { ACCESS_LOG_FILE, AccessLog, hashAccessEntry, type AccessRecord } from './access-log';

let dir: string;
const logs: AccessLog[] = [];
const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
const open = () => {
  const log = AccessLog.open(dir, clock);
  logs.push(log);
  return log;
};
const read = (householdId: string, principal = 'ngo:0a1b2c3d4e'): AccessRecord => ({
  principal,
  role: principal.split(':')[0]!,
  requestId: `req-${householdId}`,
  householdId,
  fields: ['essnId', 'participant.fullName'],
});

/** Opens the file as an intruder would: with the append-only triggers dropped. */
function tamper(sql: string, ...params: unknown[]): void {
  const db = new Database(join(dir, ACCESS_LOG_FILE));
  db.exec('DROP TRIGGER IF EXISTS access_log_no_update; DROP TRIGGER IF EXISTS access_log_no_delete;');
  db.prepare(sql).run(...params);
  db.close();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'peil-access-log-'));
});
afterEach(() => {
  for (const log of logs.splice(0)) log.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AccessLog', () => {
  it('chains entries: each carries the previous hash and a hash of its own content, time from the clock', () => {
    const log = open();
    const first = log.record(read('HH-1'));
    clock.advance(60_000);
    const second = log.record(read('HH-2', 'supervisor:ffeeddccbb'));
    expect(first).toMatchObject({ seq: 1, at: '2026-03-01T08:00:00.000Z', prevHash: null, principal: 'ngo:0a1b2c3d4e', role: 'ngo', householdId: 'HH-1' });
    expect(second).toMatchObject({ seq: 2, at: '2026-03-01T08:01:00.000Z', prevHash: first.hash, role: 'supervisor' });
    const { hash, ...rest } = second;
    expect(hashAccessEntry(rest)).toBe(hash);
    expect(log.page(0, 10)).toEqual([first, second]);
    expect(log.page(1, 10)).toEqual([second]);
    expect(log.verify()).toEqual({ ok: true, checkedEntries: 2, lastSeq: 2 });
  });

  it('is one chain across several writers (processes share the file)', () => {
    const a = open();
    const b = open();
    for (let i = 0; i < 10; i++) (i % 2 ? a : b).record(read(`HH-${i}`));
    expect(a.verify()).toEqual({ ok: true, checkedEntries: 10, lastSeq: 10 });
    expect(b.page(0, 100).map((e) => e.householdId)).toEqual(Array.from({ length: 10 }, (_, i) => `HH-${i}`));
  });

  it('refuses UPDATE and DELETE through SQLite (append-only)', () => {
    open().record(read('HH-1'));
    const db = new Database(join(dir, ACCESS_LOG_FILE));
    expect(() => db.prepare("UPDATE access_log SET principal = 'nobody'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM access_log').run()).toThrow(/append-only/);
    db.close();
  });

  it('detects an altered entry (hash_mismatch) at its sequence number', () => {
    const log = open();
    for (let i = 1; i <= 3; i++) log.record(read(`HH-${i}`));
    tamper("UPDATE access_log SET principal = 'auditor:innocent' WHERE seq = 2");
    expect(log.verify()).toEqual({
      ok: false,
      checkedEntries: 1,
      lastSeq: 1,
      firstFailure: { seq: 2, reason: 'hash_mismatch', detail: expect.any(String) },
    });
  });

  it('detects an entry removed from the middle, and one whose hash was recomputed after altering it', () => {
    const log = open();
    for (let i = 1; i <= 4; i++) log.record(read(`HH-${i}`));
    tamper('DELETE FROM access_log WHERE seq = 2');
    expect(log.verify().firstFailure).toMatchObject({ seq: 3, reason: 'sequence_gap' });

    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'peil-access-log-'));
    const fresh = open();
    for (let i = 1; i <= 3; i++) fresh.record(read(`HH-${i}`));
    const [, second] = fresh.page(0, 3);
    const forged = { ...second!, householdId: 'HH-other' };
    const { hash: _old, ...unhashed } = forged;
    tamper('UPDATE access_log SET household_id = ?, hash = ? WHERE seq = 2', 'HH-other', hashAccessEntry(unhashed));
    expect(fresh.verify().firstFailure).toMatchObject({ seq: 3, reason: 'chain_broken' });
  });

  it('checks a page on its own: its entries, and its link to the entry before it', () => {
    const log = open();
    for (let i = 1; i <= 6; i++) log.record(read(`HH-${i}`));
    expect(log.verifyPage(2, log.page(2, 2))).toEqual({ ok: true, checkedEntries: 2, lastSeq: 4 });
    expect(log.verifyPage(0, log.page(0, 3))).toEqual({ ok: true, checkedEntries: 3, lastSeq: 3 });
    expect(log.verifyPage(99, [])).toMatchObject({ ok: false, firstFailure: { seq: 99, reason: 'sequence_gap' } });

    tamper("UPDATE access_log SET hash = 'f00d' WHERE seq = 2"); // entry 2 altered: page 3–4 no longer links to it
    expect(log.verifyPage(2, log.page(2, 2))).toMatchObject({ ok: false, firstFailure: { seq: 3, reason: 'chain_broken' } });
    expect(log.verifyPage(4, log.page(4, 2))).toEqual({ ok: true, checkedEntries: 2, lastSeq: 6 });
    tamper("UPDATE access_log SET fields = '[\"participant.phone\"]' WHERE seq = 5");
    expect(log.verifyPage(4, log.page(4, 2))).toMatchObject({ ok: false, firstFailure: { seq: 5, reason: 'hash_mismatch' } });
  });

  it('keeps the file and its sidecars owner-only', () => {
    open().record(read('HH-1'));
    for (const f of readdirSync(dir)) expect({ f, mode: statSync(join(dir, f)).mode & 0o777 }).toEqual({ f, mode: 0o600 });
  });
});
