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
 *
 * The buffer holds each document as a private copy in its stored form (what parsing its canonical JSON
 * gives: keys sorted, undefined members dropped, -0 as 0), and encodes it to canonical JSON once, at
 * close(): a document a batch reads and rewrites a thousand times is encoded once per batch, not once
 * per event. Every get() hands out a fresh copy, so a projection mutating what it read, or what it put,
 * changes nothing buffered.
 */
export class OverlayTx implements ReadTx {
  // collection → id → stored form (null: deleted in this batch). Insertion order is kept, so the
  // store applies writes in the order the projection first made them (which only matters for debugging).
  private readonly overlay = new Map<string, Map<string, Doc | null>>();
  private open = true;

  constructor(private readonly base: BaseReader) {}

  async get<T extends Doc = Doc>(collection: string, id: string): Promise<T | undefined> {
    this.check(collection, id);
    const buffered = this.overlay.get(collection)?.get(id);
    if (buffered !== undefined) return buffered === null ? undefined : (copyStored(buffered) as T);
    return (await this.base.get(collection, id)) as T | undefined;
  }

  async put(collection: string, id: string, doc: Doc): Promise<void> {
    this.check(collection, id);
    this.buffer(collection).set(id, storedForm(doc));
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
    for (const [id, doc] of buffered) {
      if (doc === null) merged.delete(id);
      else merged.set(id, copyStored(doc) as T);
    }
    return [...merged.keys()].sort(compareIds).map((id) => ({ id, doc: merged.get(id)! }));
  }

  /** Ends the transaction (a projection that kept a reference can no longer write) and hands over its writes. */
  close(): DocWrite[] {
    this.open = false;
    const writes: DocWrite[] = [];
    for (const [collection, docs] of this.overlay) {
      for (const [id, doc] of docs) writes.push({ collection, id, json: doc === null ? null : encodeDoc(doc) });
    }
    return writes;
  }

  private buffer(collection: string): Map<string, Doc | null> {
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

/**
 * The document as the store will give it back: JSON.parse(encodeDoc(doc)), computed without the text
 * round trip. A document canonical JSON refuses (or one it would not give back, such as a sparse
 * array) takes the round trip itself, so put() refuses it with encodeDoc's error.
 */
export function storedForm(doc: Doc): Doc {
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    const copy = copyJson(doc);
    if (copy !== UNREPRESENTABLE) return copy as Doc;
  }
  return JSON.parse(encodeDoc(doc)) as Doc;
}

const UNREPRESENTABLE = Symbol('unrepresentable');

function copyJson(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) return UNREPRESENTABLE;
      return value === 0 ? 0 : value; // -0 is stored as 0
    case 'object': {
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return UNREPRESENTABLE;
          const item = copyJson(value[i]);
          if (item === UNREPRESENTABLE) return UNREPRESENTABLE;
          out[i] = item;
        }
        return out;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return UNREPRESENTABLE;
      const record = value as Record<string, unknown>;
      // Sorted as canonical JSON sorts them (UTF-16 code units), so key order is that of a parsed document.
      const keys = Object.keys(record).sort();
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const v = record[k];
        if (v === undefined) continue;
        const item = copyJson(v);
        if (item === UNREPRESENTABLE) return UNREPRESENTABLE;
        setMember(out, k, item);
      }
      return out;
    }
    default:
      return UNREPRESENTABLE;
  }
}

/** A copy of a document already in stored form (plain JSON values, keys in order). */
function copyStored(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyStored(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k in value) setMember(out, k, copyStored((value as Record<string, unknown>)[k]));
  return out;
}

// JSON.parse makes "__proto__" an own member; plain assignment would set the prototype instead.
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
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
