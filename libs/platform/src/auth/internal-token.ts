import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '@peil/ledger';

/**
 * The secret the gateway presents to the services behind it. Services bind to loopback, but any
 * local process could still reach them; the token makes the gateway the only door.
 * From PEIL_INTERNAL_TOKEN, else generated once into <data dir>/internal.token (mode 0600).
 */
export function loadInternalToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.PEIL_INTERNAL_TOKEN;
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('PEIL_INTERNAL_TOKEN: must be at least 32 characters');
    return fromEnv;
  }
  ensurePrivateDir(dataDir);
  const file = join(dataDir, 'internal.token');
  try {
    // 'wx' fails when the file exists, so processes starting together agree on one token.
    writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: PRIVATE_FILE_MODE });
    chmodSync(file, PRIVATE_FILE_MODE); // the umask trims writeFileSync's mode
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8').trim();
}

/** Constant-time comparison of secrets of any length (hashing first equalises the lengths). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
