import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** Owner-only modes for everything in the data dir: it holds the ledger, keys and personal data. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the directory (and its parents) if need be and makes it 0700, whoever created it first.
 * Modes are set with chmod, not through mkdir's mode argument, which the umask trims: a umask of 0
 * or 022 must not change what the data dir looks like. A directory owned by someone else is left as it
 * is (chmod is refused with EPERM); the files inside stay 0600 either way.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  restrictMode(dir, PRIVATE_DIR_MODE);
}

/**
 * Creates `file` empty with mode 0600 unless it exists, then makes sure it is 0600 (files written by
 * an earlier version may be 0644). Call before SQLite opens a file: SQLite would create it 0644
 * (minus the umask), and it gives its -wal and -shm files the mode of the main file.
 */
export function ensurePrivateFile(file: string): void {
  if (!existsSync(file)) {
    try {
      const fd = openSync(file, 'wx', PRIVATE_FILE_MODE);
      try {
        fchmodSync(fd, PRIVATE_FILE_MODE); // the umask applies to openSync's mode; fchmod does not
      } finally {
        closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process won the race
    }
  }
  restrictMode(file, PRIVATE_FILE_MODE);
}

/**
 * Creates `file` (mode 0600) holding `content` unless it exists, and returns what the file holds —
 * ours, or the content of the process that created it first. Several processes start together on
 * an empty data dir: the content is written and fsynced under a private temporary name, then
 * hard-linked to `file`, so the name only ever appears complete (opening `file` itself with `wx`
 * would let another process read it while still empty, and agree on an empty secret).
 */
export function createFileOnce(file: string, content: string): string {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    return content;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(file, 'utf8');
  } finally {
    unlinkSync(tmp);
  }
}

/** chmod -wal and -shm of an open SQLite file (present when it is in WAL mode). */
export function restrictSqliteSidecars(file: string): void {
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${file}${suffix}`)) restrictMode(`${file}${suffix}`, PRIVATE_FILE_MODE);
  }
}

function restrictMode(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // EPERM: not ours (e.g. a data dir created by root for us); ENOENT: removed meanwhile (-shm at close).
    if (code !== 'EPERM' && code !== 'ENOENT') throw err;
  }
}
