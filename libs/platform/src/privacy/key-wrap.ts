import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { MASTER_KEY_BYTES } from './master-key';
import { KeystoreError } from './key-store';

export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** iv(12) || ciphertext(32) || tag(16): AES-256-GCM of a data key under the master key. */
export const WRAPPED_KEY_BYTES = IV_BYTES + DATA_KEY_BYTES + TAG_BYTES;

/** HKDF-SHA256 of the master key; empty salt is sound because the master key is uniformly random. */
function deriveKey(masterKey: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
}

/** The secret for content digests (ADR 0004); every process derives the same one, nothing is stored. */
export function deriveDigestKey(masterKey: Buffer): Buffer {
  return deriveKey(masterKey, 'peil-content-digest-v1');
}

/** The secret for ESSN id pseudonyms (see pseudonym.ts); its own HKDF label, so it is unrelated to the digest key. */
export function deriveEssnPseudonymKey(masterKey: Buffer): Buffer {
  return deriveKey(masterKey, 'peil-essn-pseudonym-v1');
}

/**
 * The master key and what is derived from it, held by every key store adapter: wrapping and
 * unwrapping of household data keys (the AAD is the household id, so a wrapped key copied to another
 * household's row does not unwrap), the check value that proves a store was created under this
 * master key, and the digest and pseudonym secrets. Adapters store only wrapped keys.
 */
export class MasterKeyWrap {
  private readonly masterKey: Buffer;
  private readonly contentDigestKey: Buffer;
  private readonly essnKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== MASTER_KEY_BYTES) throw new KeystoreError(`master key must be ${MASTER_KEY_BYTES} bytes`);
    this.masterKey = Buffer.from(masterKey); // our own copy: the caller may zero theirs
    this.contentDigestKey = deriveDigestKey(this.masterKey);
    this.essnKey = deriveEssnPseudonymKey(this.masterKey);
  }

  /** Derived from (not equal to) the master key; stored on a store's first open and compared on every later one. */
  checkValue(): Buffer {
    return deriveKey(this.masterKey, 'peil-keystore-check-v1');
  }

  /** Whether `stored` is this master key's check value (constant time). */
  matches(stored: Buffer | undefined): boolean {
    const check = this.checkValue();
    return stored !== undefined && stored.length === check.length && timingSafeEqual(stored, check);
  }

  /** A fresh data key, wrapped; the plain key is returned too and zeroed by the caller when done. */
  newKey(householdId: string): { key: Buffer; wrapped: Buffer } {
    const key = randomBytes(DATA_KEY_BYTES);
    return { key, wrapped: this.wrap(householdId, key) };
  }

  wrap(householdId: string, dataKey: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(householdId, 'utf8'));
    return Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  }

  unwrap(householdId: string, wrapped: Buffer): Buffer {
    if (wrapped.length !== WRAPPED_KEY_BYTES) throw new KeystoreError(`household ${householdId}: wrapped key has the wrong length`);
    const iv = wrapped.subarray(0, IV_BYTES);
    const body = wrapped.subarray(IV_BYTES, IV_BYTES + DATA_KEY_BYTES);
    const tag = wrapped.subarray(IV_BYTES + DATA_KEY_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(householdId, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new KeystoreError(`household ${householdId}: cannot unwrap the data key (wrong master key, or the keystore row was altered)`);
    }
  }

  /** HMAC key for content digests, derived with HKDF-SHA256 (info 'peil-content-digest-v1'). */
  digestKey(): Buffer {
    return Buffer.from(this.contentDigestKey);
  }

  /** HMAC key for ESSN id pseudonyms, derived with HKDF-SHA256 (info 'peil-essn-pseudonym-v1'). */
  essnPseudonymKey(): Buffer {
    return Buffer.from(this.essnKey);
  }

  destroy(): void {
    this.masterKey.fill(0);
    this.contentDigestKey.fill(0);
    this.essnKey.fill(0);
  }
}
