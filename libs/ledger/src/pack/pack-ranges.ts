import { closeSync, openSync, readSync } from 'node:fs';
import { checkEvent, type PackLink, type Streams } from './pack-verifier';

/** What checking one byte range of a pack's event lines found, for verifyPackFile to join with the ranges around it. */
export interface PackRangeReport {
  /** Event lines in the range (empty lines are not events). */
  lines: number;
  /** The leaf hash of each line, 32 bytes each, in order. */
  leaves: Uint8Array;
  /** The leaf index the range's first line claims; every later line claims the next one. */
  firstLeafIndex: number | null;
  firstPosition: number | null;
  lastPosition: number | null;
  /** The first event of each stream met in the range: its chain continues from a range before. */
  links: PackLink[];
  /** [streamId, revision, hash] of each stream's last event in the range. */
  heads: Array<[string, number, string]>;
  /**
   * A line failed a check of its own, or is one the one-pass reader would split or skip differently.
   * The caller then verifies the whole pack in one pass, so a failure is reported exactly as that pass
   * reports it: this path only ever vouches for packs with nothing wrong in their lines.
   */
  failed: boolean;
}

const LEAF = 32;

/**
 * Checks the event lines of one range on its own (in a worker thread, pack-verify-worker.ts): each
 * event's hash recomputed, its leaf, positions increasing, leaf indexes consecutive, and the chain of
 * each stream within the range; the first event of a stream is left as a link for the caller.
 */
export function checkPackLines(lines: Iterable<string>): PackRangeReport {
  const streams: Streams = new Map();
  const links: PackLink[] = [];
  let leaves = new Uint8Array(LEAF * 4096);
  let count = 0;
  let firstLeafIndex: number | null = null;
  let firstPosition: number | null = null;
  let lastPosition = -Infinity;
  const report = (failed: boolean): PackRangeReport => ({
    lines: count,
    leaves: leaves.slice(0, count * LEAF),
    firstLeafIndex,
    firstPosition,
    lastPosition: count > 0 ? lastPosition : null,
    links,
    heads: [...streams].map(([streamId, head]) => [streamId, head.revision, head.hash]),
    failed,
  });
  for (const raw of lines) {
    // The one-pass reader (readline, crlfDelay Infinity) ends a line at \n, \r\n or a lone \r.
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (line.includes('\r')) return report(true);
    firstLeafIndex ??= claimedLeafIndex(line);
    if (firstLeafIndex === null) return report(true);
    const checked = checkEvent(line, firstLeafIndex + count, streams, lastPosition, links);
    if (checked.failure || !checked.leaf || checked.position === null) return report(true);
    if ((count + 1) * LEAF > leaves.length) {
      const grown = new Uint8Array(leaves.length * 2);
      grown.set(leaves);
      leaves = grown;
    }
    leaves.set(checked.leaf, count * LEAF);
    firstPosition ??= checked.position;
    lastPosition = checked.position;
    count += 1;
  }
  return report(false);
}

/** checkPackLines over bytes [start, end) of a pack file: what a worker, or the caller's thread, runs per range. */
export function checkPackFileRange(file: string, start: number, end: number): PackRangeReport {
  const fd = openSync(file, 'r');
  try {
    return checkPackLines(fileLines(fd, start, end));
  } finally {
    closeSync(fd);
  }
}

function claimedLeafIndex(line: string): number | null {
  try {
    const claimed = (JSON.parse(line) as { leafIndex?: unknown }).leafIndex;
    return Number.isSafeInteger(claimed) ? (claimed as number) : null;
  } catch {
    return null;
  }
}

const CHUNK = 1 << 22;

/**
 * The lines of bytes [start, end) of an open file, split at \n (kept out), as UTF-8 text. \n is never
 * part of a multi-byte UTF-8 sequence, so each line decodes as it would from a stream of the file.
 */
export function* fileLines(fd: number, start: number, end: number): Generator<string> {
  let carry = Buffer.alloc(0);
  for (let at = start; at < end; ) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, end - at));
    const read = readSync(fd, chunk, 0, chunk.length, at);
    if (read === 0) break;
    at += read;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
    let from = 0;
    for (let nl = data.indexOf(10, from); nl !== -1; nl = data.indexOf(10, from)) {
      yield data.toString('utf8', from, nl);
      from = nl + 1;
    }
    carry = Buffer.from(data.subarray(from));
  }
  if (carry.length > 0) yield carry.toString('utf8');
}

/** The first line start at or after `pos`: just past the next \n from pos − 1 on, or the end of the file. */
export function nextLineStart(fd: number, pos: number, size: number): number {
  if (pos <= 0) return 0;
  const window = Buffer.allocUnsafe(1 << 16);
  for (let at = pos - 1; at < size; at += window.length) {
    const read = readSync(fd, window, 0, Math.min(window.length, size - at), at);
    const nl = window.subarray(0, read).indexOf(10);
    if (nl !== -1) return at + nl + 1;
    if (read === 0) break;
  }
  return size;
}
