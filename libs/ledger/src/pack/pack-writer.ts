import type { StoredEvent } from '../core/envelope';
import type { EventStore } from '../store/event-store.port';
import { signCheckpoint } from '../tlog/checkpoint';
import type { NoteSigner } from '../tlog/signed-note';
import type { LedgerTree } from '../tree/ledger-tree';

export const PACK_FORMAT = 'peil-ledger-pack/1';

export interface PackHeader {
  format: typeof PACK_FORMAT;
  origin: string;
  size: number;
  /** The signed checkpoint of the tree at `size`. */
  checkpoint: string;
  /** A hint only: a verifier trusts the key it is given, never this one. */
  verifierKey: string;
}

export interface PackSource {
  store: EventStore;
  tree: LedgerTree;
  origin: string;
  signer: NoteSigner;
}

/**
 * An audit pack as NDJSON lines (each ending in "\n"): the header, then the first `size` events of
 * the ledger in global order as the ledger API returns them, each with its `leafIndex`. Personal
 * data stays ciphertext, as stored. The tree is caught up first; `size` defaults to all of it.
 */
export async function* packLines(source: PackSource, requestedSize?: number): AsyncGenerator<string> {
  const current = await source.tree.catchUp();
  const size = requestedSize ?? current;
  if (size > current) throw new RangeError(`size ${size} is beyond the tree (${current})`);
  const root = source.tree.root(size);
  const header: PackHeader = {
    format: PACK_FORMAT,
    origin: source.origin,
    size,
    checkpoint: signCheckpoint({ origin: source.origin, size, root }, source.signer),
    verifierKey: source.signer.verifier.text,
  };
  yield `${JSON.stringify(header)}\n`;
  let index = 0;
  let after: number | null = null;
  while (index < size) {
    const page: StoredEvent[] = await source.store.readAll(after, Math.min(1000, size - index));
    if (page.length === 0) throw new Error(`the ledger ended at ${index} events, before the tree size ${size}`);
    let lines = '';
    for (const event of page) lines += `${JSON.stringify({ ...event, leafIndex: index++ })}\n`;
    yield lines;
    after = page[page.length - 1]!.position;
  }
}
