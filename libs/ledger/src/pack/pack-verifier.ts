import type { HashedEnvelope } from '../core/envelope';
import { hashEnvelope } from '../core/hash-chain';
import { openCheckpoint, readCheckpointUnverified, type Checkpoint } from '../tlog/checkpoint';
import { CompactRange, leafHash } from '../tlog/merkle';
import { NoteError, type NoteVerifier } from '../tlog/signed-note';
import { PACK_FORMAT } from './pack-writer';

export type PackFailureReason =
  | 'unreadable'
  | 'bad_header'
  | 'bad_signature'
  | 'signature_not_checked'
  | 'hash_mismatch'
  | 'chain_broken'
  | 'revision_gap'
  | 'position_order'
  | 'leaf_index'
  | 'missing_events'
  | 'extra_events'
  | 'root_mismatch'
  | 'trusted_checkpoint_invalid'
  | 'trusted_checkpoint_beyond_pack'
  | 'trusted_checkpoint_inconsistent';

export interface PackFailure {
  /** Leaf index of the event concerned; null for the header or a checkpoint. */
  index: number | null;
  position: number | null;
  reason: PackFailureReason;
  detail: string;
}

export interface TrustedResult {
  size: number | null;
  ok: boolean;
  reason?: PackFailureReason;
}

export interface PackVerification {
  ok: boolean;
  checkedEvents: number;
  /** The size the pack's checkpoint claims. */
  size: number | null;
  /** Base64 root over the pack's events, as in checkpoints. */
  root: string;
  signatureChecked: boolean;
  trusted: TrustedResult[];
  firstFailure?: PackFailure;
}

export interface VerifyPackOptions {
  /** The verifier key the caller trusts; without it the signature is not checked and the pack is not ok. */
  key?: NoteVerifier;
  /** Signed checkpoints kept earlier (e.g. by `audit`): each must be a prefix of the pack. */
  trusted?: readonly string[];
}

/**
 * Checks an audit pack with nothing but its lines and the caller's trusted key: every event hash is
 * recomputed with the ledger's own hashing, every stream chain followed, the RFC 9162 root over the
 * events' hashes compared with the signed checkpoint, and each trusted checkpoint shown to be a prefix
 * (its root equals the root over the pack's first `size` leaves). Memory is O(streams + log n).
 */
export async function verifyPack(lines: AsyncIterable<string>, options: VerifyPackOptions = {}): Promise<PackVerification> {
  const failures: PackFailure[] = [];
  const fail = (f: PackFailure) => failures.push(f);
  const key = options.key;
  const { trusted, rootsAt, range } = startPack(options);
  const streams: Streams = new Map();
  let header: { size: number; checkpoint: Checkpoint } | undefined;
  let signatureChecked = false;
  let lastPosition = -Infinity;
  let lineNo = 0;

  for await (const line of lines) {
    if (line === '') continue;
    lineNo += 1;
    if (lineNo === 1) {
      header = readHeader(line, key, fail);
      signatureChecked = header !== undefined && key !== undefined && failures.length === 0;
      if (!header) break;
      continue;
    }
    const index = lineNo - 2;
    const problem = checkEvent(line, index, streams, lastPosition);
    if (problem.failure) {
      fail(problem.failure);
      if (problem.failure.reason === 'unreadable') break;
    }
    if (problem.position !== null) lastPosition = problem.position;
    if (problem.leaf) appendLeaf(range, rootsAt, problem.leaf);
  }
  return conclude({ header, signatureChecked, checked: Math.max(0, lineNo - 1), range, rootsAt, trusted, key, failures });
}

/** The leaf appended to the running root, and the root kept when a trusted checkpoint names this size. */
export function appendLeaf(range: CompactRange, rootsAt: Map<number, Buffer | null>, leaf: Buffer): void {
  range.append(leaf);
  if (rootsAt.has(range.size)) rootsAt.set(range.size, range.root());
}

