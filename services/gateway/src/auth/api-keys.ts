import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '@peil/config';
import { ROLES, isRole, type Role } from '@peil/platform/auth';
import { systemClock, type Clock } from '@peil/platform/clock';
import type { GatewayConfig } from '../gateway.config';
import { generateApiKey, KEY_NAME, keyId, KeyRegistry, KeyRegistryError, type ApiKey } from '@peil/platform/auth';

export { generateApiKey, KEY_NAME, keyId, type ApiKey } from '@peil/platform/auth';

export const API_KEYS_FILE_NAME = 'api-keys.json';
export const MIN_KEY_LENGTH = 24;
const MAX_KEY_LENGTH = 512;
// Visible ASCII only: anything else could not be presented in an `Authorization: Bearer` header.
const KEY_CHARS = /^[\x21-\x7e]+$/;

const FORMAT = 'a JSON object { "<role>": { "<name>": "<key>", ... } | "<key>" | ["<key>", ...] }';

/** Where the keys came from, for the start-up log line. Never includes a key. */
export interface LoadedApiKeys {
  registry: KeyRegistry;
  source: string;
}

export interface KeyLog {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * Opens `<data dir>/key-registry.sqlite`, which the gateway authenticates every request against,
 * and brings configured keys into it: PEIL_API_KEYS, else PEIL_API_KEYS_FILE (declared keys, synced
 * at every start), else — once per data dir — the keys of `<data dir>/api-keys.json`, generated on
 * first start so that the embedded profile is never open to anyone who can reach the port. That file
 * is the operator's copy; after the import it is never read for authentication again.
 */
export function loadApiKeys(config: GatewayConfig, logger: KeyLog, clock: Clock = systemClock): LoadedApiKeys {
  const registry = KeyRegistry.inDataDir(config.dataDir);
  try {
    const source = registerConfiguredKeys(config, registry, logger, clock.now().toISOString());
    if (registry.activeCount() === 0) logger.warn(`the key registry ${registry.file} holds no live key: every request will be refused`);
    return { registry, source };
  } catch (err) {
    registry.close();
    throw err;
  }
}

function registerConfiguredKeys(config: GatewayConfig, registry: KeyRegistry, logger: KeyLog, now: string): string {
  const declared = (keys: ApiKey[], origin: DeclaringOrigin, label: string): string => {
    const { added, withdrawn, stillRevoked } = inRegistry(label, () => registry.syncDeclared(keys, origin, now));
    logger.log(`API keys from ${label}: ${added} new, ${withdrawn} withdrawn (no longer declared), registry ${registry.file}`);
    for (const key of stillRevoked) logger.warn(`${label} declares key ${key}, which was revoked: it stays refused`);
    return origin;
  };
  // Declared keys live as long as their declaration: a variable no longer set declares none.
  const undeclared = (origin: DeclaringOrigin) => {
    const { withdrawn } = registry.syncDeclared([], origin, now);
    if (withdrawn > 0) logger.warn(`${origin} is no longer set: its ${withdrawn} key(s) were withdrawn`);
  };
  if (config.apiKeysJson !== undefined) {
    undeclared('PEIL_API_KEYS_FILE');
    return declared(parseApiKeysJson(config.apiKeysJson, 'PEIL_API_KEYS'), 'PEIL_API_KEYS', 'PEIL_API_KEYS');
  }
  undeclared('PEIL_API_KEYS');
  if (config.apiKeysFile !== undefined) {
    const file = config.apiKeysFile;
    const label = `PEIL_API_KEYS_FILE (${file})`;
    // A configured file that is missing is a mistake to report, not a reason to invent keys.
    if (!existsSync(file)) throw configError(label, 'file does not exist');
    warnIfShared(file, logger);
    return declared(parseApiKeysJson(readKeysFile(file, label), label), 'PEIL_API_KEYS_FILE', label);
  }
  undeclared('PEIL_API_KEYS_FILE');
  const file = join(config.dataDir, API_KEYS_FILE_NAME);
  let generated = false;
  const imported = inRegistry(file, () =>
    registry.importInitial(() => {
      generated = createKeysFile(file);
      // An api-keys.json from before the registry is imported as it is.
      if (!generated) warnIfShared(file, logger);
      return { keys: parseApiKeysJson(readKeysFile(file, file), file), origin: generated ? 'generated' : API_KEYS_FILE_NAME };
    }, now),
  );
  if (generated) logger.log(`generated one API key per role into ${file} (mode 0600); give each role's key to its users`);
  else if (imported) logger.log(`API keys imported from ${file} into the key registry ${registry.file}`);
  else logger.log(`API keys from the key registry ${registry.file}`);
  return registry.file;
}

type DeclaringOrigin = 'PEIL_API_KEYS' | 'PEIL_API_KEYS_FILE';

function inRegistry<T>(source: string, work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof KeyRegistryError) throw configError(source, err.message);
    throw err;
  }
}

/** One fresh key per role: 32 random bytes, prefixed so a leaked key is recognisable (and greppable by scanners). */
export function generateApiKeys(): Record<Role, string> {
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = generateApiKey(role);
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

/**
 * Roles known, at least one key, keys long and printable, no key shared by two roles (or listed
 * twice), names unique. A role maps to named keys `{ "<name>": "<key>" }`, or (the older forms) to
 * one key, named after the role, or a list, named `<role>-1`, `<role>-2`…
 */
export function validateApiKeys(value: unknown, source: string): ApiKey[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw configError(source, `must be ${FORMAT}`);
  const keys: ApiKey[] = [];
  const seen = new Map<string, Role>();
  const names = new Set<string>();
  for (const [role, entry] of Object.entries(value)) {
    if (!isRole(role)) throw configError(source, `unknown role "${role}"; roles are ${ROLES.join(', ')}`);
    const list: Array<[where: string, name: string, key: unknown]> =
      typeof entry === 'object' && entry !== null && !Array.isArray(entry)
        ? Object.entries(entry).map(([name, key]) => [`${role}.${name}`, name, key])
        : Array.isArray(entry)
          ? entry.map((key, i) => [`${role}[${i}]`, `${role}-${i + 1}`, key])
          : [[role, role, entry]];
    if (list.length === 0) throw configError(source, `role ${role} has an empty key list`);
    for (const [where, name, key] of list) {
      if (!KEY_NAME.test(name)) throw configError(source, `${where}: key names are 1–64 letters, digits and . _ @ -`);
      if (names.has(name)) throw configError(source, `${where}: the name ${name} is used twice`);
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
      names.add(name);
      keys.push({ role, key, id: keyId(key), name });
    }
  }
  if (keys.length === 0) throw configError(source, 'holds no keys');
  return keys;
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
