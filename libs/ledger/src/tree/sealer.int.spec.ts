import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../core/envelope';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { SqliteTreeStore } from '../sqlite/sqlite-tree-store';
import { openCheckpoint } from '../tlog/checkpoint';
import { generateSignerKey, parseSignerKey } from '../tlog/signed-note';
import { LedgerTree } from './ledger-tree';
import { CHECKPOINT_STREAM, Sealer } from './sealer';
import { testEvent } from '@peil/testing';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const event = (n: number): NewEvent => testEvent(n, 'sealer-spec');

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'peil-sealer-'));
  dirs.push(dir);
  const store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
  const signer = parseSignerKey(generateSignerKey('peil-ledger/sealer-test'));
  let now = Date.parse('2026-01-15T09:30:30.000Z'); // 29 s after the events' recordedAt
  const clock = { now: () => new Date(now), advance: (ms: number) => (now += ms) };
  const sealer = (file = 'tree.sqlite') =>
    new Sealer(store, new LedgerTree(store, new SqliteTreeStore(join(dir, file))), { origin: signer.name, signer, every: 10, intervalMs: 60_000, now: clock.now });
  const append = async (count: number) => {
    for (let i = 0; i < count; i++) await store.append(`s-${i % 3}`, [event(i)], 'any');
  };
  return { store, signer, clock, sealer, append };
}

describe('Sealer', () => {
  it('records a signed checkpoint every N events, of the tree just before it, and none while only checkpoints were added', async () => {
    const { store, signer, sealer, append } = await setup();
    const s = sealer();
    await append(25);
    await expect(s.tick()).resolves.toBe(25);
    await expect(s.tick()).resolves.toBeNull();
    await append(9);
    await expect(s.tick()).resolves.toBeNull();
    await append(1);
    await expect(s.tick()).resolves.toBe(36);
    const checkpoints = await store.readStream(CHECKPOINT_STREAM);
    expect(checkpoints.map((e) => e.data.size)).toEqual([25, 36]);
    const [first] = checkpoints;
    expect(first!.position).toBe(26);
    const opened = openCheckpoint(String(first!.data.checkpoint), signer.verifier);
    expect(opened.size).toBe(25);
    expect(opened.root.toString('base64')).toBe(first!.data.root);
  });

  it('records one after the interval when other events were appended, and not when nothing but checkpoints was', async () => {
    const { store, clock, sealer, append } = await setup();
    const s = sealer();
    await append(3);
    await expect(s.tick()).resolves.toBeNull();
    clock.advance(60_000);
    await expect(s.tick()).resolves.toBe(3);
    await append(1);
    await expect(s.tick()).resolves.toBeNull();
    clock.advance(60_000);
    await expect(s.tick()).resolves.toBe(5);
    clock.advance(600_000);
    await expect(s.tick()).resolves.toBeNull();
    expect((await store.readStream(CHECKPOINT_STREAM)).length).toBe(2);
  });

  it('with several sealers (each with its own tree copy), each checkpoint is written exactly once', async () => {
    const { store, sealer, append } = await setup();
    const sealers = [sealer('a.sqlite'), sealer('b.sqlite'), sealer('c.sqlite')];
    await append(30);
    const results = await Promise.all(sealers.map((s) => s.tick()));
    expect(results.filter((r) => r !== null)).toEqual([30]);
    await Promise.all(sealers.map((s) => s.tick()));
    expect((await store.readStream(CHECKPOINT_STREAM)).map((e) => e.data.size)).toEqual([30]);
  });
});
