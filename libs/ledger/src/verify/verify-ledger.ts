import type { Position, StoredEvent } from '../core/envelope';
import { CorruptEventError } from '../store/errors';
import type { EventStore } from '../store/event-store.port';
import { LedgerVerifier, type VerificationReport } from './ledger-verifier';
import { isRangeReadable, type ParallelOptions, verifyInRanges } from './parallel-verify';

export * from './ledger-verifier';

/** Below this many events one thread verifies faster than starting workers. */
const PARALLEL_FROM = 50_000;

export interface VerifyLedgerOptions {
  /** Cut the ledger into ranges verified at once (by default when the store allows it and holds PARALLEL_FROM events or more). */
  parallel?: ParallelOptions;
}

/**
 * Verifies a whole store from its first event; stops at the first failure. The report names the
 * ledger's real head, read after the pages: an auditor must see how much lies beyond a failure, not
 * only where verification stopped. An embedded ledger of some size is verified in ranges by worker
 * threads (parallel-verify.ts), with the same report; events appended meanwhile are verified after.
 */
export async function verifyLedger(store: EventStore, pageSize = 5000, options: VerifyLedgerOptions = {}): Promise<VerificationReport> {
  const head = await store.headPosition();
  if (head === null || !store.capabilities.contiguousPositions || !isRangeReadable(store) || (!options.parallel && head < PARALLEL_FROM)) {
    const verifier = await verifyPages(store, pageSize, new LedgerVerifier(store.capabilities.contiguousPositions), null);
    return verifier.report(await store.headPosition());
  }
  const stitched = await verifyInRanges(store, head, pageSize, options.parallel);
  if (!stitched.report.ok) return { ...stitched.report, headPosition: await store.headPosition() };
  const through = stitched.report.verifiedThrough;
  const verifier = new LedgerVerifier(true, through === null ? undefined : { after: through });
  for (const [streamId, last] of stitched.heads) verifier.knowStream(streamId, last);
  const rest = (await verifyPages(store, pageSize, verifier, through)).report(await store.headPosition());
  return { ...rest, checkedEvents: stitched.report.checkedEvents + rest.checkedEvents };
}

async function verifyPages(store: EventStore, pageSize: number, verifier: LedgerVerifier, from: Position | null): Promise<LedgerVerifier> {
  let after = from;
  for (;;) {
    const { page, corrupt } = await readPage(store, after, pageSize);
    for (const { event, dataJson } of page) {
      if (!verifier.check(event, dataJson)) return verifier;
    }
    if (corrupt) {
      verifier.unreadable(corrupt.position, corrupt.reason);
      return verifier;
    }
    if (page.length < pageSize) return verifier;
    after = page[page.length - 1]!.event.position;
  }
}

type StoredPage = Array<{ event: StoredEvent; dataJson?: string }>;

/**
 * A page of events; when one cannot be read, the events before it are read one by one, so that
 * they are checked first — the first failure may lie among them.
 */
async function readPage(store: EventStore, after: Position | null, size: number): Promise<{ page: StoredPage; corrupt?: CorruptEventError }> {
  const read = async (from: Position | null, limit: number): Promise<StoredPage> =>
    store.readAllStored ? store.readAllStored(from, limit) : (await store.readAll(from, limit)).map((event) => ({ event }));
  try {
    return { page: await read(after, size) };
  } catch (err) {
    if (!(err instanceof CorruptEventError)) throw err;
    const page: StoredPage = [];
    for (let cursor = after; page.length < size; ) {
      let one: StoredPage;
      try {
        one = await read(cursor, 1);
      } catch (inner) {
        if (inner instanceof CorruptEventError) return { page, corrupt: inner };
        throw inner;
      }
      if (one.length === 0) break;
      page.push(one[0]!);
      cursor = one[0]!.event.position;
    }
    return { page, corrupt: err };
  }
}
