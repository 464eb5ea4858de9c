import { createHash, randomBytes } from 'node:crypto';
import type { Role } from './roles';

/**
 * One accepted API key. `id` names the key in logs, forwarded headers and the ledger's principals
 * without revealing it; `name` says whose it is (a field system, a staff member).
 */
export interface ApiKey {
  role: Role;
  key: string;
  id: string;
  name: string;
}

/** A key's name: what `keys list` shows and `keys revoke` accepts. */
export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * A short fingerprint that tells keys apart in the ledger's principals, its default `source`/`actor`
 * and in logs (which key submitted this, which one to rotate); the registry's id of the key. 40 bits
 * of SHA-256 of a ≥ 24-character key say nothing useful about the key itself.
 */
export function keyId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 10);
}

/** A fresh key for `role`: 32 random bytes, prefixed so that a leaked key says what it is. */
export function generateApiKey(role: Role): string {
  return `peil_${role}_${randomBytes(32).toString('base64url')}`;
}
