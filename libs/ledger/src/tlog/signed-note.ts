import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys, as the Go checksum database and
 * the transparency-log witness network use it. A note is UTF-8 text ending in a newline, a blank line,
 * then signature lines `— <key name> <base64(4-byte key hash ‖ signature)>`.
 *
 *   verifier key: <name>+<8 hex key hash>+<base64(0x01 ‖ 32-byte public key)>
 *   signer key:   PRIVATE+KEY+<name>+<8 hex key hash>+<base64(0x01 ‖ 32-byte seed)>
 *   key hash:     first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)
 */

const ALG_ED25519 = 0x01;
const SIG_PREFIX = '— ';
/** DER wrappers that turn a raw Ed25519 seed / public key into PKCS#8 / SPKI for node:crypto. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const MAX_NOTE_BYTES = 1_000_000;
const MAX_SIGNATURES = 100;

export class NoteError extends Error {}

export interface NoteVerifier {
  name: string;
  keyHash: number;
  publicKey: Buffer;
  /** The verifier key text it was parsed from (or would be written as). */
  text: string;
}

export interface NoteSigner {
  name: string;
  keyHash: number;
  verifier: NoteVerifier;
  sign(message: Buffer): Buffer;
}

/** A key name: non-empty, no '+', no spaces or other Unicode whitespace, no control characters. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[+\s\p{Cc}]/u.test(name);
}

export function keyHash(name: string, publicKey: Buffer): number {
  const digest = createHash('sha256').update(name, 'utf8').update('\n').update(Buffer.from([ALG_ED25519])).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

function strictBase64(text: string, what: string): Buffer {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) throw new NoteError(`${what} is not standard padded base64`);
  return Buffer.from(text, 'base64');
}

/** Parses `<name>+<hash>+<base64>`, checking the algorithm byte, the key length and the hash. */
function parseKeyFields(name: string, hash: string, material: string, what: string): { keyHash: number; key: Buffer } {
  if (!isValidKeyName(name)) throw new NoteError(`${what}: invalid key name`);
  if (!/^[0-9a-f]{8}$/.test(hash)) throw new NoteError(`${what}: key hash must be 8 lower-case hex digits`);
  const raw = strictBase64(material, what);
  if (raw.length !== 33 || raw[0] !== ALG_ED25519) throw new NoteError(`${what}: not an Ed25519 key (algorithm byte 0x01, 32 bytes)`);
  return { keyHash: parseInt(hash, 16), key: raw.subarray(1) };
}

