import type { EventStore, Position, StoredEvent } from '@peil/ledger';
import { MemoryReadStore, replay, type Projection } from '@peil/projections';

/**
 * Per projection, copies of a replay's memory store at positions that are multiples of the interval:
 * the state with every event at or below that position applied. The ledger only grows, so a copy
 * stays right forever; the copies are never handed out, only cloned.
 */
class AsOfSnapshots {
  private readonly byPosition = new Map<Position, MemoryReadStore>();

  constructor(private readonly kept: number) {}

  /** The latest snapshot at or below `position`, marked as recently used. */
  nearest(position: Position): { at: Position; store: MemoryReadStore } | undefined {
    let at: Position | undefined;
    for (const p of this.byPosition.keys()) if (p <= position && (at === undefined || p > at)) at = p;
    if (at === undefined) return undefined;
    const store = this.byPosition.get(at)!;
    this.byPosition.delete(at);
    this.byPosition.set(at, store);
    return { at, store };
  }

  has(position: Position): boolean {
    return this.byPosition.has(position);
  }

  keep(position: Position, store: MemoryReadStore): void {
    if (this.byPosition.has(position)) return;
    this.byPosition.set(position, store);
    // Map order is use order (nearest() re-inserts): the first key is the least recently used.
    while (this.byPosition.size > this.kept) this.byPosition.delete(this.byPosition.keys().next().value!);
  }

  get size(): number {
    return this.byPosition.size;
  }
}

/**
 * Reports "as of" a position computed from the ledger itself: the projection replayed into memory,
 * from zero or from the nearest in-memory snapshot (decision 0020). The CLI's independent derivation,
 * and the service's fallback where the read store keeps no document history for a projection.
 */
export class AsOfReplay {
  private readonly snapshots = new Map<string, AsOfSnapshots>();

  constructor(
    private readonly store: EventStore,
    private readonly every: number,
    private readonly kept: number,
  ) {
    if (!Number.isSafeInteger(every) || every < 0) throw new Error('asOfSnapshotEvery: a whole number of events, 0 for none');
    if (!Number.isSafeInteger(kept) || kept < 1) throw new Error('asOfSnapshotsKept: at least 1');
  }

  /** Snapshots held for a projection (for tests and metrics). */
  snapshotCount(projectionName: string): number {
    return this.snapshots.get(projectionName)?.size ?? 0;
  }

  /**
   * A memory store holding one projection exactly as of `position`: from zero, or — with snapshots —
   * a copy of the nearest earlier snapshot plus the events after it, keeping a copy at each multiple
   * of the interval passed on the way. Replay skips events at or below a checkpoint, so either way
   * every event up to the position is applied exactly once, in order, by the same code.
   */
  async replayedTo(projection: Projection, position: Position | null): Promise<MemoryReadStore> {
    const every = this.every;
    // Snapshots are taken every `every` positions, which is every `every` events only where positions
    // are contiguous (SQLite). EventStoreDB's are log offsets: a boundary every few bytes would clone
    // the store thousands of times on the way, so there every asOf report replays from zero.
    if (every === 0 || position === null || !this.store.capabilities.contiguousPositions) {
      const memory = new MemoryReadStore();
      await replay(ledgerEvents(this.store, null, position), [projection], memory);
      return memory;
    }
    let snapshots = this.snapshots.get(projection.name);
    if (!snapshots) this.snapshots.set(projection.name, (snapshots = new AsOfSnapshots(this.kept)));
    const base = snapshots.nearest(position);
    const memory = base ? base.store.clone() : new MemoryReadStore();
    let from: Position | null = base ? base.at : null;
    for (let boundary = (Math.floor((from ?? 0) / every) + 1) * every; boundary <= position; boundary += every) {
      await replay(ledgerEvents(this.store, from, boundary), [projection], memory);
      if (!snapshots.has(boundary)) snapshots.keep(boundary, memory.clone());
      from = boundary;
    }
    await replay(ledgerEvents(this.store, from, position), [projection], memory);
    return memory;
  }
}

/** The ledger events after `from` (from the first for null) up to a position (all of them for null), page by page. */
export async function* ledgerEvents(store: EventStore, from: Position | null, position: Position | null): AsyncIterable<StoredEvent> {
  let after: Position | null = from;
  for (;;) {
    const page = await store.readAll(after, 5000);
    for (const e of page) {
      if (position !== null && e.position > position) return;
      yield e;
    }
    if (page.length < 5000) return;
    after = page[page.length - 1]!.position;
    // SQLite reads are synchronous: let health checks and live reports in between pages of a long replay.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
