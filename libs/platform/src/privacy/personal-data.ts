import { decryptField, encryptField, isEncrypted } from './field-cipher';
import type { HouseholdKeys } from './key-store';

/** Shown instead of personal data whose household key was destroyed (crypto-shredded). */
export const ERASED = '[erased]';
/** Shown instead of personal data to roles that may not see it. */
export const REDACTED = '[redacted]';

/** A path held something that cannot be protected, or encrypted data has no key. Never carries values. */
export class PersonalDataError extends Error {}

/**
 * Applies field encryption to the personal-data paths of an event payload (e.g. PERSONAL_DATA_PATHS of
 * the enrolment contracts). Paths are dotted own-property names; an absent, undefined or null value
 * is left as it is, so optional fields stay optional. Every method returns a deep copy.
 * The field path itself is the AAD's field part, so each path must be spelled the same way everywhere.
 */
export class PersonalDataProtector {
  constructor(private readonly keys: HouseholdKeys) {}

  /** Encrypts each string at `paths`. A non-string there throws rather than being stored in the clear. */
  async protect<T>(householdId: string, obj: T, paths: readonly string[]): Promise<T> {
    const copy = copyOf(obj);
    const present = valuesAt(copy, paths);
    for (const [path, value] of present) {
      if (typeof value !== 'string') throw new PersonalDataError(`'${path}' holds a ${describe(value)}; only strings can be protected`);
    }
    // No key is created for a household that has nothing to protect.
    if (present.size === 0) return copy;
    const key = await this.keys.getOrCreateKey(householdId);
    for (const path of present.keys()) replaceAt(copy, path, (value) => encryptField(key, householdId, path, value as string));
    return copy;
  }

  /**
   * Decrypts each encrypted value at `paths`; values of an erased household become ERASED.
   * Plain values are returned as they are. Tampered ciphertext throws FieldDecryptionError.
   */
  async reveal<T>(householdId: string, obj: T, paths: readonly string[]): Promise<T> {
    const copy = copyOf(obj);
    const encrypted = [...valuesAt(copy, paths)].filter(([, value]) => isEncrypted(value)).map(([path]) => path);
    if (encrypted.length === 0) return copy;
    const lookup = await this.keys.lookupKey(householdId);
    for (const path of encrypted) {
      replaceAt(copy, path, (value) => {
        switch (lookup.status) {
          case 'active':
            return decryptField(lookup.key, householdId, path, value as string);
          case 'destroyed':
            return ERASED;
          case 'unknown':
            // Not "erased": a missing key with ciphertext present means a wrong data dir or a lost keystore.
            throw new PersonalDataError(`household ${householdId} has encrypted personal data but no key in the keystore`);
          default: {
            const never: never = lookup;
            return never;
          }
        }
      });
    }
    return copy;
  }

  /** Replaces every value at `paths` (encrypted or not) with REDACTED; needs no key. */
  redact<T>(obj: T, paths: readonly string[]): T {
    return this.mark(obj, paths, REDACTED);
  }

  /** Replaces every present value at `paths` with `marker` (REDACTED, ERASED); needs no key. */
  mark<T>(obj: T, paths: readonly string[], marker: string): T {
    const copy = copyOf(obj);
    for (const path of paths) replaceAt(copy, path, () => marker);
    return copy;
  }
}

type Container = Record<string, unknown>;

/**
 * A deep copy of event data (JSON values). Not structuredClone: its objects get the prototype of the
 * realm that made them, which the ledger's canonical JSON refuses as "not a plain object" when the
 * caller runs in another realm (a vm context, as under a test runner).
 */
function copyOf<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyOf) as T;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Container = {};
  for (const [key, item] of Object.entries(value)) copy[key] = copyOf(item);
  return copy as T;
}

function isContainer(node: unknown): node is Container {
  return typeof node === 'object' && node !== null;
}

/** The present (not undefined or null) values at `paths`, by path, in the order given. */
function valuesAt(root: unknown, paths: readonly string[]): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const path of paths) replaceAt(root, path, (value) => (found.set(path, value), value));
  return found;
}

/** Replaces the value at a dotted path in place; only own properties are followed, nothing is created. */
function replaceAt(root: unknown, path: string, replace: (value: unknown) => unknown): void {
  const segments = path.split('.');
  if (segments.some((s) => s === '')) throw new RangeError(`invalid personal-data path '${path}'`);
  const last = segments.pop() as string;
  let node = root;
  for (const segment of segments) {
    if (!isContainer(node) || !Object.hasOwn(node, segment)) return;
    node = node[segment];
  }
  if (!isContainer(node) || !Object.hasOwn(node, last)) return;
  const value = node[last];
  if (value === undefined || value === null) return;
  node[last] = replace(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
