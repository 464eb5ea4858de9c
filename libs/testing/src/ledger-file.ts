import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The embedded ledger of a data dir, and the files SQLite keeps it in (main file, WAL). */
export const ledgerPath = (dataDir: string): string => join(dataDir, 'ledger.sqlite');

/**
 * With the system stopped: moves every committed page from the WAL into the main file and empties
 * the WAL, so the main file alone holds the ledger. Editing bytes of the main file while a frame of
 * the same page waits in the WAL would edit a copy SQLite never reads.
 */
export function checkpointLedger(dataDir: string): void {
  const db = new Database(ledgerPath(dataDir));
  try {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    if (!result || result.busy !== 0) throw new Error('the ledger is in use: stop the system before editing its file');
  } finally {
    db.close();
  }
  const wal = `${ledgerPath(dataDir)}-wal`;
  if (existsSync(wal) && readFileSync(wal).length > 0) throw new Error('the WAL still holds frames after a checkpoint');
}

/**
 * As a hex editor would, on a stopped system: checkpoints the WAL, then overwrites, in the main file,
 * every occurrence of `needle` with `replacement` (same length). Returns how many there were: a
 * page SQLite freed or split may keep a stale copy, so the caller asserts on what the ledger then
 * reads, not on this count.
 */
export function editLedgerBytes(dataDir: string, needle: string, replacement: string): number {
  if (Buffer.byteLength(needle) !== Buffer.byteLength(replacement)) throw new Error('a byte edit keeps the length');
  checkpointLedger(dataDir);
  const file = ledgerPath(dataDir);
  const bytes = readFileSync(file);
  const from = Buffer.from(needle);
  const to = Buffer.from(replacement);
  let count = 0;
  for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + to.length)) {
    to.copy(bytes, at);
    count += 1;
  }
  writeFileSync(file, bytes);
  return count;
}

/**
 * Runs SQL on the ledger behind the services' backs, with its guard triggers (no UPDATE, no DELETE)
 * dropped first — an attacker with file access. Through SQLite, so running services see the change
 * on their next read, whether it lands in the WAL or the main file.
 */
export function tamperLedgerSql(dataDir: string, sql: string): void {
  const db = new Database(ledgerPath(dataDir));
  try {
    db.pragma('busy_timeout = 10000');
    db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;');
    db.exec(sql);
  } finally {
    db.close();
  }
}
