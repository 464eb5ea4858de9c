import { decryptField, encryptField, isEncrypted } from './field-cipher';
import type { HouseholdKeys, KeyLookup } from './key-store';

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
  protect<T>(householdId: string, obj: T, paths: readonly string[]): T {
    const copy = copyOf(obj);
    let key: Buffer | undefined;
    for (const path of paths) {
      replaceAt(copy, path, (value) => {
        if (typeof value !== 'string') {
          throw new PersonalDataError(`'${path}' holds a ${describe(value)}; only strings can be protected`);
        }
        key ??= this.keys.getOrCreateKey(householdId);
        return encryptField(key, householdId, path, value);
      });
    }
    return copy;
  }

  /**
   * Decrypts each encrypted value at `paths`; values of an erased household become ERASED.
   * Plain values are returned as they are. Tampered ciphertext throws FieldDecryptionError.
   */
  reveal<T>(householdId: string, obj: T, paths: readonly string[]): T {
    const copy = copyOf(obj);
    let lookup: KeyLookup | undefined;
    for (const path of paths) {
      replaceAt(copy, path, (value) => {
        if (!isEncrypted(value)) return value;
        lookup ??= this.keys.lookupKey(householdId);
        switch (lookup.status) {
          case 'active':
            return decryptField(lookup.key, householdId, path, value);
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
