import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, ROLES, isRole, type Role } from '@peil/platform';
import type { GatewayConfig } from '../gateway.config';

/** One accepted API key. `id` names the key in logs and forwarded headers without revealing it. */
export interface ApiKey {
  role: Role;
  key: string;
  id: string;
}

export const API_KEYS_FILE_NAME = 'api-keys.json';
export const MIN_KEY_LENGTH = 24;
const MAX_KEY_LENGTH = 512;
// Visible ASCII only: anything else could not be presented in an `Authorization: Bearer` header.
const KEY_CHARS = /^[\x21-\x7e]+$/;

const FORMAT = 'a JSON object { "<role>": "<key>" | ["<key>", ...] }';

/** Where the keys came from, for the start-up log line. Never includes a key. */
export interface LoadedApiKeys {
  keys: ApiKey[];
  source: string;
}

export interface KeyLog {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * PEIL_API_KEYS, else PEIL_API_KEYS_FILE, else `<data dir>/api-keys.json` — generated on first
 * start so that the embedded profile is never open to anyone who can reach the port.
 */
export function loadApiKeys(config: GatewayConfig, logger: KeyLog): LoadedApiKeys {
  if (config.apiKeysJson !== undefined) {
    const keys = parseApiKeysJson(config.apiKeysJson, 'PEIL_API_KEYS');
    logger.log('API keys from PEIL_API_KEYS');
    return { keys, source: 'PEIL_API_KEYS' };
  }
  if (config.apiKeysFile !== undefined) {
    const file = config.apiKeysFile;
    const label = `PEIL_API_KEYS_FILE (${file})`;
    // A configured file that is missing is a mistake to report, not a reason to invent keys.
    if (!existsSync(file)) throw configError(label, 'file does not exist');
    warnIfShared(file, logger);
    logger.log(`API keys from ${file}`);
    return { keys: parseApiKeysJson(readKeysFile(file, label), label), source: file };
  }
  const file = join(config.dataDir, API_KEYS_FILE_NAME);
  if (createKeysFile(file)) {
    logger.log(`generated one API key per role into ${file} (mode 0600); give each role's key to its users`);
  } else {
    warnIfShared(file, logger);
    logger.log(`API keys from ${file}`);
  }
  return { keys: parseApiKeysJson(readKeysFile(file, file), file), source: file };
}

/** One fresh key per role: 32 random bytes, prefixed so a leaked key is recognisable (and greppable by scanners). */
export function generateApiKeys(): Record<Role, string> {
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = `peil_${role}_${randomBytes(32).toString('base64url')}`;
  return keys;
}

/**
 * Creates `file` with freshly generated keys; false when it already exists. 'wx' makes creation
 * exclusive, so two processes starting together never overwrite each other's keys.
 */
export function createKeysFile(file: string): boolean {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    // The umask may have taken bits off (or a strange one left too few): set exactly owner read/write.
    fchmodSync(fd, 0o600);
    writeSync(fd, `${JSON.stringify(generateApiKeys(), null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

export function parseApiKeysJson(text: string, source: string): ApiKey[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message may quote the text, which holds secrets.
    throw configError(source, `must be ${FORMAT}; it is not valid JSON`);
  }
  return validateApiKeys(value, source);
}

/** Roles known, at least one key, keys long and printable, no key shared by two roles (or listed twice). */
export function validateApiKeys(value: unknown, source: string): ApiKey[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw configError(source, `must be ${FORMAT}`);
  const keys: ApiKey[] = [];
  const seen = new Map<string, Role>();
  for (const [role, entry] of Object.entries(value)) {
    if (!isRole(role)) throw configError(source, `unknown role "${role}"; roles are ${ROLES.join(', ')}`);
    const list: unknown[] = Array.isArray(entry) ? entry : [entry];
    if (list.length === 0) throw configError(source, `role ${role} has an empty key list`);
    list.forEach((key, i) => {
      const where = Array.isArray(entry) ? `${role}[${i}]` : role;
      if (typeof key !== 'string') throw configError(source, `${where} must be a string`);
      if (key.length < MIN_KEY_LENGTH || key.length > MAX_KEY_LENGTH) {
        throw configError(source, `${where} must be ${MIN_KEY_LENGTH} to ${MAX_KEY_LENGTH} characters long`);
      }
      if (!KEY_CHARS.test(key)) throw configError(source, `${where} must be visible ASCII characters without spaces`);
      const owner = seen.get(key);
      if (owner !== undefined) {
        throw configError(source, owner === role ? `${where} is listed twice` : `roles ${owner} and ${role} share a key; each role needs its own`);
      }
      seen.set(key, role);
      keys.push({ role, key, id: keyId(key) });
    });
  }
  if (keys.length === 0) throw configError(source, 'holds no keys');
  return keys;
}

/**
 * A short fingerprint that tells keys of one role apart in the ledger's `source`/`actor` and in
 * logs (which key submitted this, which one to rotate). 40 bits of SHA-256 of a ≥ 24-character
 * key say nothing useful about the key itself.
 */
export function keyId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 10);
}

function readKeysFile(file: string, label: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw configError(label, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function warnIfShared(file: string, logger: KeyLog): void {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) logger.warn(`${file} is readable by other users (mode 0${mode.toString(8)}); chmod 600 it`);
}

function configError(source: string, message: string): ConfigError {
  return new ConfigError(`invalid configuration\n  ${source}: ${message}`);
}
