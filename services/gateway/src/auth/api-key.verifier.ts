import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '@peil/platform';
import type { ApiKey } from './api-key';

/** Who presented a valid key: the role the services authorise, and which key it was. */
export interface Caller {
  role: Role;
  keyId: string;
}

/**
 * Checks a presented key against every live key in constant time. The presented key is hashed
 * and compared with the keys' SHA-256 digests (all the registry keeps), so the comparison never
 * depends on the lengths, and every key is compared on every request (no early exit), so timing
 * says neither how close a guess came nor which role matched.
 */
export class ApiKeyVerifier {
  constructor(private readonly entries: ReadonlyArray<{ sha256: Buffer; caller: Caller }>) {}

  static fromKeys(keys: readonly ApiKey[]): ApiKeyVerifier {
    return new ApiKeyVerifier(keys.map((k) => ({ sha256: sha256(k.key), caller: { role: k.role, keyId: k.id } })));
  }

  verify(presented: string): Caller | null {
    const digest = sha256(presented);
    let match: Caller | null = null;
    for (const entry of this.entries) {
      const equal = timingSafeEqual(digest, entry.sha256);
      match = equal ? entry.caller : match;
    }
    return match;
  }
}

/** The key of `Authorization: Bearer <key>`, or null when the header is absent or another scheme. */
export function bearerKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1] ?? null;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
