import type { Position } from '@peil/ledger';
import { assertCollection, assertId, compareIds, encodeDoc } from './read-model-names';
import type { CommitTx, Doc, ReadTx } from './read-store.port';

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
  /**
   * With history: the document's successive states within the batch, each with the position of the
   * event that wrote it (ascending; the last one is `json`). A state equal to the one before it is
   * left out, so events that rewrite a document unchanged add no version.
   */
  versions?: DocVersion[];
}

export interface DocVersion {
  since: Position;
  json: string | null;
}

/** A buffered state of one document: its stored form, or null once deleted. */
type Buffered = { since: Position; doc: Doc | null };

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
export class OverlayTx implements CommitTx {
  // collection → id → states written in this batch, latest last (without history: only the latest).
  // Insertion order is kept, so the store applies writes in the order the projection first made them
  // (which only matters for debugging).
  private readonly overlay = new Map<string, Map<string, Buffered[]>>();
  private open = true;

  /** `history`: keep each document's successive states with their positions, starting at `position`. */
  constructor(
    private readonly base: BaseReader,
    private readonly history?: { position: Position },
  ) {}

  at(position: Position): void {
    if (this.history) this.history.position = position;
  }

  async get<T extends Doc = Doc>(collection: string, id: string): Promise<T | undefined> {
    this.check(collection, id);
    const buffered = latest(this.overlay.get(collection)?.get(id));
    if (buffered !== undefined) return buffered.doc === null ? undefined : (copyStored(buffered.doc) as T);
    return (await this.base.get(collection, id)) as T | undefined;
  }

  async put(collection: string, id: string, doc: Doc): Promise<void> {
    this.check(collection, id);
    this.write(collection, id, storedForm(doc));
  }

  async delete(collection: string, id: string): Promise<void> {
    this.check(collection, id);
    this.write(collection, id, null);
  }

  async all<T extends Doc = Doc>(collection: string): Promise<Array<{ id: string; doc: T }>> {
    this.check(collection, '');
    const committed = (await this.base.all(collection)) as Array<{ id: string; doc: T }>;
    const buffered = this.overlay.get(collection);
    if (!buffered || buffered.size === 0) return committed;
    const merged = new Map(committed.map((entry) => [entry.id, entry.doc]));
    for (const [id, states] of buffered) {
      const { doc } = latest(states)!;
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
      for (const [id, states] of docs) {
        const versions = states.map((s) => ({ since: s.since, json: s.doc === null ? null : encodeDoc(s.doc) }));
        writes.push({ collection, id, json: versions[versions.length - 1]!.json, ...(this.history ? { versions } : {}) });
      }
    }
    return writes;
  }

  private write(collection: string, id: string, doc: Doc | null): void {
    let docs = this.overlay.get(collection);
    if (!docs) this.overlay.set(collection, (docs = new Map()));
    const states = docs.get(id);
    const since = this.history?.position ?? 0;
    const last = latest(states);
    if (!this.history || !states || !last) docs.set(id, [{ since, doc }]);
    else if (sameStored(last.doc, doc)) return;
    else if (last.since === since) last.doc = doc;
    else states.push({ since, doc });
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
export async function runInOverlay(base: BaseReader, fn: (tx: CommitTx) => Promise<void>, history?: { position: Position }): Promise<DocWrite[]> {
  const tx = new OverlayTx(base, history);
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

const latest = (states: Buffered[] | undefined): Buffered | undefined => states?.[states.length - 1];

/** Whether two documents in stored form (or deletions) are the same JSON value. */
function sameStored(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !sameStored((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
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
