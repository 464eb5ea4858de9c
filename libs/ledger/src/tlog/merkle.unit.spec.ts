import fc from 'fast-check';
import {
  CompactRange,
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  MemoryTree,
  nodeHash,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

// The RFC 6962 test tree used by Certificate Transparency and transparency-dev/merkle: leaf inputs,
// the root of every prefix, and published audit paths and consistency proofs (1-based leaf numbers
// in the published tables are converted to 0-based indexes here).
const INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { index: 1, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];
const CONSISTENCY = [
  { from: 1, to: 1, proof: [] as string[] },
  { from: 1, to: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { from: 6, to: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { from: 2, to: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];

const hex = (b: Buffer) => b.toString('hex');
const unhex = (h: string) => Buffer.from(h, 'hex');
const reference = MemoryTree.fromLeafHashes(INPUTS.map(leafHash));

/** MTH exactly as RFC 9162 §2.1.1 writes it, recursively over the leaf list: the oracle. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('RFC 9162 Merkle tree: published RFC 6962 vectors', () => {
  it('has the published root for every prefix of the test tree, the empty one included', () => {
    ROOTS.forEach((root, size) => expect(hex(reference.root(size))).toBe(root));
    expect(hex(EMPTY_ROOT)).toBe(ROOTS[0]);
  });

  it('produces and verifies the published audit paths', () => {
    for (const v of INCLUSION) {
      const proof = inclusionProof(reference, v.index, v.size);
      expect(proof.map(hex)).toEqual(v.proof);
      expect(verifyInclusion(leafHash(INPUTS[v.index]!), v.index, v.size, v.proof.map(unhex), unhex(ROOTS[v.size]!))).toBe(true);
    }
  });

  it('produces and verifies the published consistency proofs', () => {
    for (const v of CONSISTENCY) {
      expect(consistencyProof(reference, v.from, v.to).map(hex)).toEqual(v.proof);
      expect(verifyConsistency(v.from, v.to, v.proof.map(unhex), unhex(ROOTS[v.from]!), unhex(ROOTS[v.to]!))).toBe(true);
    }
  });

  it('rejects a proof for the wrong root, index or size', () => {
    const v = INCLUSION[1]!;
    const leaf = leafHash(INPUTS[v.index]!);
    const proof = v.proof.map(unhex);
    expect(verifyInclusion(leaf, v.index, v.size, proof, unhex(ROOTS[7]!))).toBe(false);
    expect(verifyInclusion(leaf, v.index - 1, v.size, proof, unhex(ROOTS[8]!))).toBe(false);
    expect(verifyInclusion(leaf, v.index, v.size - 1, proof, unhex(ROOTS[7]!))).toBe(false);
    expect(verifyInclusion(leaf, v.index, v.size, proof.slice(1), unhex(ROOTS[8]!))).toBe(false);
    expect(verifyInclusion(leaf, 8, 8, proof, unhex(ROOTS[8]!))).toBe(false);
  });
});

// Trees of up to 200 random, distinct leaves; a fixed seed keeps the normal suite deterministic.
// A size is only ever altered together with the root of that size: the signature of a checkpoint
// binds the two, and RFC 9162 verification alone cannot tell two sizes with same-shaped paths apart.
const SEED = 9162;
const leavesArb = fc
  .array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 200 })
  .map((xs) => xs.map((x, i) => leafHash(Buffer.concat([Buffer.from(`${i}:`), x]))));
const flip = (b: Uint8Array, bit: number) => {
  const c = Buffer.from(b);
  c[Math.floor(bit / 8) % c.length]! ^= 1 << (bit % 8);
  return c;
};

describe('RFC 9162 Merkle tree: properties', () => {
  it('the incremental tree has the recursive MTH root at every size', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const tree = MemoryTree.fromLeafHashes(leaves);
        for (let n = 0; n <= leaves.length; n += Math.max(1, Math.floor(leaves.length / 7))) expect(tree.root(n)).toEqual(mth(leaves.slice(0, n)));
        expect(tree.root()).toEqual(mth(leaves));
        const range = new CompactRange();
        leaves.forEach((leaf, i) => {
          range.append(leaf);
          if (i % 13 === 0) expect(range.root()).toEqual(tree.root(i + 1));
        });
        expect(range.root()).toEqual(tree.root());
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('every inclusion proof verifies; an altered leaf, index, size or proof element is rejected', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), fc.nat(), (leaves, a, b, bit) => {
        const tree = MemoryTree.fromLeafHashes(leaves);
        const size = 1 + (a % leaves.length);
        const index = b % size;
        const root = tree.root(size);
        const proof = inclusionProof(tree, index, size);
        expect(verifyInclusion(leaves[index]!, index, size, proof, root)).toBe(true);
        expect(verifyInclusion(flip(leaves[index]!, bit), index, size, proof, root)).toBe(false);
        if (size > 1) {
          expect(verifyInclusion(leaves[index]!, (index + 1) % size, size, proof, root)).toBe(false);
          const altered = proof.map((p, i) => (i === bit % proof.length ? flip(p, bit) : p));
          expect(verifyInclusion(leaves[index]!, index, size, altered, root)).toBe(false);
        }
        if (size < leaves.length) expect(verifyInclusion(leaves[index]!, index, size + 1, proof, tree.root(size + 1))).toBe(false);
        if (index < size - 1) expect(verifyInclusion(leaves[index]!, index, size - 1, proof, tree.root(size - 1))).toBe(false);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('every consistency proof verifies; an altered size, root or proof element is rejected', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), fc.nat(), (leaves, a, b, bit) => {
        const tree = MemoryTree.fromLeafHashes(leaves);
        const to = 1 + (a % leaves.length);
        const from = b % (to + 1);
        const proof = consistencyProof(tree, from, to);
        const oldRoot = tree.root(from);
        const newRoot = tree.root(to);
        expect(verifyConsistency(from, to, proof, oldRoot, newRoot)).toBe(true);
        if (from > 0 && from < to) {
          expect(verifyConsistency(from, to, proof, flip(oldRoot, bit), newRoot)).toBe(false);
          expect(verifyConsistency(from, to, proof, oldRoot, flip(newRoot, bit))).toBe(false);
          const altered = proof.map((p, i) => (i === bit % proof.length ? flip(p, bit) : p));
          expect(verifyConsistency(from, to, altered, oldRoot, newRoot)).toBe(false);
          if (from > 1) expect(verifyConsistency(from - 1, to, proof, tree.root(from - 1), newRoot)).toBe(false);
          if (to < leaves.length) expect(verifyConsistency(from, to + 1, proof, oldRoot, tree.root(to + 1))).toBe(false);
        }
        // A history in which one leaf before `from` changed is never consistent with the old root.
        if (from > 0) {
          const forged = MemoryTree.fromLeafHashes(leaves.map((l, i) => (i === bit % from ? flip(l, bit) : l)));
          expect(verifyConsistency(from, to, consistencyProof(forged, from, to), oldRoot, forged.root(to))).toBe(false);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
