/**
 * Canonical JSON (the JSON Canonicalization Scheme of RFC 8785, restricted to JSON values):
 * object keys sorted by UTF-16 code units, no insignificant whitespace, numbers in the
 * ECMAScript shortest round-trip form, strings escaped as JSON.stringify does.
 * An auditor with any RFC 8785 implementation reproduces the same bytes, hence the same hash.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class NotCanonicalisableError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`value at ${path || '<root>'} cannot be canonicalised: ${reason}`);
  }
}

export function canonicalJson(value: unknown): string {
  try {
    return fast(value);
  } catch (err) {
    // Only values that cannot be canonicalised throw: walk again with paths, for the error to name where.
    if (err instanceof Unrepresentable) return write(value, '');
    throw err;
  }
}

// `"name":` of member names already seen: documents and report rows repeat a few dozen names
// thousands of times. Bounded (count and length), as names may come from data.
const prefixes = new Map<string, string>();

function memberPrefix(key: string): string {
  let prefix = prefixes.get(key);
  if (prefix === undefined) {
    prefix = `${JSON.stringify(key)}:`;
    if (key.length <= 64 && prefixes.size < 4096) prefixes.set(key, prefix);
  }
  return prefix;
}

/** Thrown by the fast path; the careful path below then produces the NotCanonicalisableError. */
class Unrepresentable extends Error {}

/**
 * The same bytes as write(), without building a path per key or filtering keys in a separate pass:
 * canonical JSON is on every append's hash path and on every read-model write and report.
 */
function fast(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Unrepresentable();
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        // Parts joined once (not concatenated one by one: a long array would make a deep rope that
        // costs more to flatten than it saved). A hole prints as nothing, as join does in write().
        const parts = new Array<string>(value.length);
        for (let i = 0; i < value.length; i++) parts[i] = i in value ? fast(value[i]) : '';
        return `[${parts.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new Unrepresentable();
      const record = value as Record<string, unknown>;
      // Array.prototype.sort without a comparator orders strings by UTF-16 code units, as compareUtf16.
      const keys = Object.keys(record).sort();
      const parts: string[] = [];
      for (const k of keys) {
        const v = record[k];
        if (v !== undefined) parts.push(memberPrefix(k) + fast(v));
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new Unrepresentable();
  }
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotCanonicalisableError(path, 'non-finite number');
      // -0 and 0 both print "0", as RFC 8785 requires.
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => write(item, `${path}[${i}]`)).join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new NotCanonicalisableError(path, `not a plain object (${proto?.constructor?.name ?? 'unknown'})`);
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort(compareUtf16);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], path ? `${path}.${k}` : k)}`).join(',')}}`;
    }
    default:
      throw new NotCanonicalisableError(path, `unsupported type ${typeof value}`);
  }
}

// Array.prototype.sort's default order compares UTF-16 code units, which is what RFC 8785 asks for;
// spelled out so nobody "fixes" it to localeCompare.
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
