import { NoteError, openNote, parseNote, signNote, type NoteSigner, type NoteVerifier } from './signed-note';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[extension lines]
 * signed as a signed-note by a key whose name is the origin.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

export function checkpointText(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

export function parseCheckpointText(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new NoteError('checkpoint must have origin, size and root lines, each ending in a newline');
  const [origin, size, root] = lines as [string, string, string];
  if (origin === '') throw new NoteError('checkpoint origin is empty');
  // Decimal without leading zeros (the spec's form), and small enough to be exact.
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) throw new NoteError('checkpoint size is not a decimal tree size');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(root)) throw new NoteError('checkpoint root is not a base64 SHA-256 hash');
  return { origin, size: Number(size), root: Buffer.from(root, 'base64') };
}

export function signCheckpoint(c: Checkpoint, signer: NoteSigner): string {
  return signNote(checkpointText(c), signer);
}

/**
 * Verifies the signature with a trusted key and the origin: by default the key's name, as for this
 * ledger's checkpoints (other logs, like the Go checksum database, name their key differently).
 */
export function openCheckpoint(note: string, verifier: NoteVerifier, origin: string = verifier.name): Checkpoint {
  const { text } = openNote(note, [verifier]);
  const checkpoint = parseCheckpointText(text);
  if (checkpoint.origin !== origin) throw new NoteError(`checkpoint origin "${checkpoint.origin}" is not the expected "${origin}"`);
  return checkpoint;
}

/** The checkpoint's fields without checking its signature (for hints and error messages). */
export function readCheckpointUnverified(note: string): Checkpoint {
  return parseCheckpointText(parseNote(note).text);
}
