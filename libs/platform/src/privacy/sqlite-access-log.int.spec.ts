import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectOwnerOnly } from '@peil/testing';
import { ManualClock } from '../clock/clock';
import { accessLogContract } from './access-log.contract';
import { ACCESS_LOG_FILE, openSqliteAccessLog } from './sqlite-access-log';

/** Opens the file as an intruder would: with the append-only triggers dropped. */
function tamper(dir: string, sql: string, ...params: unknown[]): void {
  const db = new Database(join(dir, ACCESS_LOG_FILE));
  db.exec('DROP TRIGGER IF EXISTS access_log_no_update; DROP TRIGGER IF EXISTS access_log_no_delete;');
  db.prepare(sql).run(...params);
  db.close();
}

const COLUMNS: Record<string, string> = { at: 'at', principal: 'principal', role: 'role', requestId: 'request_id', householdId: 'household_id', fields: 'fields', prevHash: 'prev_hash', hash: 'hash' };

accessLogContract('SQLite access log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peil-access-log-'));
  return {
    open: async (clock) => openSqliteAccessLog(dir, clock),
    alter: async (seq, change) => {
      for (const [field, value] of Object.entries(change)) {
        tamper(dir, `UPDATE access_log SET ${COLUMNS[field]} = ? WHERE seq = ?`, Array.isArray(value) ? JSON.stringify(value) : value, seq);
      }
    },
    remove: async (seq) => tamper(dir, 'DELETE FROM access_log WHERE seq = ?', seq),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SQLite access log file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peil-access-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const record = { principal: 'ngo:0a1b2c3d4e', role: 'ngo', requestId: 'req-1', householdId: 'HH-1', fields: ['essnId'] };

  it('refuses UPDATE and DELETE through SQLite (append-only)', async () => {
    const log = openSqliteAccessLog(dir, new ManualClock(new Date('2026-03-01T08:00:00Z')));
    await log.record(record);
    await log.close();
    const db = new Database(join(dir, ACCESS_LOG_FILE));
    expect(() => db.prepare("UPDATE access_log SET principal = 'nobody'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM access_log').run()).toThrow(/append-only/);
    db.close();
  });

  it('reports an entry whose fields are not a JSON array as unreadable', async () => {
    const log = openSqliteAccessLog(dir, new ManualClock(new Date('2026-03-01T08:00:00Z')));
    await log.record(record);
    tamper(dir, "UPDATE access_log SET fields = '{' WHERE seq = 1");
    expect((await log.verify()).firstFailure).toMatchObject({ seq: 1, reason: 'unreadable' });
    await log.close();
  });

  it('keeps the file and its sidecars owner-only', async () => {
    const log = openSqliteAccessLog(dir, new ManualClock(new Date('2026-03-01T08:00:00Z')));
    await log.record(record);
    expectOwnerOnly(readdirSync(dir).map((f) => join(dir, f)));
    await log.close();
  });
});