/** What verifying a pack needs before its event lines: the trusted checkpoints opened, the roots they ask for. */
export function startPack(options: VerifyPackOptions) {
  const trusted = (options.trusted ?? []).map((note) => openTrusted(note, options.key));
  // The root over the pack's first n leaves, for each size n a trusted checkpoint names (null until reached).
  const rootsAt = new Map<number, Buffer | null>();
  for (const t of trusted) if (t.checkpoint) rootsAt.set(t.checkpoint.size, null);
  const range = new CompactRange();
  if (rootsAt.has(0)) rootsAt.set(0, range.root());
  return { trusted, rootsAt, range };
}

export interface PackEnd {
  header: { size: number; checkpoint: Checkpoint } | undefined;
  signatureChecked: boolean;
  /** Event lines read (the header not counted). */
  checked: number;
  range: CompactRange;
  rootsAt: Map<number, Buffer | null>;
  trusted: Array<{ checkpoint?: Checkpoint; error?: string }>;
  key: NoteVerifier | undefined;
  failures: PackFailure[];
}

/** After the last line: the count against the checkpoint, its root, the signature, each trusted checkpoint. */
export function conclude({ header, signatureChecked, checked, range, rootsAt, trusted, key, failures }: PackEnd): PackVerification {
  const fail = (f: PackFailure) => failures.push(f);
  const root = range.root();
  // Nothing read at all (a header that did not parse has its own failure already).
  if (!header && failures.length === 0) fail({ index: null, position: null, reason: 'bad_header', detail: 'the pack is empty' });
  if (header && failures.every((f) => f.reason !== 'unreadable')) {
    if (checked < header.size) fail({ index: checked, position: null, reason: 'missing_events', detail: `the checkpoint covers ${header.size} events, the pack holds ${checked}` });
    else if (checked > header.size) fail({ index: header.size, position: null, reason: 'extra_events', detail: `the pack holds ${checked} events, beyond its checkpoint's ${header.size}` });
    else if (!root.equals(header.checkpoint.root)) fail({ index: null, position: null, reason: 'root_mismatch', detail: 'the Merkle root over the pack\'s events is not the checkpoint\'s root' });
  }
  if (!key) fail({ index: null, position: null, reason: 'signature_not_checked', detail: 'no trusted verifier key given: the checkpoint signature was not checked against a trusted key' });

  const trustedResults = trusted.map((t): TrustedResult => {
    if (!t.checkpoint) {
      fail({ index: null, position: null, reason: 'trusted_checkpoint_invalid', detail: t.error! });
      return { size: null, ok: false, reason: 'trusted_checkpoint_invalid' };
    }
    const at = rootsAt.get(t.checkpoint.size);
    if (!at) {
      fail({ index: null, position: null, reason: 'trusted_checkpoint_beyond_pack', detail: `a trusted checkpoint of size ${t.checkpoint.size} is beyond the ${range.size} events of the pack` });
      return { size: t.checkpoint.size, ok: false, reason: 'trusted_checkpoint_beyond_pack' };
    }
    if (!at.equals(t.checkpoint.root)) {
      fail({ index: null, position: null, reason: 'trusted_checkpoint_inconsistent', detail: `the pack's first ${t.checkpoint.size} events do not have the root of the trusted checkpoint of that size: history was changed` });
      return { size: t.checkpoint.size, ok: false, reason: 'trusted_checkpoint_inconsistent' };
    }
    return { size: t.checkpoint.size, ok: true };
  });

  const firstFailure = failures[0];
  return {
    ok: failures.length === 0,
    checkedEvents: checked,
    size: header?.size ?? null,
    root: root.toString('base64'),
    signatureChecked,
    trusted: trustedResults,
    ...(firstFailure ? { firstFailure } : {}),
  };
}

function openTrusted(note: string, key: NoteVerifier | undefined): { checkpoint?: Checkpoint; error?: string } {
  if (!key) return { error: 'a trusted checkpoint needs a trusted key to check its signature' };
  try {
    return { checkpoint: openCheckpoint(note, key) };
  } catch (err) {
    return { error: `trusted checkpoint: ${(err as Error).message}` };
  }
}

