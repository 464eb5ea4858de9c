import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { AsyncMutex } from '../core/async-mutex';
import type { StoredEvent } from '../core/envelope';
import type { SqliteTreeStore, TreeLeaf } from '../sqlite/sqlite-tree-store';
import type { EventStore } from '../store/event-store.port';
import { consistencyProof, inclusionProof, leafHash, rootHash } from '../tlog/merkle';

/**
 * The persisted tree disagrees with the ledger: events it holds were removed or rewritten. It is the
 * evidence of a rewrite, so it is kept (sticky until an explicit `tree rebuild`), never repaired.
 */
export class TreeIntegrityError extends Error {
  constructor(
    readonly index: number,
    readonly position: number | null,
    readonly reason: string,
  ) {
    super(`the Merkle tree disagrees with the ledger at leaf ${index}${position === null ? '' : ` (position ${position})`}: ${reason}`);
  }
}

/** The leaf input of an event: the 32 bytes of its hash. */
export function eventLeafHash(event: Pick<StoredEvent, 'hash'>): Buffer {
  if (!/^[0-9a-f]{64}$/.test(event.hash)) throw new Error('event hash is not 64 lower-case hex digits');
  return leafHash(Buffer.from(event.hash, 'hex'));
}

export interface LedgerTreeOptions {
  /** Events read from the ledger per catch-up transaction. */
  pageSize?: number;
}

/**
 * The RFC 9162 tree over every event of the ledger in global order: leaf i is the i-th event of the
 * log (position i+1 on SQLite; the i-th ledger event of `$all` on EventStoreDB). Catching up appends
 * the events after the last leaf, after checking that the ledger still holds that leaf's event with
 * the same hash; anything else is a TreeIntegrityError, which stays until `rebuild`.
 */
export class LedgerTree {
  private readonly lock = new AsyncMutex();
  private readonly pageSize: number;
  private faultFound: TreeIntegrityError | null = null;

  constructor(
    private readonly store: EventStore,
    readonly nodes: SqliteTreeStore,
    options: LedgerTreeOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 10_000;
  }

  /** The disagreement found, if any (what the `tree` health component reports). */
  get fault(): TreeIntegrityError | null {
    return this.faultFound;
  }

  size(): number {
    return this.nodes.size();
  }

  /** Appends every ledger event not yet in the tree; returns the tree size. */
  async catchUp(): Promise<number> {
    if (this.faultFound) throw this.faultFound;
    const release = await this.lock.acquire();
    try {
      for (;;) {
        const last = this.nodes.lastLeaf();
        if (last) await this.checkLeafStillThere(last);
        const after = last?.position ?? null;
        const page = await this.hashesAfter(after, this.pageSize);
        if (page.length === 0) return this.nodes.size();
        const from = last ? last.index + 1 : 0;
        if (this.store.capabilities.contiguousPositions) {
          page.forEach((e, i) => {
            const expected = (after ?? 0) + i + 1;
            if (e.position !== expected) throw new TreeIntegrityError(from + i, expected, `the ledger has no event at position ${expected} (an event was removed)`);
          });
        }
        const leaves = page.map((e, i) => {
          try {
            return { position: e.position, leafHash: eventLeafHash(e) };
          } catch (err) {
            throw new TreeIntegrityError(from + i, e.position, (err as Error).message);
          }
        });
        // false: another process appended these first; the next round starts from what it wrote.
        this.nodes.appendLeaves(from, leaves);
      }
    } catch (err) {
      if (err instanceof TreeIntegrityError) this.faultFound = err;
      throw err;
    } finally {
      release();
    }
  }

