import { assertCollection, assertId, compareIds, encodeDoc } from './read-model-names';
import type { Doc, ReadTx } from './read-store.port';

/** What a store reads for a transaction: committed state (fresh objects each call, never shared). */
export interface BaseReader {
  get(collection: string, id: string): Promise<Doc | undefined> | Doc | undefined;
  /** Ordered by compareIds. */
  all(collection: string): Promise<Array<{ id: string; doc: Doc }>> | Array<{ id: string; doc: Doc }>;
}

/** One buffered write: canonical JSON to store, or null to delete. */
export interface DocWrite {
  collection: string;
  id: string;
  json: string | null;
}

/**
 * The ReadTx of a commit. Writes are buffered in memory and reads consult them first, so a batch sees
 * its own writes while nothing reaches the store before the whole batch has run. The store then applies
 * `writes()` and the checkpoint in one transaction of its own — for SQLite that is the only way to be
 * atomic, because better-sqlite3 transactions cannot stay open across the projection's awaits.
 */
export class OverlayTx implements ReadTx {
  // collection → id → canonical JSON (null: deleted in this batch). Insertion order is kept, so the
  // store applies writes in the order the projection made them (which only matters for debugging).
  private readonly overlay = new Map<string, Map<string, string | null>>();
  private open = true;

  constructor(private readonly base: BaseReader) {}

  async get<T extends Doc = Doc>(collection: string, id: string): Promise<T | undefined> {
    this.check(collection, id);
    const buffered = this.overlay.get(collection)?.get(id);
    if (buffered !== undefined) return buffered === null ? undefined : (JSON.parse(buffered) as T);
    return (await this.base.get(collection, id)) as T | undefined;
  }

  async put(collection: string, id: string, doc: Doc): Promise<void> {
    this.check(collection, id);
    this.buffer(collection).set(id, encodeDoc(doc));
  }

  async delete(collection: string, id: string): Promise<void> {
    this.check(collection, id);
    this.buffer(collection).set(id, null);
  }

  async all<T extends Doc = Doc>(collection: string): Promise<Array<{ id: string; doc: T }>> {
    this.check(collection, '');
    const committed = (await this.base.all(collection)) as Array<{ id: string; doc: T }>;
    const buffered = this.overlay.get(collection);
    if (!buffered || buffered.size === 0) return committed;
    const merged = new Map(committed.map((entry) => [entry.id, entry.doc]));
    for (const [id, json] of buffered) {
      if (json === null) merged.delete(id);
      else merged.set(id, JSON.parse(json) as T);
    }
    return [...merged.keys()].sort(compareIds).map((id) => ({ id, doc: merged.get(id)! }));
  }

  /** Ends the transaction (a projection that kept a reference can no longer write) and hands over its writes. */
  close(): DocWrite[] {
    this.open = false;
    const writes: DocWrite[] = [];
    for (const [collection, docs] of this.overlay) for (const [id, json] of docs) writes.push({ collection, id, json });
    return writes;
  }

  private buffer(collection: string): Map<string, string | null> {
    let docs = this.overlay.get(collection);
    if (!docs) this.overlay.set(collection, (docs = new Map()));
    return docs;
  }

  private check(collection: string, id: string): void {
    if (!this.open) throw new Error('read-store transaction used after its commit ended');
    assertCollection(collection);
    assertId(id);
  }
}

/**
 * Runs a projection's batch on a fresh OverlayTx over `base` and hands back its buffered writes. The
 * transaction is closed whether the batch succeeds or throws (the error propagates), so a projection
 * that kept a reference cannot write after its commit ended.
 */
export async function runInOverlay(base: BaseReader, fn: (tx: ReadTx) => Promise<void>): Promise<DocWrite[]> {
  const tx = new OverlayTx(base);
  let writes: DocWrite[];
  try {
    await fn(tx);
  } finally {
    writes = tx.close();
  }
  return writes;
}

/** The ReadTx of read(): committed state only; writing is a programming error. */
export class ReadOnlyTx implements ReadTx {
  constructor(private readonly base: BaseReader) {}

  async get<T extends Doc = Doc>(collection: string, id: string): Promise<T | undefined> {
    assertCollection(collection);
    assertId(id);
    return (await this.base.get(collection, id)) as T | undefined;
  }

  async all<T extends Doc = Doc>(collection: string): Promise<Array<{ id: string; doc: T }>> {
    assertCollection(collection);
    return (await this.base.all(collection)) as Array<{ id: string; doc: T }>;
  }

  async put(): Promise<void> {
    throw new Error('read() is read-only: write through commit()');
  }

  async delete(): Promise<void> {
    throw new Error('read() is read-only: write through commit()');
  }
}
