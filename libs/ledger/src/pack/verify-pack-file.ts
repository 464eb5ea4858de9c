import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { canStartWorker, oneShotWorker } from '../verify/one-shot-worker';
import { checkPackFileRange, nextLineStart, type PackRangeReport } from './pack-ranges';
import type { PackWorkerData } from './pack-verify-worker';
import { appendLeaf, conclude, readHeader, startPack, type PackFailure, type PackVerification, type Streams, type VerifyPackOptions, verifyPack } from './pack-verifier';

export interface VerifyPackFileOptions extends VerifyPackOptions {
  /** How many byte ranges the pack's lines are cut into; default one per CPU (at most 4), and 1 below PARALLEL_FROM_BYTES. */
  ranges?: number;
  /** Check the ranges one after the other in this thread (what tests of the joining use). */
  inThread?: boolean;
  /** Told why, when the pack is verified in one pass after all (diagnostics; tests of the joining). */
  onOnePass?: (why: string) => void;
}

/** Below this size (~7,000 events) one pass is faster than starting workers. */
const PARALLEL_FROM_BYTES = 8 << 20;

const WORKER = join(__dirname, 'pack-verify-worker.js');
const workersAvailable = canStartWorker(WORKER);

/**
 * verifyPack over a pack file, its event lines checked by worker threads in byte ranges (JSON parsing,
 * canonical JSON and SHA-256 are the whole cost, and they parallelise), then joined: leaf indexes and
 * positions across the ranges, each stream's chain from one range into the next, the Merkle root and
 * the trusted checkpoints over every leaf in order. The same report as one pass: when a range finds
 * anything wrong in a line, the pack is verified again in one pass (verifyPack), which then reports it.
 */
export async function verifyPackFile(file: string, options: VerifyPackFileOptions = {}): Promise<PackVerification> {
  const onePass = (why?: string) => {
    if (why) options.onOnePass?.(why);
    return verifyPack(createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity }), options);
  };
  const size = statSync(file).size;
  const count = options.ranges ?? (size < PARALLEL_FROM_BYTES ? 1 : Math.min(4, availableParallelism()));
  if (count < 2) return onePass();

  const fd = openSync(file, 'r');
  let headerLine: string;
  let bounds: Array<[start: number, end: number]>;
  try {
    const bodyStart = nextLineStart(fd, 1, size);
    const bytes = Buffer.alloc(bodyStart);
    readSync(fd, bytes, 0, bodyStart, 0);
    headerLine = bytes.toString('utf8').replace(/\r?\n$/, '');
    const cuts = [bodyStart];
    for (let i = 1; i < count; i++) cuts.push(Math.max(cuts[i - 1]!, nextLineStart(fd, bodyStart + Math.floor(((size - bodyStart) * i) / count), size)));
    cuts.push(size);
    bounds = cuts.slice(0, -1).map((start, i) => [start, cuts[i + 1]!]);
  } finally {
    closeSync(fd);
  }

  // A header one pass would read otherwise (after empty lines, split at a lone \r) or would refuse: one pass reports it.
  const failures: PackFailure[] = [];
  const header = headerLine === '' || headerLine.includes('\r') ? undefined : readHeader(headerLine, options.key, (f) => failures.push(f));
  if (!header || failures.length > 0) return onePass('the header');

  const inThread = options.inThread === true || !workersAvailable;
  const reports = inThread
    ? bounds.map(([start, end]) => checkPackFileRange(file, start, end))
    : await Promise.all(bounds.map(([start, end]) => oneShotWorker<PackRangeReport>(WORKER, { file, start, end } satisfies PackWorkerData, `pack verification worker for bytes [${start}, ${end})`)));

  const { trusted, rootsAt, range } = startPack(options);
  const heads: Streams = new Map();
  let lastPosition = -Infinity;
  for (const report of reports) {
    if (report.failed) return onePass('a line of a range');
    if (report.lines === 0) continue;
    // Each range vouches for its own lines; across ranges: consecutive leaf indexes, increasing positions, unbroken chains.
    if (report.firstLeafIndex !== range.size || report.firstPosition! <= lastPosition) return onePass('the leaf index or position where a range starts');
    for (const [streamId, revision, prevHash] of report.links) {
      const previous = heads.get(streamId);
      if (revision !== (previous ? previous.revision + 1 : 0) || prevHash !== (previous ? previous.hash : null)) return onePass(`stream ${streamId} where a range starts`);
    }
    for (const [streamId, revision, hash] of report.heads) heads.set(streamId, { revision, hash });
    const leaves = Buffer.from(report.leaves.buffer, report.leaves.byteOffset, report.leaves.byteLength);
    for (let i = 0; i < report.lines; i++) appendLeaf(range, rootsAt, leaves.subarray(i * 32, (i + 1) * 32));
    lastPosition = report.lastPosition!;
  }
  return conclude({ header, signatureChecked: options.key !== undefined, checked: range.size, range, rootsAt, trusted, key: options.key, failures });
}
