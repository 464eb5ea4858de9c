import { eventLeafHash, EMPTY_ROOT, MemoryTree, type EventStore, type LedgerTree, type Position } from '@peil/ledger';

/** The Merkle tree head a report cites: the tree over every event up to its ledger position. */
export interface TreeHead {
  treeSize: number;
  /** Base64, as in the ledger's signed checkpoints. */
  rootHash: string;
}

export class TreeSizeError extends Error {}

/**
 * Tree heads at ledger positions, and the position of a tree size (`asOf=size:<n>`). With the
 * persisted tree (the service and the CLI) each is a few lookups; without one (tests, benches) a tree
 * is kept in memory and extended as positions are asked for: the same bytes, more memory.
 */
export class TreeHeads {
  private readonly memory = new MemoryTree();
  private readonly positions: Position[] = [];
  private exhausted = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly tree?: LedgerTree,
  ) {}

  async at(position: Position | null): Promise<TreeHead> {
    if (position === null) return { treeSize: 0, rootHash: EMPTY_ROOT.toString('base64') };
    if (this.tree) {
      let index = this.tree.nodes.indexesOf(position, position).get(position);
      if (index === undefined) {
        await this.tree.catchUp();
        index = this.tree.nodes.indexesOf(position, position).get(position);
      }
      if (index === undefined) throw new Error(`no event at ledger position ${position}`);
      return { treeSize: index + 1, rootHash: this.tree.root(index + 1).toString('base64') };
    }
    await this.extendUntil(() => this.lastPosition() >= position);
    const index = this.indexOf(position);
    if (index === undefined) throw new Error(`no event at ledger position ${position}`);
    return { treeSize: index + 1, rootHash: this.memory.root(index + 1).toString('base64') };
  }

  /** The ledger position at which the tree has `size` leaves (null for 0). */
  async positionOf(size: number): Promise<Position | null> {
    if (size === 0) return null;
    if (this.tree) {
      const current = await this.tree.catchUp();
      if (size > current) throw new TreeSizeError(`the tree has ${current} events, not yet ${size}`);
      return this.tree.nodes.leaf(size - 1)!.position;
    }
    await this.extendUntil(() => this.memory.size >= size);
    if (this.memory.size < size) throw new TreeSizeError(`the tree has ${this.memory.size} events, not yet ${size}`);
    return this.positions[size - 1]!;
  }

  private lastPosition(): number {
    return this.positions[this.positions.length - 1] ?? 0;
  }

  /** Reads the ledger after the last leaf held until `enough` (or the ledger's end, for now); one reader at a time. */
  private extendUntil(enough: () => boolean): Promise<void> {
    const run = this.queue.then(() => this.extend(enough));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async extend(enough: () => boolean): Promise<void> {
    this.exhausted = false;
    while (!enough() && !this.exhausted) {
      const page = await this.store.readAll(this.positions.length === 0 ? null : this.lastPosition(), 5000);
      for (const e of page) {
        this.memory.append(eventLeafHash(e));
        this.positions.push(e.position);
      }
      this.exhausted = page.length < 5000;
    }
  }

  private indexOf(position: Position): number | undefined {
    let lo = 0;
    let hi = this.positions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = this.positions[mid]!;
      if (p === position) return mid;
      if (p < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}
