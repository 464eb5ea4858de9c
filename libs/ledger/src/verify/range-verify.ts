import type { Position } from '../core/envelope';
import { hashableRow, type StoredRow } from '../sqlite/sqlite-rows';
import { CorruptEventError } from '../store/errors';
import { LedgerVerifier, type StreamLink, type VerificationFailure, type VerificationReport } from './ledger-verifier';

/** What verifying one position range (after, through] found, for stitchRanges to join with its neighbours. */
export interface RangeReport {
  after: Position;
  through: Position;
  firstPosition: Position | null;
  checked: number;
  verifiedThrough: Position | null;
  failure?: VerificationFailure;
  /** First events of the streams met in the range, to be chained onto the ranges before. */
  links: StreamLink[];
  /** [streamId, revision, hash] of each stream's last verified event in the range. */
  heads: Array<[string, number, string]>;
}

/**
 * Verifies the events in (after, through] of a contiguous ledger on its own: hashes, positions and
 * the chains of streams within the range, each stream's first event left as a link. Runs in a
 * worker thread per range (verify-worker.ts) or in the caller's thread.
 */
export function verifyRange(read: (after: Position, through: Position) => StoredRow[], after: Position, through: Position, pageSize = 5000): RangeReport {
  const verifier = new LedgerVerifier(true, { after: after === 0 ? null : after, deferUnknownStreams: true });
  let firstPosition: Position | null = null;
  pages: for (let from = after; from < through; from += pageSize) {
    for (const row of read(from, Math.min(through, from + pageSize))) {
      firstPosition ??= row[0];
      let stored;
      try {
        stored = hashableRow(row);
      } catch (err) {
        if (!(err instanceof CorruptEventError)) throw err;
        verifier.unreadable(err.position, err.reason);
        break pages;
      }
      if (!verifier.check(stored.event, stored.dataJson)) break pages;
    }
  }
  const report = verifier.report();
  return {
    after,
    through,
    firstPosition,
    checked: report.checkedEvents,
    verifiedThrough: report.verifiedThrough,
    ...(report.firstFailure ? { failure: report.firstFailure } : {}),
    links: verifier.streamLinks,
    heads: [...verifier.streamHeads].map(([streamId, head]) => [streamId, head.revision, head.hash]),
  };
}

/** Where stitching left off: the report so far and, when it went through, every stream's last event. */
export interface Stitched {
  report: Omit<VerificationReport, 'headPosition'>;
  heads: Map<string, { revision: number; hash: string }>;
}

/**
 * Joins range reports, in position order, into the report one verifier reading from the first event
 * would have made: the same first failure (the earliest, as nothing before it failed), the same
 * count of events checked before it, the same last verified position.
 */
export function stitchRanges(ranges: readonly RangeReport[]): Stitched {
  const heads = new Map<string, { revision: number; hash: string }>();
  let checked = 0;
  let verifiedThrough: Position | null = null;
  const stop = (failure: VerificationFailure, before: number, through: Position | null): Stitched => ({
    report: { ok: false, checkedEvents: checked + before, verifiedThrough: through, firstFailure: failure },
    heads,
  });
  for (const range of ranges) {
    if (range.firstPosition === null && !range.failure) continue;
    const expected = (verifiedThrough ?? 0) + 1;
    // A range that ended short of its bound: the next event found must still be the next position.
    if (range.firstPosition !== null && range.firstPosition !== expected) {
      return stop({ position: range.firstPosition, reason: 'position_gap', detail: `expected position ${expected}, found ${range.firstPosition}` }, 0, verifiedThrough);
    }
    for (const link of range.links) {
      const previous = heads.get(link.streamId);
      const expectedRevision = previous ? previous.revision + 1 : 0;
      if (link.revision !== expectedRevision) {
        return stop({ position: link.position, reason: 'revision_gap', detail: `stream ${link.streamId}: expected revision ${expectedRevision}, found ${link.revision}` }, link.index, link.after);
      }
      if (link.prevHash !== (previous ? previous.hash : null)) {
        return stop({ position: link.position, reason: 'chain_broken', detail: `stream ${link.streamId}: prevHash does not match the previous event's hash` }, link.index, link.after);
      }
    }
    if (range.failure) return stop(range.failure, range.checked, range.verifiedThrough);
    checked += range.checked;
    if (range.checked > 0) verifiedThrough = range.verifiedThrough;
    for (const [streamId, revision, hash] of range.heads) heads.set(streamId, { revision, hash });
  }
  return { report: { ok: true, checkedEvents: checked, verifiedThrough }, heads };
}