export function readHeader(line: string, key: NoteVerifier | undefined, fail: (f: PackFailure) => void): { size: number; checkpoint: Checkpoint } | undefined {
  const bad = (detail: string, reason: PackFailureReason = 'bad_header') => {
    fail({ index: null, position: null, reason, detail });
    return undefined;
  };
  let header: { format?: unknown; origin?: unknown; size?: unknown; checkpoint?: unknown };
  try {
    header = JSON.parse(line);
  } catch {
    return bad('line 1 is not JSON');
  }
  if (header.format !== PACK_FORMAT) return bad(`line 1 is not a ${PACK_FORMAT} header`);
  if (typeof header.checkpoint !== 'string') return bad('the header has no checkpoint');
  let checkpoint: Checkpoint;
  try {
    checkpoint = key ? openCheckpoint(header.checkpoint, key) : readCheckpointUnverified(header.checkpoint);
  } catch (err) {
    if (!(err instanceof NoteError)) throw err;
    return bad(`the pack's checkpoint: ${err.message}`, key ? 'bad_signature' : 'bad_header');
  }
  if (header.size !== checkpoint.size || header.origin !== checkpoint.origin) return bad('the header disagrees with its checkpoint');
  return { size: checkpoint.size, checkpoint };
}

export type Streams = Map<string, { revision: number; hash: string }>;

/** The first event of a stream met in a range of the pack, for the ranges before it to vouch for: [streamId, revision, prevHash]. */
export type PackLink = [streamId: string, revision: number, prevHash: string | null];

/** One event line: its hash recomputed, its place in its stream's chain, its leaf. */
export function checkEvent(
  line: string,
  index: number,
  streams: Streams,
  lastPosition: number,
  // Given (a range of the pack checked on its own), a stream not met yet is recorded here rather than
  // taken to start at revision 0: its chain continues from a range before this one.
  links?: PackLink[],
): { failure?: PackFailure; leaf?: Buffer; position: number | null } {
  let event: HashedEnvelope & { position: number; hash: string; leafIndex: number };
  try {
    event = JSON.parse(line);
  } catch {
    return { failure: { index, position: null, reason: 'unreadable', detail: `line ${index + 2} is not JSON` }, position: null };
  }
  const position = typeof event.position === 'number' ? event.position : null;
  const at = (reason: PackFailureReason, detail: string) => ({ index, position, reason, detail });
  if (typeof event.hash !== 'string' || !/^[0-9a-f]{64}$/.test(event.hash) || typeof event.streamId !== 'string') {
    return { failure: at('unreadable', 'the event has no valid hash or stream'), position };
  }
  // The leaf is what the pack claims; a wrong hash fails here and, through the root, against the checkpoint.
  const leaf = leafHash(Buffer.from(event.hash, 'hex'));
  let recomputed: string;
  try {
    recomputed = hashEnvelope(event);
  } catch {
    return { failure: at('unreadable', 'the event cannot be canonicalised'), leaf, position };
  }
  if (recomputed !== event.hash) return { failure: at('hash_mismatch', 'the recomputed hash differs from the stored one (content changed)'), leaf, position };
  if (event.leafIndex !== index) return { failure: at('leaf_index', `the event claims leaf ${String(event.leafIndex)}, it is line ${index + 2}`), leaf, position };
  if (position === null || position <= lastPosition) return { failure: at('position_order', 'positions must increase through the pack'), leaf, position };
  const previous = streams.get(event.streamId);
  streams.set(event.streamId, { revision: event.revision, hash: event.hash });
  if (!previous && links) {
    links.push([event.streamId, event.revision, event.prevHash]);
    return { leaf, position };
  }
  if (event.revision !== (previous ? previous.revision + 1 : 0)) return { failure: at('revision_gap', `stream ${event.streamId}: revision ${event.revision} after ${previous?.revision ?? 'none'}`), leaf, position };
  if (event.prevHash !== (previous ? previous.hash : null)) return { failure: at('chain_broken', `stream ${event.streamId}: prevHash is not the previous event's hash`), leaf, position };
  return { leaf, position };
}
