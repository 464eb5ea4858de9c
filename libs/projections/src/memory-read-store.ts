import type { Position } from '@peil/ledger';
import { ReadOnlyTx, runInOverlay, type BaseReader, type DocWrite } from './overlay-tx';
import { compareIds, PROJECTIONS_META } from './read-model-names';
import { CheckpointMovedError, type CheckpointMark, type CommitTx, type Doc, type ReadStore, type ReadTx } from './read-store.port';

/**
 * A ReadStore in process memory, with the same semantics as the durable ones: reports "as of" a past
 * position replay the ledger into one, and fast tests use it. Documents are kept as canonical JSON
 * text, so every read is a fresh copy (a projection mutating what it read cannot change the store)
 * and a document that SQLite would refuse is refused here too.
 */
export class MemoryReadStore implements ReadStore {
  private readonly collections = new Map<string, Map<string, string>>();
  /** Sorted ids per collection, dropped when an id is added or removed (all() is read far more than ids change). */
  private readonly sortedIds = new Map<string, string[]>();
  private readonly checkpoints = new Map<string, CheckpointMark>();
  private readonly base: BaseReader = {
    get: (collection, id) => {
      const json = this.collections.get(collection)?.get(id);
      return json === undefined ? undefined : (JSON.parse(json) as Doc);
    },
    all: (collection) => {
      const docs = this.collections.get(collection);
      if (!docs) return [];
      return this.idsOf(collection, docs).map((id) => ({ id, doc: JSON.parse(docs.get(id)!) as Doc }));
    },
  };

  async checkpoint(projection: string): Promise<Position | null> {
    return this.checkpoints.get(projection)?.position ?? null;
  }

  async checkpointMark(projection: string): Promise<CheckpointMark | null> {
    const mark = this.checkpoints.get(projection);
    return mark ? { ...mark } : null;
  }

  async commit(projection: string, expected: Position | null, position: Position, fn: (tx: CommitTx) => Promise<void>, hash?: string): Promise<void> {
    this.guard(projection, expected);
    const writes = await runInOverlay(this.base, fn);
    // From here on nothing awaits: the check and the writes happen as one step of the event loop.
    this.guard(projection, expected);
    for (const w of writes) this.write(w);
    this.checkpoints.set(projection, { position, hash: hash ?? null });
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return fn(new ReadOnlyTx(this.base));
  }

  async reset(projections: readonly string[], collections: readonly string[]): Promise<void> {
    for (const collection of collections) {
      this.collections.delete(collection);
      this.sortedIds.delete(collection);
    }
    for (const projection of projections) {
      this.checkpoints.delete(projection);
      this.write({ collection: PROJECTIONS_META, id: projection, json: null });
    }
  }

  async close(): Promise<void> {}

  /**
   * An independent copy of everything held — documents and checkpoints — for keeping a replay's state
   * at a position (reports "as of" a position start from the nearest earlier copy instead of from zero).
   * Documents are immutable JSON text, so copying the maps is enough: writes to either store never
   * reach the other.
   */
  clone(): MemoryReadStore {
    const copy = new MemoryReadStore();
    for (const [collection, docs] of this.collections) copy.collections.set(collection, new Map(docs));
    for (const [projection, mark] of this.checkpoints) copy.checkpoints.set(projection, mark);
    return copy;
  }

  private guard(projection: string, expected: Position | null): void {
    const actual = this.checkpoints.get(projection)?.position ?? null;
    if (actual !== expected) throw new CheckpointMovedError(projection, expected, actual);
  }

  private write({ collection, id, json }: DocWrite): void {
    let docs = this.collections.get(collection);
    if (json === null) {
      if (docs?.delete(id)) this.sortedIds.delete(collection);
      return;
    }
    if (!docs) this.collections.set(collection, (docs = new Map()));
    if (!docs.has(id)) this.sortedIds.delete(collection);
    docs.set(id, json);
  }

  private idsOf(collection: string, docs: Map<string, string>): string[] {
    let ids = this.sortedIds.get(collection);
    if (!ids) this.sortedIds.set(collection, (ids = [...docs.keys()].sort(compareIds)));
    return ids;
  }
}