  /**
   * Compares every leaf with the ledger (what a restart does in the background): catches a rewrite
   * anywhere in history, not only at the tail. Yields to the event loop between pages.
   */
  async verifyAgainstLedger(): Promise<void> {
    let index = 0;
    let after: number | null = null;
    try {
      for (;;) {
        const leaves = this.nodes.leaves(index, this.pageSize);
        if (leaves.length === 0) return;
        const events = await this.hashesAfter(after, leaves.length);
        leaves.forEach((leaf, i) => this.compare(leaf, events[i]));
        after = leaves[leaves.length - 1]!.position;
        index += leaves.length;
        await yieldToLoop();
      }
    } catch (err) {
      if (err instanceof TreeIntegrityError) this.faultFound = err;
      throw err;
    }
  }

  /** The explicit repair: drops the persisted tree and builds it again from the ledger as it is now. */
  async rebuild(): Promise<number> {
    const release = await this.lock.acquire();
    try {
      this.nodes.reset();
      this.faultFound = null;
    } finally {
      release();
    }
    return this.catchUp();
  }

  root(size: number = this.size()): Buffer {
    this.checkSize(size, 'size');
    return rootHash(this.nodes, size);
  }

  leafHash(index: number): Buffer {
    return this.nodes.subtree(0, index);
  }

  inclusionProof(index: number, size: number): Buffer[] {
    this.checkSize(size, 'size');
    return inclusionProof(this.nodes, index, size);
  }

  consistencyProof(from: number, to: number): Buffer[] {
    this.checkSize(to, 'to');
    return consistencyProof(this.nodes, from, to);
  }

  /**
   * Each event with its `leafIndex` (the tree is caught up first, so every committed event has one).
   * While the tree disagrees with the ledger no event can be placed in it with confidence: null.
   */
  async withLeafIndexes<E extends StoredEvent>(events: readonly E[]): Promise<Array<E & { leafIndex: number | null }>> {
    if (events.length === 0) return [];
    const positions = events.map((e) => e.position);
    const lookup = () => this.nodes.indexesOf(Math.min(...positions), Math.max(...positions));
    let indexes = lookup();
    if (!this.faultFound && positions.some((p) => !indexes.has(p))) {
      await this.catchUp().catch((err: unknown) => {
        if (!(err instanceof TreeIntegrityError)) throw err;
      });
      indexes = lookup();
    }
    return events.map((e) => ({ ...e, leafIndex: this.faultFound ? null : (indexes.get(e.position) ?? null) }));
  }

  private checkSize(size: number, name: string): void {
    if (size > this.size()) throw new RangeError(`${name} ${size} is beyond the tree (${this.size()})`);
  }

  private async checkLeafStillThere(leaf: TreeLeaf): Promise<void> {
    // The event after the previous leaf's position is this leaf's, unless the ledger changed. (Not
    // position-1: EventStoreDB positions are log offsets, and one below an event is not a position.)
    const previous = leaf.index > 0 ? this.nodes.leaf(leaf.index - 1)!.position : null;
    const [event] = await this.hashesAfter(previous, 1);
    this.compare(leaf, event);
  }

  /** Positions and hashes in log order: the store's fast path when it has one (no data parsed). */
  private async hashesAfter(after: number | null, limit: number): Promise<Array<Pick<StoredEvent, 'position' | 'hash'>>> {
    return this.store.readHashes ? this.store.readHashes(after, limit) : this.store.readAll(after, limit);
  }

  private compare(leaf: TreeLeaf, event: Pick<StoredEvent, 'position' | 'hash'> | undefined): void {
    if (!event || event.position !== leaf.position) {
      throw new TreeIntegrityError(leaf.index, leaf.position, `the ledger no longer has the event at position ${leaf.position} (events were removed)`);
    }
    let hash: Buffer;
    try {
      hash = eventLeafHash(event);
    } catch (err) {
      throw new TreeIntegrityError(leaf.index, leaf.position, (err as Error).message);
    }
    if (!hash.equals(leaf.leafHash)) {
      throw new TreeIntegrityError(leaf.index, leaf.position, `the event at position ${leaf.position} is not the one the tree holds (history was rewritten)`);
    }
  }
}
