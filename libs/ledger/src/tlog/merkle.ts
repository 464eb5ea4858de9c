import * as crypto from 'node:crypto';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * RFC 9162 §2.1 Merkle tree hashing and proofs, over leaf hashes. Pure: where hashes come from (memory,
 * a SQLite file) is a `SubtreeHashes`, so the same algorithms serve the server, the offline verifier
 * and the tests. Sizes and indexes are JavaScript numbers (exact below 2^53) and are divided with
 * arithmetic, never with 32-bit bitwise operators.
 */

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** The root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

// crypto.hash (Node ≥ 20.12) over the concatenated bytes: a third cheaper than a Hash object fed in
// parts, and a verifier of a pack or a tree hashes two of these per event.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;

export function leafHash(input: Uint8Array): Buffer {
  return oneShot ? oneShot('sha256', Buffer.concat([LEAF_PREFIX, input]), 'buffer') : createHash('sha256').update(LEAF_PREFIX).update(input).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return oneShot ? oneShot('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer') : createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/**
 * Hashes of complete, aligned subtrees: (level l, index k) is the root over leaves [k·2^l, (k+1)·2^l).
 * Every subtree the RFC 9162 recursion reaches that is complete has that form, so a store that keeps
 * these (the stored-hash layout of the Go checksum database) answers any root or proof in O(log² n).
 */
export interface SubtreeHashes {
  subtree(level: number, index: number): Buffer;
}

/** The largest power of two strictly below n (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

/** MTH over leaves [lo, hi), for ranges the RFC recursion produces (lo a multiple of the split sizes). */
export function rangeHash(src: SubtreeHashes, lo: number, hi: number): Buffer {
  const n = hi - lo;
  if (n <= 0) return EMPTY_ROOT;
  if (isPowerOfTwo(n) && lo % n === 0) return src.subtree(Math.round(Math.log2(n)), lo / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(src, lo, lo + k), rangeHash(src, lo + k, hi));
}

export function rootHash(src: SubtreeHashes, size: number): Buffer {
  return rangeHash(src, 0, size);
}

/** RFC 9162 §2.1.3.1 PATH(index, D[size]): the audit path, leaf to root. */
export function inclusionProof(src: SubtreeHashes, index: number, size: number): Buffer[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  const path: Buffer[] = [];
  let lo = 0;
  let hi = size;
  // Walk down from the root; each step's sibling is prepended, so the path ends up leaf-first.
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      path.push(rangeHash(src, lo + k, hi));
      hi = lo + k;
    } else {
      path.push(rangeHash(src, lo, lo + k));
      lo += k;
    }
  }
  return path.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(from, D[to]); empty when from is 0 or equals to. */
export function consistencyProof(src: SubtreeHashes, from: number, to: number): Buffer[] {
  if (!(from >= 0 && from <= to)) throw new RangeError(`a consistency proof needs 0 ≤ from ≤ to (from ${from}, to ${to})`);
  if (from === 0 || from === to) return [];
  const proof: Buffer[] = [];
  let m = from;
  let lo = 0;
  let hi = to;
  let whole = true;
  // SUBPROOF(m, D[lo:hi], whole), iteratively; nodes are found root-first and reversed at the end.
  while (m !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (m <= k) {
      proof.push(rangeHash(src, lo + k, hi));
      hi = lo + k;
    } else {
      proof.push(rangeHash(src, lo, lo + k));
      lo += k;
      m -= k;
      whole = false;
    }
  }
  if (!whole) proof.push(rangeHash(src, lo, hi));
  return proof.reverse();
}

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2: does `proof` place `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(r, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show that the tree (from, oldRoot) is a prefix of (to, newRoot)? */
export function verifyConsistency(from: number, to: number, proof: readonly Uint8Array[], oldRoot: Uint8Array, newRoot: Uint8Array): boolean {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) return false;
  if (from === to) return proof.length === 0 && sameHash(oldRoot, newRoot);
  if (from === 0) return proof.length === 0 && sameHash(oldRoot, EMPTY_ROOT);
  const path = isPowerOfTwo(from) ? [oldRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = from - 1;
  let sn = to - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(fr, oldRoot) && sameHash(sr, newRoot);
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The hashes that appending leaf `index` (with hash `leaf`) completes: the leaf itself at level 0,
 * then each subtree it closes on the right edge. `stored` reads a hash stored earlier (always a left
 * sibling). About two per leaf on average; what an incremental tree persists.
 */
export function hashesCompletedBy(index: number, leaf: Buffer, stored: (level: number, index: number) => Buffer): Array<{ level: number; index: number; hash: Buffer }> {
  const out = [{ level: 0, index, hash: leaf }];
  let level = 0;
  let i = index;
  let h = leaf;
  while (odd(i)) {
    h = nodeHash(stored(level, i - 1), h);
    level += 1;
    i = half(i);
    out.push({ level, index: i, hash: h });
  }
  return out;
}

/**
 * The right edge of a growing tree: one hash per complete subtree, O(log n) memory, so a verifier
 * can compute the root over millions of leaves without holding them.
 */
export class CompactRange {
  private readonly stack: Array<{ size: number; hash: Buffer }> = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  append(leaf: Buffer): void {
    let node = { size: 1, hash: leaf };
    for (let top = this.stack[this.stack.length - 1]; top && top.size === node.size; top = this.stack[this.stack.length - 1]) {
      this.stack.pop();
      node = { size: node.size * 2, hash: nodeHash(top.hash, node.hash) };
    }
    this.stack.push(node);
    this.count += 1;
  }

  /** MTH of the leaves appended so far: the subtrees folded right to left. */
  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let hash = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) hash = nodeHash(this.stack[i]!.hash, hash);
    return hash;
  }
}

/** A tree held in memory (verifiers, tests, packs): every complete subtree hash, appended incrementally. */
export class MemoryTree implements SubtreeHashes {
  private readonly levels: Buffer[][] = [[]];

  static fromLeafHashes(leaves: Iterable<Buffer>): MemoryTree {
    const tree = new MemoryTree();
    for (const leaf of leaves) tree.append(leaf);
    return tree;
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  append(leaf: Buffer): number {
    const index = this.size;
    for (const node of hashesCompletedBy(index, leaf, (l, i) => this.subtree(l, i))) {
      (this.levels[node.level] ??= [])[node.index] = node.hash;
    }
    return index;
  }

  subtree(level: number, index: number): Buffer {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new RangeError(`no complete subtree at level ${level}, index ${index} in a tree of size ${this.size}`);
    return hash;
  }

  root(size: number = this.size): Buffer {
    if (size > this.size) throw new RangeError(`size ${size} is beyond the tree (${this.size})`);
    return rootHash(this, size);
  }
}
