import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Position } from '../core/envelope';
import type { StoredRow } from '../sqlite/sqlite-rows';
import { type RangeReport, stitchRanges, type Stitched, verifyRange } from './range-verify';
import { canStartWorker, oneShotWorker } from './one-shot-worker';
import type { VerifyWorkerData } from './verify-worker';

/** A store whose rows can be read by position range, from another thread too when it has a file. */
export interface RangeReadableStore {
  readonly file: string;
  readRows(afterPosition: Position, throughPosition: Position): StoredRow[];
}

export function isRangeReadable(store: object): store is RangeReadableStore {
  return typeof (store as Partial<RangeReadableStore>).readRows === 'function' && typeof (store as Partial<RangeReadableStore>).file === 'string';
}

export interface ParallelOptions {
  /** How many ranges the ledger is cut into; default one per CPU, at most 4. */
  ranges?: number;
  /** Verify the ranges one after the other in this thread (what tests of the stitching use). */
  inThread?: boolean;
}

const WORKER = join(__dirname, 'verify-worker.js');
const workersAvailable = canStartWorker(WORKER);

/**
 * Verifies positions 1…head of a contiguous ledger as `ranges` ranges at once: each range is read
 * and hashed by a worker thread on its own read-only connection (hashing, not SQLite, is most of
 * the cost, and one core hashes ~300k events/s at best), then the ranges are stitched together.
 */
export async function verifyInRanges(store: RangeReadableStore, head: Position, pageSize: number, options: ParallelOptions = {}): Promise<Stitched> {
  const count = Math.max(1, Math.min(options.ranges ?? Math.min(4, availableParallelism()), head));
  const bounds = Array.from({ length: count }, (_, i) => [Math.floor((head * i) / count), Math.floor((head * (i + 1)) / count)] as const);
  const inThread = options.inThread === true || !workersAvailable || store.file === ':memory:';
  const reports = inThread
    ? bounds.map(([after, through]) => verifyRange((a, t) => store.readRows(a, t), after, through, pageSize))
    : await Promise.all(
        bounds.map(([after, through]) => oneShotWorker<RangeReport>(WORKER, { file: store.file, after, through, pageSize } satisfies VerifyWorkerData, `verification worker for (${after}, ${through}]`)),
      );
  return stitchRanges(reports);
}
