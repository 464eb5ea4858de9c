import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile, restrictSqliteSidecars } from './private-files';

export interface OpenSqliteFileOptions {
  /** SQL run once the file is open (CREATE … IF NOT EXISTS), retried while another process holds the lock. */
  schema: string;
  busyTimeoutMs?: number;
}

/**
 * Opens (creating it and its directory if need be) a SQLite file shared by several processes, the way
 * the ledger and the embedded read store both want it: WAL, synchronous=FULL (a commit that returned
 * survives kill -9 and power loss), a 64 MiB page cache, and the schema applied. The directory is
 * made 0700 and the file, its -wal and its -shm 0600, whatever the umask.
 */
export function openSqliteFile(file: string, options: OpenSqliteFileOptions): Database.Database {
  if (file !== ':memory:') {
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
  }
  const db = new Database(file);
  // busy_timeout first: processes starting together contend for the lock that switching to WAL takes.
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  withBusyRetry(() => db.pragma('journal_mode = WAL'));
  db.pragma('synchronous = FULL');
  // 64 MiB of page cache: the ledger's eventId index takes random inserts, which a 2 MiB cache turns into reads.
  db.pragma('cache_size = -65536');
  withBusyRetry(() => db.exec(options.schema));
  // Sidecars created by an older version (or by SQLite before the main file was 0600) are fixed here.
  if (file !== ':memory:') restrictSqliteSidecars(file);
  return db;
}

/**
 * A second, read-only connection to a file openSqliteFile opened: in WAL mode it reads the last
 * committed state, never a transaction still open on the writing connection.
 */
export function openSqliteReader(file: string, busyTimeoutMs = 10_000): Database.Database {
  const db = new Database(file, { readonly: true });
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma('cache_size = -65536');
  return db;
}

/**
 * Switching a fresh file to WAL can fail with SQLITE_BUSY at once, without the busy handler, when
 * several processes open it at the same moment (the usual `npm start`); retry for a few seconds.
 */
function withBusyRetry<T>(fn: () => T): T {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (!code?.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 + Math.random() * 30);
    }
  }
}
