import { CompactRange, eventLeafHash, EMPTY_ROOT, type EventStore, type LedgerTree, type Position } from '@peil/ledger';

/** The Merkle tree head a report cites: the tree over every event up to its ledger position. */
export interface TreeHead {
  treeSize: number;
  /** Base64, as in the ledger's signed checkpoints. */
  rootHash: string;
}

export class TreeSizeError extends Error {}

/**
 * Tree heads at ledger positions, and the position of a tree size (`asOf=size:<n>`). With the
 * persisted tree (the service and the CLI) each is a few lookups; without one (tests, benches) the
 * root is folded over the ledger's hashes up to the position, which gives the same bytes.
 */
export class TreeHeads {
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
    const range = new CompactRange();
    for (let after: Position | null = null; ; ) {
      const page = await this.store.readAll(after, 5000);
      for (const e of page) {
        if (e.position > position) return head(range);
        range.append(eventLeafHash(e));
      }
      if (page.length < 5000) return head(range);
      after = page[page.length - 1]!.position;
    }
  }

  /** The ledger position at which the tree has `size` leaves (null for 0). */
  async positionOf(size: number): Promise<Position | null> {
    if (size === 0) return null;
    if (this.tree) {
      const current = await this.tree.catchUp();
      if (size > current) throw new TreeSizeError(`the tree has ${current} events, not yet ${size}`);
      return this.tree.nodes.leaf(size - 1)!.position;
    }
    let seen = 0;
    for (let after: Position | null = null; ; ) {
      const page = await this.store.readAll(after, 5000);
      for (const e of page) if (++seen === size) return e.position;
      if (page.length < 5000) throw new TreeSizeError(`the tree has ${seen} events, not yet ${size}`);
      after = page[page.length - 1]!.position;
    }
  }
}

function head(range: CompactRange): TreeHead {
  return { treeSize: range.size, rootHash: range.root().toString('base64') };
}