/** Splits at the first count-1 '+' signs: the key material is base64, which may itself contain '+'. */
function splitKey<N extends 3 | 5>(text: string, count: N): (N extends 3 ? [string, string, string] : [string, string, string, string, string]) | undefined {
  const parts: string[] = [];
  let rest = text;
  for (let i = 1; i < count; i++) {
    const plus = rest.indexOf('+');
    if (plus < 0) return undefined;
    parts.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  parts.push(rest);
  return parts as never;
}

export function verifierKeyText(name: string, publicKey: Buffer): string {
  return `${name}+${hex8(keyHash(name, publicKey))}+${Buffer.concat([Buffer.from([ALG_ED25519]), publicKey]).toString('base64')}`;
}

export function parseVerifierKey(text: string): NoteVerifier {
  const trimmed = text.trim();
  const parts = splitKey(trimmed, 3);
  if (!parts) throw new NoteError('verifier key must be <name>+<hash>+<key>');
  const [name, hash, material] = parts;
  const { keyHash: claimed, key } = parseKeyFields(name, hash, material, 'verifier key');
  if (keyHash(name, key) !== claimed) throw new NoteError('verifier key: key hash does not match name and key');
  return { name, keyHash: claimed, publicKey: Buffer.from(key), text: trimmed };
}

export function parseSignerKey(text: string): NoteSigner {
  const parts = splitKey(text.trim(), 5);
  if (!parts || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new NoteError('signer key must be PRIVATE+KEY+<name>+<hash>+<key>');
  const [, , name, hash, material] = parts;
  const { keyHash: claimed, key: seed } = parseKeyFields(name, hash, material, 'signer key');
  return signerFromSeed(name, Buffer.from(seed), claimed);
}

export function signerFromSeed(name: string, seed: Buffer, claimedHash?: number): NoteSigner {
  if (!isValidKeyName(name)) throw new NoteError('signer key: invalid key name');
  if (seed.length !== 32) throw new NoteError('signer key: an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  const hash = keyHash(name, publicKey);
  if (claimedHash !== undefined && claimedHash !== hash) throw new NoteError('signer key: key hash does not match name and key');
  return {
    name,
    keyHash: hash,
    verifier: { name, keyHash: hash, publicKey, text: verifierKeyText(name, publicKey) },
    sign: (message) => sign(null, message, privateKey),
  };
}

export function signerKeyText(name: string, seed: Buffer): string {
  const { keyHash: hash } = signerFromSeed(name, seed);
  return `PRIVATE+KEY+${name}+${hex8(hash)}+${Buffer.concat([Buffer.from([ALG_ED25519]), seed]).toString('base64')}`;
}

/** A fresh Ed25519 key pair for `name`, as signer-key text. */
export function generateSignerKey(name: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  return signerKeyText(name, seed);
}

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('note text must end in a newline');
  if (Buffer.byteLength(text, 'utf8') > MAX_NOTE_BYTES) throw new NoteError('note text is too long');
  // A blank line inside the text would make the signature block ambiguous.
  if (text.includes('\n\n') || text.startsWith('\n')) throw new NoteError('note text must not contain a blank line');
}

/** The note: text, a blank line, one signature line. */
export function signNote(text: string, signer: NoteSigner): string {
  checkText(text);
  const signature = signer.sign(Buffer.from(text, 'utf8'));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(signer.keyHash >>> 0);
  return `${text}\n${SIG_PREFIX}${signer.name} ${Buffer.concat([head, signature]).toString('base64')}\n`;
}

export interface NoteSignature {
  name: string;
  keyHash: number;
  signature: Buffer;
}

/** Splits a note into its text and signature lines, without checking any signature. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw new NoteError('note is too long');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no signature block (blank line)');
  const text = note.slice(0, split + 1);
  checkText(text);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) throw new NoteError('signature block must end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError('too many signatures');
  const signatures = lines.map((line): NoteSignature => {
    if (!line.startsWith(SIG_PREFIX)) throw new NoteError('malformed signature line');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, space);
    if (space < 0 || !isValidKeyName(name)) throw new NoteError('malformed signature line');
    const raw = strictBase64(rest.slice(space + 1), 'signature');
    if (raw.length < 5) throw new NoteError('signature is too short');
    return { name, keyHash: raw.readUInt32BE(0), signature: raw.subarray(4) };
  });
  return { text, signatures };
}

/**
 * Checks a note against trusted verifiers. Ok when at least one known key signed it and every
 * signature by a known key verifies; signatures by unknown keys are ignored (they may be witnesses'
 * cosignatures), as the spec requires.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): { text: string; verifiedBy: string[] } {
  const { text, signatures } = parseNote(note);
  const verifiedBy: string[] = [];
  const message = Buffer.from(text, 'utf8');
  for (const sig of signatures) {
    const key = verifiers.find((v) => v.name === sig.name && v.keyHash === sig.keyHash);
    if (!key) continue;
    const publicKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519, key.publicKey]), format: 'der', type: 'spki' });
    if (sig.signature.length !== 64 || !verify(null, message, publicKey, sig.signature)) {
      throw new NoteError(`invalid signature by ${sig.name}`);
    }
    verifiedBy.push(sig.name);
  }
  if (verifiedBy.length === 0) throw new NoteError('no signature by a trusted key');
  return { text, verifiedBy };
}
