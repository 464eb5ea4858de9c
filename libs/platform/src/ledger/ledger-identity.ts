import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileOnce, ensurePrivateDir, generateSignerKey, isValidKeyName, NoteError, parseSignerKey, PRIVATE_FILE_MODE, type NoteSigner } from '@peil/ledger';
import { ConfigError, intVar, loadConfig, readSecret } from '@peil/config';
import { z } from 'zod';
import { fsyncDir } from '../privacy/master-key';

export const LEDGER_ID_FILE = 'ledger.id';
export const SIGNING_KEY_FILE = 'ledger-signing.key';
export const VERIFIER_KEY_FILE = 'ledger.vkey';
export const TREE_FILE = 'ledger-tree.sqlite';

/** The persisted Merkle tree, derived from the ledger, beside it in the data dir. */
export const ledgerTreeFile = (dataDir: string): string => join(dataDir, TREE_FILE);

export interface LedgerIdentity {
  /** The checkpoint origin, also the signing key's name. */
  origin: string;
  signer: NoteSigner;
  /** The note verifier key (`<origin>+<hash>+<key>`), public. */
  verifierKey: string;
}

/**
 * Who signs this ledger's checkpoints. Origin: PEIL_LEDGER_ORIGIN, else `peil-ledger/<ledger id>`
 * with the id generated once into `<data dir>/ledger.id`. Signing key: PEIL_SIGNING_KEY (note
 * signer-key text) or PEIL_SIGNING_KEY_FILE (a mounted secret), else `<data dir>/ledger-signing.key`,
 * generated on first start (mode 0600). All of it is the ledger service's alone: in the distributed
 * profile its own volume, never shared.
 * The verifier key is (re)written to `<data dir>/ledger.vkey`. Errors never show the key.
 */
export function loadLedgerIdentity(env: NodeJS.ProcessEnv, dataDir: string): LedgerIdentity {
  const origin = env.PEIL_LEDGER_ORIGIN?.trim() || `peil-ledger/${ledgerId(dataDir)}`;
  if (!isValidKeyName(origin)) throw new ConfigError('invalid configuration\n  PEIL_LEDGER_ORIGIN: must be a key name (no spaces, no "+")');
  const configured = readSecret(env, 'PEIL_SIGNING_KEY');
  const signer = configured ? parseKey(configured.value, configured.source) : signingKeyFile(dataDir, origin);
  if (signer.name !== origin) {
    throw new ConfigError(
      `invalid configuration\n  ${configured ? configured.source : join(dataDir, SIGNING_KEY_FILE)}: the key is named "${signer.name}", ` +
        `but checkpoints are signed for the origin "${origin}" (the key name must equal the origin)`,
    );
  }
  const verifierKey = signer.verifier.text;
  const vkeyFile = join(dataDir, VERIFIER_KEY_FILE);
  if (readIfExists(vkeyFile)?.trim() !== verifierKey) writeVerifierKey(vkeyFile, verifierKey);
  return { origin, signer, verifierKey };
}

function parseKey(text: string, source: string): NoteSigner {
  try {
    return parseSignerKey(text);
  } catch (err) {
    if (err instanceof NoteError) throw new ConfigError(`invalid configuration\n  ${source}: not a note signer key (${err.message})`);
    throw err;
  }
}

function ledgerId(dataDir: string): string {
  const id = createOnce(dataDir, LEDGER_ID_FILE, () => `${randomBytes(8).toString('hex')}\n`).trim();
  if (!/^[0-9a-z-]{1,64}$/.test(id)) throw new ConfigError(`invalid configuration\n  ${join(dataDir, LEDGER_ID_FILE)}: not a ledger id`);
  return id;
}

function signingKeyFile(dataDir: string, origin: string): NoteSigner {
  const text = createOnce(dataDir, SIGNING_KEY_FILE, () => `${generateSignerKey(origin)}\n`);
  return parseKey(text, join(dataDir, SIGNING_KEY_FILE));
}

/** Public (it only verifies), but 0600 like every file of the data dir; publish it from `GET /v1/ledger/checkpoint/key`. */
function writeVerifierKey(file: string, verifierKey: string): void {
  writeFileSync(file, `${verifierKey}\n`, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The file's content, creating it first if missing. Written under a private name and hard-linked into
 * place, so a process starting at the same moment never reads it half-written; the loser reads the winner's.
 */
function createOnce(dataDir: string, name: string, content: () => string): string {
  const file = join(dataDir, name);
  const existing = readIfExists(file);
  if (existing !== undefined) return existing;
  ensurePrivateDir(dataDir);
  const text = createFileOnce(file, content());
  fsyncDir(dataDir);
  return text;
}

const checkpointSchema = z.object({
  PEIL_CHECKPOINT_EVERY: intVar(10_000, 1, 100_000_000),
  PEIL_CHECKPOINT_INTERVAL_S: intVar(3_600, 1, 31_536_000),
});

export interface CheckpointPolicy {
  /** A checkpoint is recorded once this many events were appended since the last one… */
  every: number;
  /** …or once this much time has passed, when any event other than a checkpoint was appended. */
  intervalMs: number;
}

export function loadCheckpointPolicy(env: NodeJS.ProcessEnv = process.env): CheckpointPolicy {
  const c = loadConfig(checkpointSchema, env);
  return { every: c.PEIL_CHECKPOINT_EVERY, intervalMs: c.PEIL_CHECKPOINT_INTERVAL_S * 1000 };
}
