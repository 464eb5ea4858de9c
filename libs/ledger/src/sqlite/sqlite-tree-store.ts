import type Database from 'better-sqlite3';
import { hashesCompletedBy, type SubtreeHashes } from '../tlog/merkle';
import { openSqliteFile } from './open-sqlite-file';

const SCHEMA = `
-- Every complete subtree hash of the ledger's Merkle tree (level 0: leaf hashes), about two per leaf:
-- any root or proof is then O(log² n) lookups, never a recomputation over all leaves.
CREATE TABLE IF NOT EXISTS tree_nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB    NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
-- Leaf i is the i-th event of the global log; its ledger position (i+1 on SQLite, a commit position on EventStoreDB).
CREATE TABLE IF NOT EXISTS tree_leaves (
  idx      INTEGER PRIMARY KEY,
  position INTEGER NOT NULL UNIQUE
);
`;

export interface TreeLeaf {
  index: number;
  position: number;
  leafHash: Buffer;
}

/**
 * The persisted Merkle tree over the ledger: derived data in its own SQLite file beside the ledger.
 * Only appends; `reset` (the explicit `tree rebuild`) is the one way to replace it. Writers in
 * several processes are serialised by SQLite's lock, and `appendLeaves` refuses leaves that do not
 * continue the tree it finds inside that lock.
 */
export class SqliteTreeStore implements SubtreeHashes {
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<typeof statements>;

  constructor(readonly file: string) {
    this.db = openSqliteFile(file, { schema: SCHEMA });
    this.stmts = statements(this.db);
  }

  size(): number {
    const last = this.stmts.lastLeaf.get();
    return last ? last.idx + 1 : 0;
  }

  lastLeaf(): TreeLeaf | undefined {
    const last = this.stmts.lastLeaf.get();
    return last ? this.leaf(last.idx) : undefined;
  }

  leaf(index: number): TreeLeaf | undefined {
    const row = this.stmts.leaf.get(index);
    return row ? { index, position: row.position, leafHash: row.hash } : undefined;
  }

  /** Leaves from `from` on, in index order: what an integrity check compares with the ledger. */
  leaves(from: number, limit: number): TreeLeaf[] {
    return this.stmts.leaves.all(from, limit).map((r) => ({ index: r.idx, position: r.position, leafHash: r.hash }));
  }

  /** Leaf indexes of the events at these positions (absent when not yet in the tree). */
  indexesOf(lowest: number, highest: number): Map<number, number> {
    return new Map(this.stmts.byPosition.all(lowest, highest).map((r) => [r.position, r.idx]));
  }

  subtree(level: number, index: number): Buffer {
    const row = this.stmts.node.get(level, index);
    if (!row) throw new Error(`the persisted tree has no node at level ${level}, index ${index}`);
    return row.hash;
  }

  /**
   * Appends leaves that must start at index `from`, in one transaction. Returns false (writing
   * nothing) when the tree no longer has size `from`: another process appended first.
   */
  appendLeaves(from: number, leaves: ReadonlyArray<{ position: number; leafHash: Buffer }>): boolean {
    return this.db
      .transaction(() => {
        if (this.size() !== from) return false;
        leaves.forEach((leaf, i) => {
          this.stmts.insertLeaf.run(from + i, leaf.position);
          for (const node of hashesCompletedBy(from + i, leaf.leafHash, (l, k) => this.subtree(l, k))) {
            this.stmts.insertNode.run(node.level, node.index, node.hash);
          }
        });
        return true;
      })
      .immediate();
  }

  /** Drops every leaf and node: only for an explicit rebuild. */
  reset(): void {
    this.db.transaction(() => this.db.exec('DELETE FROM tree_nodes; DELETE FROM tree_leaves;')).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function statements(db: Database.Database) {
  return {
    lastLeaf: db.prepare<[], { idx: number }>('SELECT idx FROM tree_leaves ORDER BY idx DESC LIMIT 1'),
    leaf: db.prepare<[number], { position: number; hash: Buffer }>(
      'SELECT l.position, n.hash FROM tree_leaves l JOIN tree_nodes n ON n.level = 0 AND n.idx = l.idx WHERE l.idx = ?',
    ),
    leaves: db.prepare<[number, number], { idx: number; position: number; hash: Buffer }>(
      'SELECT l.idx, l.position, n.hash FROM tree_leaves l JOIN tree_nodes n ON n.level = 0 AND n.idx = l.idx WHERE l.idx >= ? ORDER BY l.idx LIMIT ?',
    ),
    byPosition: db.prepare<[number, number], { idx: number; position: number }>('SELECT idx, position FROM tree_leaves WHERE position BETWEEN ? AND ?'),
    node: db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?'),
    insertLeaf: db.prepare('INSERT INTO tree_leaves (idx, position) VALUES (?, ?)'),
    insertNode: db.prepare('INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)'),
  };
}
