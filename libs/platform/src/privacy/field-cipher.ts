import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Field-level encryption of personal data (ADR 0007): AES-256-GCM under the household's data key.
 * The value is self-describing (`enc:v1:<iv>:<ciphertext>:<tag>`, base64url parts) so a reader can
 * tell encrypted from plain values and a later format can coexist with v1.
 */
export const FIELD_CIPHER_PREFIX = 'enc:v1:';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = '[A-Za-z0-9_-]*';
const ENCRYPTED = new RegExp(`^enc:v1:(${B64URL}):(${B64URL}):(${B64URL})$`);
// A lone surrogate cannot be encoded as UTF-8; it would silently come back as U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Decryption failed. The message names household and field, never the value or the key. */
export class FieldDecryptionError extends Error {
  constructor(readonly householdId: string, readonly fieldPath: string, reason: string) {
    super(`cannot decrypt field '${fieldPath}' of household ${householdId}: ${reason}`);
  }
}

export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && ENCRYPTED.test(value);
}

export function encryptField(key: Buffer, householdId: string, fieldPath: string, plaintext: string): string {
  const aad = additionalData(key, householdId, fieldPath);
  if (LONE_SURROGATE.test(plaintext)) {
    throw new TypeError(`field '${fieldPath}' is not well-formed Unicode (lone surrogate); refusing to encrypt`);
  }
  const iv = freshIv(); // fresh per value: GCM must never reuse an IV under one key
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `${FIELD_CIPHER_PREFIX}${b64url(iv)}:${b64url(ciphertext)}:${b64url(tag)}`;
}

export function decryptField(key: Buffer, householdId: string, fieldPath: string, value: string): string {
  const aad = additionalData(key, householdId, fieldPath);
  const match = ENCRYPTED.exec(value);
  if (!match) throw new FieldDecryptionError(householdId, fieldPath, `not an ${FIELD_CIPHER_PREFIX} value`);
  const [, ivPart = '', ctPart = '', tagPart = ''] = match;
  const iv = Buffer.from(ivPart, 'base64url');
  const tag = Buffer.from(tagPart, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new FieldDecryptionError(householdId, fieldPath, 'malformed IV or authentication tag');
  }
  // authTagLength pins the tag to 16 bytes, so a truncated tag cannot weaken the check.
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ctPart, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new FieldDecryptionError(
      householdId,
      fieldPath,
      'authentication failed (value altered, moved from another household or field, or wrong key)',
    );
  }
}

/**
 * AAD binds a ciphertext to its household and field, so it cannot be copied elsewhere and still decrypt.
 * `|` separates the two; a household id containing `|` would make the pair ambiguous, so it is refused.
 */
function additionalData(key: Buffer, householdId: string, fieldPath: string): Buffer {
  if (key.length !== KEY_BYTES) throw new RangeError(`data key must be ${KEY_BYTES} bytes`);
  if (householdId === '' || householdId.includes('|')) {
    throw new RangeError('household id must be non-empty and must not contain "|"');
  }
  return Buffer.from(`${householdId}|${fieldPath}`, 'utf8');
}

// IVs are cut from a block of CSPRNG output, each 12 bytes used once: one randomBytes call per
// IV cost about a third of encrypting a field, and an enrolment encrypts several. (Services are
// spawned, never forked, so no two processes ever hold the same block.)
const IV_POOL_BYTES = IV_BYTES * 1024;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;

function freshIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}
