import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_ROOT, eventLeafHash, LedgerTree, MemoryTree, SqliteEventStore, SqliteTreeStore, type StoredEvent } from '@peil/ledger';
import { MemoryReadStore } from '@peil/projections';
import { writeProgrammeLedger } from '@peil/testing';
import { householdRefFunction } from './household-ref';
import { ReportEngine } from './report-engine';
import { ReportRequestError } from '../reports/catalogue';

// Every report states the Merkle tree head at its own ledger position (treeSize and the base64 root,
// as a signed checkpoint states them), and `asOf=size:<n>` is the report at the tree's n-th event.

describe('reports cite the tree head at their position', () => {
  let dir: string;
  let store: SqliteEventStore;
  let tree: LedgerTree;
  let events: StoredEvent[];
  const householdRef = householdRefFunction(randomBytes(32));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peil-report-tree-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    writeProgrammeLedger(store, 300);
    tree = new LedgerTree(store, new SqliteTreeStore(join(dir, 'tree.sqlite')));
    events = await store.readAll(null, 100_000);
  });
  afterAll(async () => {
    tree.nodes.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('treeSize and rootHash at the position, equal with the persisted tree and without it, and asOf=size:<n> is that position', async () => {
    const reference = MemoryTree.fromLeafHashes(events.map((e) => eventLeafHash(e)));
    const persisted = new ReportEngine(store, new MemoryReadStore(), householdRef, { tree });
    const computed = new ReportEngine(store, new MemoryReadStore(), householdRef);
    for (const size of [1, 57, events.length]) {
      const position = events[size - 1]!.position;
      const body = JSON.parse((await persisted.report('beneficiaries', { asOf: String(position) })).body);
      expect(body).toMatchObject({ ledgerPosition: position, treeSize: size, rootHash: reference.root(size).toString('base64') });
      expect(body).not.toHaveProperty('seal');
      expect(JSON.parse((await computed.report('beneficiaries', { asOf: String(position) })).body)).toEqual(body);
      expect((await persisted.report('beneficiaries', { asOf: `size:${size}` })).body).toBe((await persisted.report('beneficiaries', { asOf: String(position) })).body);
      expect((await computed.report('beneficiaries', { asOf: `size:${size}` })).ledgerPosition).toBe(position);
    }
    const live = JSON.parse((await persisted.report('indicators', {})).body);
    expect(live).toMatchObject({ treeSize: events.length, rootHash: reference.root().toString('base64') });
    const empty = JSON.parse((await persisted.report('beneficiaries', { asOf: 'size:0' })).body);
    expect(empty).toMatchObject({ ledgerPosition: null, treeSize: 0, rootHash: EMPTY_ROOT.toString('base64') });
  });

  it('a size beyond the tree is refused with beyond_tree on asOf', async () => {
    const engine = new ReportEngine(store, new MemoryReadStore(), householdRef, { tree });
    await expect(engine.report('beneficiaries', { asOf: `size:${events.length + 1}` })).rejects.toMatchObject({ code: 'beyond_tree', path: 'asOf' });
    await expect(engine.report('beneficiaries', { asOf: 'size:x' })).rejects.toBeInstanceOf(ReportRequestError);
  });
});
