import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { contentDigest } from './content-digest';
import { decryptField, encryptField, FieldDecryptionError, isEncrypted } from './field-cipher';
import type { HouseholdKeys, KeyLookup } from './key-store';
import { deriveDigestKey, deriveEssnPseudonymKey } from './key-wrap';
import { pseudonym } from './pseudonym';
import { loadMasterKey } from './master-key';
import { ERASED, PersonalDataError, PersonalDataProtector, REDACTED } from './personal-data';

const A = 'hh-a';
const B = 'hh-b';
const PATHS = ['participant.fullName', 'participant.phone', 'participant.birthDate'] as const;

/** Flips one bit in part `index` (2 = iv, 3 = ciphertext, 4 = tag) of an enc:v1 value. */
function tamper(value: string, index: number): string {
  const parts = value.split(':');
  const bytes = Buffer.from(parts[index] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join(':');
}

/** In-memory HouseholdKeys; returns copies as the real store does. */
class FakeKeys implements HouseholdKeys {
  readonly keys = new Map<string, Buffer | 'destroyed'>();
  created = 0;
  async getOrCreateKey(householdId: string): Promise<Buffer> {
    const found = this.keys.get(householdId);
    if (found === 'destroyed') throw new Error('destroyed');
    if (found) return Buffer.from(found);
    this.created++;
    const key = randomBytes(32);
    this.keys.set(householdId, key);
    return Buffer.from(key);
  }
  async lookupKey(householdId: string): Promise<KeyLookup> {
    const found = this.keys.get(householdId);
    if (found === undefined) return { status: 'unknown' };
    if (found === 'destroyed') return { status: 'destroyed', destroyedAt: '2025-01-01T00:00:00.000Z' };
    return { status: 'active', key: Buffer.from(found) };
  }
  destroy(householdId: string): void {
    this.keys.set(householdId, 'destroyed');
  }
}

const enrolled = () => ({
  householdId: A,
  governorate: 'Akkar',
  participant: { participantId: 'p-1', fullName: 'Rania Haddad', birthDate: '1990-04-12', phone: '+961 3 123456', sex: 'F' },
});

describe('field cipher', () => {
  const key = randomBytes(32);

  it('round-trips and produces the self-describing enc:v1 format', () => {
    const value = encryptField(key, A, 'participant.fullName', 'Rania Haddad');
    expect(value).toMatch(/^enc:v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$/);
    expect(value).not.toContain('Rania');
    expect(decryptField(key, A, 'participant.fullName', value)).toBe('Rania Haddad');
  });

  it('uses a fresh IV for every value, so equal plaintexts give different ciphertexts', () => {
    const one = encryptField(key, A, 'f', 'same');
    const two = encryptField(key, A, 'f', 'same');
    expect(one).not.toBe(two);
    expect(one.split(':')[2]).not.toBe(two.split(':')[2]);
  });

  it('round-trips the empty string', () => {
    expect(decryptField(key, A, 'f', encryptField(key, A, 'f', ''))).toBe('');
  });

  it.each([
    ['IV', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ])('detects a tampered %s', (_name, index) => {
    const value = encryptField(key, A, 'participant.phone', '+961 3 123456');
    expect(() => decryptField(key, A, 'participant.phone', tamper(value, index))).toThrow(FieldDecryptionError);
    expect(() => decryptField(key, A, 'participant.phone', tamper(value, index))).toThrow(/authentication failed|malformed/);
  });

  it('refuses a truncated tag or a malformed value', () => {
    const value = encryptField(key, A, 'f', 'x');
    expect(() => decryptField(key, A, 'f', value.slice(0, -2))).toThrow(/malformed IV or authentication tag/);
    expect(() => decryptField(key, A, 'f', 'enc:v2:a:b:c')).toThrow(/not an enc:v1: value/);
    expect(() => decryptField(key, A, 'f', 'plain text')).toThrow(FieldDecryptionError);
  });

  it('binds the ciphertext to its household (AAD): a value of household A does not decrypt as B', () => {
    const value = encryptField(key, A, 'participant.fullName', 'Rania Haddad');
    expect(() => decryptField(key, B, 'participant.fullName', value)).toThrow(FieldDecryptionError);
  });

  it('binds the ciphertext to its field path: a name cannot be moved into the phone field', () => {
    const value = encryptField(key, A, 'participant.fullName', 'Rania Haddad');
    expect(() => decryptField(key, A, 'participant.phone', value)).toThrow(FieldDecryptionError);
  });

  it('fails under another key', () => {
    const value = encryptField(key, A, 'f', 'x');
    expect(() => decryptField(randomBytes(32), A, 'f', value)).toThrow(FieldDecryptionError);
  });

  it('never puts the plaintext or the key into an error message', () => {
    const value = encryptField(key, A, 'participant.fullName', 'Rania Haddad');
    const message = (() => {
      try {
        decryptField(key, B, 'participant.fullName', value);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toContain('participant.fullName');
    expect(message).not.toContain('Rania');
    expect(message).not.toContain(key.toString('base64'));
    expect(message).not.toContain(key.toString('hex'));
  });

  it('refuses keys of the wrong size, ambiguous household ids and lone surrogates', () => {
    expect(() => encryptField(randomBytes(16), A, 'f', 'x')).toThrow(/32 bytes/);
    expect(() => encryptField(key, 'a|b', 'f', 'x')).toThrow(/must not contain/);
    expect(() => encryptField(key, '', 'f', 'x')).toThrow(/non-empty/);
    expect(() => encryptField(key, A, 'f', 'bad \uD800 surrogate')).toThrow(/lone surrogate/);
  });

  it('isEncrypted recognises only complete enc:v1 values', () => {
    expect(isEncrypted(encryptField(key, A, 'f', 'x'))).toBe(true);
    expect(isEncrypted('enc:v1:')).toBe(false);
    expect(isEncrypted('enc:v1:a:b')).toBe(false);
    expect(isEncrypted('Rania')).toBe(false);
    expect(isEncrypted(42)).toBe(false);
    expect(isEncrypted(null)).toBe(false);
    expect(isEncrypted(undefined)).toBe(false);
  });

  describe('properties', () => {
    const unicode = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string());

    it('decrypt(encrypt(s)) = s for arbitrary Unicode strings, household ids and field paths', () => {
      fc.assert(
        fc.property(unicode, fc.string({ minLength: 1 }).filter((s) => !s.includes('|')), unicode, (plain, hh, path) => {
          const value = encryptField(key, hh, path, plain);
          return isEncrypted(value) && decryptField(key, hh, path, value) === plain;
        }),
        { numRuns: 300 },
      );
    });

    it('a ciphertext never decrypts for another household or field', () => {
      fc.assert(
        fc.property(unicode, fc.uuid(), fc.uuid(), fc.constantFrom(...PATHS), fc.constantFrom(...PATHS), (plain, h1, h2, p1, p2) => {
          fc.pre(h1 !== h2 || p1 !== p2);
          const value = encryptField(key, h1, p1, plain);
          expect(() => decryptField(key, h2, p2, value)).toThrow(FieldDecryptionError);
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe('PersonalDataProtector', () => {
  it('protect encrypts the listed string paths in a deep copy and leaves everything else alone', async () => {
    const keys = new FakeKeys();
    const protector = new PersonalDataProtector(keys);
    const original = enrolled();
    const protectedData = await protector.protect(A, original, PATHS);

    expect(original).toEqual(enrolled()); // input not mutated
    for (const path of PATHS) {
      const field = path.split('.')[1] as 'fullName' | 'phone' | 'birthDate';
      expect(isEncrypted(protectedData.participant[field])).toBe(true);
    }
    expect(protectedData.participant.participantId).toBe('p-1');
    expect(protectedData.participant.sex).toBe('F');
    expect(protectedData.governorate).toBe('Akkar');
    expect(JSON.stringify(protectedData)).not.toMatch(/Rania|1990-04-12|123456/);
  });

  it('reveal reverses protect', async () => {
    const protector = new PersonalDataProtector(new FakeKeys());
    expect(await protector.reveal(A, await protector.protect(A, enrolled(), PATHS), PATHS)).toEqual(enrolled());
  });

  it('leaves missing optional paths absent (and null as null) in protect, reveal and redact', async () => {
    const keys = new FakeKeys();
    const protector = new PersonalDataProtector(keys);
    const { phone: _omitted, ...participant } = enrolled().participant;
    const noPhone = { ...enrolled(), participant: { ...participant, birthDate: null as string | null } };

    const protectedData = await protector.protect(A, noPhone, PATHS);
    expect('phone' in protectedData.participant).toBe(false);
    expect(protectedData.participant.birthDate).toBeNull();
    expect('phone' in (await protector.reveal(A, protectedData, PATHS)).participant).toBe(false);
    expect('phone' in protector.redact(protectedData, PATHS).participant).toBe(false);
    expect(await protector.protect(A, { other: 1 }, PATHS)).toEqual({ other: 1 });
  });

  it('creates no key when there is nothing to protect', async () => {
    const keys = new FakeKeys();
    await new PersonalDataProtector(keys).protect(A, { governorate: 'Akkar' }, PATHS);
    expect(keys.created).toBe(0);
  });

  it('refuses to store a non-string personal value in the clear', async () => {
    const protector = new PersonalDataProtector(new FakeKeys());
    const bad = { participant: { fullName: 'x', birthDate: 19900412 } };
    await expect(protector.protect(A, bad, PATHS)).rejects.toThrow(PersonalDataError);
    await expect(protector.protect(A, bad, PATHS)).rejects.toThrow(/participant.birthDate' holds a number/);
  });

  it('does not follow inherited properties', async () => {
    const protector = new PersonalDataProtector(new FakeKeys());
    expect(await protector.protect(A, {}, ['constructor.name'])).toEqual({});
    await expect(protector.protect(A, {}, ['participant..name'])).rejects.toThrow(/invalid personal-data path/);
  });

  it('reveal shows "[erased]" once the household key is destroyed', async () => {
    const keys = new FakeKeys();
    const protector = new PersonalDataProtector(keys);
    const protectedData = await protector.protect(A, enrolled(), PATHS);
    keys.destroy(A);
    const revealed = await protector.reveal(A, protectedData, PATHS);
    expect(revealed.participant).toEqual({ ...enrolled().participant, fullName: ERASED, birthDate: ERASED, phone: ERASED });
  });

  it('reveal throws, rather than pretending erasure, when ciphertext has no key at all', async () => {
    const keys = new FakeKeys();
    const protectedData = await new PersonalDataProtector(keys).protect(A, enrolled(), PATHS);
    await expect(new PersonalDataProtector(new FakeKeys()).reveal(A, protectedData, PATHS)).rejects.toThrow(/no key in the keystore/);
  });

  it('reveal refuses data moved from household A to household B', async () => {
    const keys = new FakeKeys();
    const protector = new PersonalDataProtector(keys);
    await keys.getOrCreateKey(B);
    const ofA = await protector.protect(A, enrolled(), PATHS);
    await expect(protector.reveal(B, ofA, PATHS)).rejects.toThrow(FieldDecryptionError);
  });

  it('reveal passes plain values through untouched', async () => {
    const protector = new PersonalDataProtector(new FakeKeys());
    expect(await protector.reveal(A, enrolled(), PATHS)).toEqual(enrolled());
  });

  it('redact replaces personal values, encrypted or not, without a key', async () => {
    const keys = new FakeKeys();
    const protector = new PersonalDataProtector(keys);
    const expected = { ...enrolled().participant, fullName: REDACTED, birthDate: REDACTED, phone: REDACTED };
    expect(protector.redact(enrolled(), PATHS).participant).toEqual(expected);
    const protectedData = await protector.protect(A, enrolled(), PATHS);
    expect(protector.redact(protectedData, PATHS).participant).toEqual(expected);
  });
});

describe('contentDigest', () => {
  const key = randomBytes(32);

  it('is hex HMAC-SHA256 that ignores key order (canonical JSON)', () => {
    const digest = contentDigest(key, { type: 'T', data: { b: 1, a: 'x' } });
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(contentDigest(key, { data: { a: 'x', b: 1 }, type: 'T' })).toBe(digest);
  });

  it('differs when content or key differs', () => {
    const digest = contentDigest(key, { birthDate: '1990-04-12' });
    expect(contentDigest(key, { birthDate: '1990-04-13' })).not.toBe(digest);
    expect(contentDigest(randomBytes(32), { birthDate: '1990-04-12' })).not.toBe(digest);
  });

  it('is not the plain SHA-256 that anyone could recompute', () => {
    const plain = createHash('sha256').update('{"birthDate":"1990-04-12"}').digest('hex');
    expect(contentDigest(key, { birthDate: '1990-04-12' })).not.toBe(plain);
  });

  it('refuses short keys', () => {
    expect(() => contentDigest(randomBytes(16), {})).toThrow(/at least 32 bytes/);
  });
});

describe('deriveDigestKey', () => {
  it('is HKDF-SHA256 of the master key with info peil-content-digest-v1, the same in every process', () => {
    const master = randomBytes(32);
    const expected = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'peil-content-digest-v1', 32));
    expect(deriveDigestKey(master).equals(expected)).toBe(true);
    expect(deriveDigestKey(Buffer.from(master)).equals(deriveDigestKey(master))).toBe(true);
    expect(deriveDigestKey(master).equals(master)).toBe(false);
  });
});

describe('ESSN pseudonyms', () => {
  const master = randomBytes(32);
  const key = deriveEssnPseudonymKey(master);

  it('use HKDF-SHA256 of the master key with their own label, unrelated to the digest key', () => {
    expect(key.equals(Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'peil-essn-pseudonym-v1', 32)))).toBe(true);
    expect(key.equals(deriveDigestKey(master))).toBe(false);
    expect(deriveEssnPseudonymKey(Buffer.from(master)).equals(key)).toBe(true);
  });

  it('are equal for equal ids, and not the plain SHA-256 anyone could compute from a guessed id', () => {
    expect(pseudonym(key, 'ESSN-88231')).toMatch(/^[0-9a-f]{64}$/);
    expect(pseudonym(key, 'ESSN-88231')).toBe(pseudonym(deriveEssnPseudonymKey(Buffer.from(master)), 'ESSN-88231'));
    expect(pseudonym(key, 'ESSN-88231')).not.toBe(createHash('sha256').update('ESSN-88231').digest('hex'));
    expect(pseudonym(deriveEssnPseudonymKey(randomBytes(32)), 'ESSN-88231')).not.toBe(pseudonym(key, 'ESSN-88231'));
    expect(() => pseudonym(randomBytes(16), 'x')).toThrow(/at least 32 bytes/);
  });

  it('differ for different ids (property)', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
      fc.pre(a !== b);
      return pseudonym(key, a) !== pseudonym(key, b);
    }), { numRuns: 200, seed: 37 });
  });
});

describe('loadMasterKey from PEIL_MASTER_KEY', () => {
  const nowhere = '/nonexistent/peil-data-dir-never-created';

  it('accepts base64 of exactly 32 bytes, with surrounding whitespace', () => {
    const key = randomBytes(32);
    expect(loadMasterKey({ PEIL_MASTER_KEY: key.toString('base64') }, nowhere).equals(key)).toBe(true);
    expect(loadMasterKey({ PEIL_MASTER_KEY: ` ${key.toString('base64')}\n` }, nowhere).equals(key)).toBe(true);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(33).toString('base64')],
    ['not base64', '!'.repeat(44)],
    ['base64 with junk', `${randomBytes(32).toString('base64')}#`],
  ])('rejects a key that is %s, naming the variable but not the value', (_why, value) => {
    let message = '';
    try {
      loadMasterKey({ PEIL_MASTER_KEY: value }, nowhere);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PEIL_MASTER_KEY');
    expect(message).toContain('32 bytes');
    expect(message).not.toContain(value.trim());
  });
});
