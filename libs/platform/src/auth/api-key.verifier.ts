import { createHash } from 'node:crypto';
import type { Role } from './roles';
import type { ApiKey } from './api-key';

/** Who presented a valid key: the role the services authorise, and which key it was. */
export interface Caller {
  role: Role;
  keyId: string;
}

/**
 * Finds the caller of a presented key by the key's SHA-256 — all the registry keeps. A lookup in a
 * map of digests costs the same with five keys or five thousand (one per staff member), which
 * matters on the path of every request. It is safe without a constant-time comparison: what its
 * timing could depend on is the digest of the presented string, never a stored key, and walking
 * from a digest's timing towards a key would need SHA-256 preimages. The presented key is hashed
 * whatever its length, so neither a raw key nor a length is ever compared.
 */
export class ApiKeyVerifier {
  private readonly byDigest: ReadonlyMap<string, Caller>;

  constructor(entries: ReadonlyArray<{ sha256: string; caller: Caller }>) {
    this.byDigest = new Map(entries.map((e) => [e.sha256, e.caller]));
  }

  static fromKeys(keys: readonly ApiKey[]): ApiKeyVerifier {
    return new ApiKeyVerifier(keys.map((k) => ({ sha256: sha256Hex(k.key), caller: { role: k.role, keyId: k.id } })));
  }

  verify(presented: string): Caller | null {
    return this.byDigest.get(sha256Hex(presented)) ?? null;
  }
}

/** The key of `Authorization: Bearer <key>`, or null when the header is absent or another scheme. */
export function bearerKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1] ?? null;
}

/** Lowercase hex SHA-256 of the UTF-8 bytes: the form the key registry stores. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
