import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileOnce, ensurePrivateDir } from '@peil/ledger';
import { readSecret } from '@peil/config';

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_FILE = 'master.key';

/** Where the master key may come from: the variable, a secret file, else the data dir. */
export type MasterKeySource = { PEIL_MASTER_KEY?: string; PEIL_MASTER_KEY_FILE?: string };

/**
 * The key that wraps every household data key (ADR 0007). PEIL_MASTER_KEY (base64 of 32 bytes) or
 * PEIL_MASTER_KEY_FILE (a file holding it: a mounted secret) wins; with neither (empty counts as
 * unset, the convention of loadConfig) it is `<dataDir>/master.key`, created on first start — the
 * embedded profile. Errors name the variable or file, never the key.
 */
export function loadMasterKey(env: MasterKeySource, dataDir: string): Buffer {
  const configured = readSecret(env, 'PEIL_MASTER_KEY');
  if (configured) return decodeKey(configured.value, configured.source);
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
 * Several service processes may start at once on an empty data dir: createFileOnce writes the key
 * under a private name and links it into place, so master.key only ever appears whole and the loser
 * of the race reads the winner's key.
 */
function createKeyFile(dataDir: string, file: string): Buffer {
  ensurePrivateDir(dataDir);
  const key = randomBytes(MASTER_KEY_BYTES);
  const text = createFileOnce(file, `${key.toString('base64')}\n`);
  key.fill(0);
  // Losing the key after a crash would lose every household's data; make the new name durable too.
  fsyncDir(dataDir);
  return decodeKey(text, `${file} (read because PEIL_MASTER_KEY is unset)`);
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

/** @internal Makes a new directory entry durable; shared with the ledger identity files. */
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
