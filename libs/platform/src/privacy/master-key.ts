import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '@peil/ledger';

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_FILE = 'master.key';

/**
 * The key that wraps every household data key (ADR 0007).
 * PEIL_MASTER_KEY (base64 of 32 bytes) wins; unset or empty (the convention of loadConfig) falls back
 * to `<dataDir>/master.key`, created on first start. Errors name the variable or file, never the key.
 */
export function loadMasterKey(env: { PEIL_MASTER_KEY?: string }, dataDir: string): Buffer {
  const fromEnv = env.PEIL_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return decodeKey(fromEnv, 'PEIL_MASTER_KEY');
  const file = join(dataDir, MASTER_KEY_FILE);
  return readKeyFile(file) ?? createKeyFile(dataDir, file);
}

function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return decodeKey(text, `${file} (read because PEIL_MASTER_KEY is unset)`);
}

/**
 * Several service processes may start at once on an empty data dir. The key is written and fsynced
 * under a private temporary name, then hard-linked to master.key: link() fails with EEXIST instead of
 * replacing, and the name only ever appears with its full content. (Opening master.key itself with
 * `wx` would let a second process read it while still empty.) The loser of the race reads the winner's key.
 */
function createKeyFile(dataDir: string, file: string): Buffer {
  ensurePrivateDir(dataDir);
  const key = randomBytes(MASTER_KEY_BYTES);
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE); // exactly 0600, whatever the umask
    writeSync(fd, `${key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    key.fill(0);
    const theirs = readKeyFile(file);
    if (!theirs) throw new Error(`${file} vanished while starting; check the data directory`);
    return theirs;
  } finally {
    unlinkSync(tmp);
  }
  // Losing the key after a crash would lose every household's data; make the new name durable too.
  fsyncDir(dataDir);
  return key;
}

function decodeKey(text: string, source: string): Buffer {
  const trimmed = text.trim(); // secrets files and editors add trailing newlines
  const key = Buffer.from(trimmed, 'base64');
  // Buffer.from ignores junk characters, so require that the text is exactly the key's base64.
  if (key.length !== MASTER_KEY_BYTES || key.toString('base64') !== trimmed) {
    throw new Error(`${source}: the master key must be base64 of exactly ${MASTER_KEY_BYTES} bytes`);
  }
  return key;
}

/** @internal Makes a new directory entry durable; shared with the key store. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the file itself is already durable.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
