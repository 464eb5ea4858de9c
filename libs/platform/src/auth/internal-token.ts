import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileOnce, ensurePrivateDir } from '@peil/ledger';
import { ConfigError, readSecret } from '@peil/config';

/**
 * The secret the gateway presents to the services behind it. Services bind to loopback, but any
 * local process could still reach them; the token makes the gateway the only door.
 * From PEIL_INTERNAL_TOKEN or PEIL_INTERNAL_TOKEN_FILE (a mounted secret: every container of the
 * distributed profile reads the same one), else generated once into <data dir>/internal.token (mode 0600),
 * which the processes of one machine share.
 */
export function loadInternalToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = readSecret(env, 'PEIL_INTERNAL_TOKEN');
  if (configured) {
    if (configured.value.length < 32) throw new ConfigError(`invalid configuration\n  ${configured.source}: the token must be at least 32 characters`);
    return configured.value;
  }
  ensurePrivateDir(dataDir);
  const file = join(dataDir, 'internal.token');
  // Processes starting together agree on one token: the first complete file wins (never an empty one).
  const token = existsSync(file) ? readFileSync(file, 'utf8') : createFileOnce(file, randomBytes(32).toString('base64url'));
  if (token.trim() === '') throw new Error(`${file} is empty: delete it and start again`);
  return token.trim();
}

/** Constant-time comparison of secrets of any length (hashing first equalises the lengths). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
