import type * as Esdb from '@eventstore/db-client';

/**
 * The EventStoreDB adapter's plumbing: its lazily loaded client library, stream naming (ledger streams
 * keep their names except `$checkpoints`; the adapter's eventId index uses the reserved `peil_`
 * prefix; EventStoreDB's system streams start with `$`), and reading gRPC streams.
 */
export type EsdbModule = typeof import('@eventstore/db-client');
let loaded: EsdbModule | undefined;
/**
 * @eventstore/db-client (gRPC + protobuf) takes 100–140 ms to load. It is required on first use so
 * that importing @peil/ledger in the embedded profile, which never talks to EventStoreDB, does not pay for it.
 */
export function esdb(): EsdbModule {
  // A plain require keeps the load lazy; the cast restores the package's own typings.
  loaded ??= require('@eventstore/db-client') as EsdbModule;
  return loaded;
}

export const INDEX_PREFIX = 'peil_eventid-';
export const CLAIM_TYPE = 'PeilEventIdClaimed';

/** Ledger streams exclude EventStoreDB's `$` system streams and this adapter's eventId index. */
export function isLedgerStream(nativeStreamId: string): boolean {
  return nativeStreamId === NATIVE_CHECKPOINTS || (!nativeStreamId.startsWith('$') && !nativeStreamId.startsWith(INDEX_PREFIX));
}

/**
 * The ledger's own `$checkpoints` stream (signed tree heads) cannot keep its name here: `$` streams
 * are EventStoreDB's system streams. It is stored under a name in this adapter's reserved `peil_`
 * prefix and read back under its ledger name, which is the one its events' hashes cover.
 */
export const LEDGER_CHECKPOINTS = '$checkpoints';
export const NATIVE_CHECKPOINTS = 'peil_ledger-checkpoints';
export const RESERVED_PREFIX = 'peil_';

/** Stream ids services may append to: `$checkpoints`, or any id outside `$` and the adapter's `peil_` names. */
export function isLedgerStreamId(streamId: string): boolean {
  return streamId === LEDGER_CHECKPOINTS || (!streamId.startsWith('$') && !streamId.startsWith(RESERVED_PREFIX));
}

export function nativeName(streamId: string): string {
  return streamId === LEDGER_CHECKPOINTS ? NATIVE_CHECKPOINTS : streamId;
}

export function ledgerName(nativeStreamId: string): string {
  return nativeStreamId === NATIVE_CHECKPOINTS ? LEDGER_CHECKPOINTS : nativeStreamId;
}

/**
 * The native stream names of a ledger category, as a server-side filter: `<category>` itself or
 * `<category>-…`; undefined when no ledger stream can be of that category (system and `peil_` names).
 */
export function categoryRegex(category: string): string | undefined {
  if (category === LEDGER_CHECKPOINTS) return `^${NATIVE_CHECKPOINTS}$`;
  if (category.includes('-') || !isLedgerStreamId(category)) return undefined;
  return `^${category.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-|$)`;
}

export function indexStream(eventId: string): string {
  return `${INDEX_PREFIX}${eventId}`;
}

/** Promise.all with at most `limit` calls in flight, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Reads a whole (bounded) read; a stream that does not exist reads as empty. */
export async function collect<E>(read: Esdb.StreamingRead<E>): Promise<E[]> {
  const out: E[] = [];
  await drain(read, (e) => {
    out.push(e);
    return true;
  });
  return out;
}

/** Iterates a read; stopping early cancels the gRPC call instead of leaving it open. */
export async function drain<E>(read: Esdb.StreamingRead<E>, visit: (e: E) => boolean): Promise<void> {
  try {
    for await (const e of read) {
      if (!visit(e)) {
        await read.cancel();
        return;
      }
    }
  } catch (err) {
    if (err instanceof esdb().StreamNotFoundError) return;
    throw err;
  }
}
