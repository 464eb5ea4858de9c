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
  return write(value, '');
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
