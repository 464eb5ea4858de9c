import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { useSuiteSubject, useTempDir, type SuiteSubject } from '@peil/testing';
import type { NewEvent, StoredEvent } from '../core/envelope';
import { SqliteTreeStore } from '../sqlite/sqlite-tree-store';
import type { EventStore } from '../store/event-store.port';
import { openCheckpoint } from '../tlog/checkpoint';
import { MemoryTree, verifyConsistency, verifyInclusion } from '../tlog/merkle';
import { generateSignerKey, parseSignerKey } from '../tlog/signed-note';
import { eventLeafHash, LedgerTree } from './ledger-tree';
import { CHECKPOINT_STREAM, Sealer } from './sealer';

export type TreeContractSubject = SuiteSubject<EventStore>;

/**
 * What the Merkle tree must do over any EventStore adapter, as a jest suite called from an adapter's
 * *.int.spec.ts: leaves are the ledger's events in global order, whatever the positions look like,
 * and the tree root and proofs agree with a tree computed independently over the events' hashes.
 * Each test uses a fresh tree file over the adapter's (possibly shared) ledger.
 */
export function ledgerTreeContract(name: string, factory: () => Promise<TreeContractSubject>): void {
  describe(`LedgerTree contract: ${name}`, () => {
    let subject: TreeContractSubject;
    useSuiteSubject(factory, (made) => (subject = made));
    const dir = useTempDir('peil-tree-', 'all');

    const openTree = (pageSize = 7) => new LedgerTree(subject.store, new SqliteTreeStore(join(dir.path, `${randomUUID()}.sqlite`)), { pageSize });

    async function allEvents(): Promise<StoredEvent[]> {
      const out: StoredEvent[] = [];
      for (let page = await subject.store.readAll(null, 500); page.length > 0; page = await subject.store.readAll(page[page.length - 1]!.position, 500)) out.push(...page);
      return out;
    }

    it('has one leaf per ledger event in global order, with the root an independent tree computes over the event hashes', async () => {
      const stream = `treetest-${randomUUID()}`;
      await subject.store.append(stream, Array.from({ length: 23 }, () => event()), 'no_stream');
      const tree = openTree();
      const size = await tree.catchUp();
      const events = (await allEvents()).slice(0, size);
      expect(size).toBeGreaterThanOrEqual(23);
      const reference = MemoryTree.fromLeafHashes(events.map((e) => eventLeafHash(e)));
      expect(tree.root(size)).toEqual(reference.root(size));
      const indexed = await tree.withLeafIndexes(events.slice(-5));
      expect(indexed.map((e) => e.leafIndex)).toEqual([size - 5, size - 4, size - 3, size - 2, size - 1]);
      tree.nodes.close();
    });

    it('grows incrementally: proofs from the persisted tree verify against independently computed roots', async () => {
      const tree = openTree(5);
      const before = await tree.catchUp();
      await subject.store.append(`treetest-${randomUUID()}`, Array.from({ length: 11 }, () => event()), 'no_stream');
      const after = await tree.catchUp();
      expect(after).toBeGreaterThanOrEqual(before + 11);
      const reference = MemoryTree.fromLeafHashes((await allEvents()).slice(0, after).map((e) => eventLeafHash(e)));
      for (const index of [0, Math.floor(after / 2), after - 1]) {
        expect(verifyInclusion(reference.subtree(0, index), index, after, tree.inclusionProof(index, after), reference.root(after))).toBe(true);
      }
      expect(verifyConsistency(before, after, tree.consistencyProof(before, after), reference.root(before), reference.root(after))).toBe(true);
      tree.nodes.close();
    });

    it('the sealer records a signed checkpoint on $checkpoints, read back under that name and as a leaf of the tree', async () => {
      const signer = parseSignerKey(generateSignerKey(`peil-ledger/contract-${randomUUID().slice(0, 8)}`));
      const tree = openTree(50);
      await subject.store.append(`treetest-${randomUUID()}`, [event()], 'no_stream');
      const sealer = new Sealer(subject.store, tree, { origin: signer.name, signer, every: 1, intervalMs: 3_600_000, now: () => new Date() });
      const sealed = await sealer.tick();
      expect(sealed).not.toBeNull();
      const mine = (await subject.store.readStream(CHECKPOINT_STREAM)).filter((e) => e.data.origin === signer.name);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.streamId).toBe(CHECKPOINT_STREAM);
      expect(openCheckpoint(String(mine[0]!.data.checkpoint), signer.verifier).size).toBe(sealed);
      const size = await tree.catchUp();
      const [indexed] = await tree.withLeafIndexes(mine);
      expect(indexed!.leafIndex).toBeGreaterThanOrEqual(sealed!);
      expect(indexed!.leafIndex).toBeLessThan(size);
      tree.nodes.close();
    });
  });
}

function event(): NewEvent {
  const data = { n: randomUUID() };
  return {
    eventId: randomUUID(),
    type: 'TreeTested',
    schemaVersion: 1,
    occurredAt: '2026-01-15T09:30:00.000Z',
    recordedAt: '2026-01-15T09:30:01.000Z',
    source: 'tree-contract',
    actor: 'tester',
    correlationId: randomUUID(),
    causationId: null,
    data,
    contentDigest: `d:${data.n}`,
  };
}
