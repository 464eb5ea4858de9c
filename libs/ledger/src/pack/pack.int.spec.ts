import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../core/envelope';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { SqliteTreeStore } from '../sqlite/sqlite-tree-store';
import { signCheckpoint } from '../tlog/checkpoint';
import { generateSignerKey, parseSignerKey } from '../tlog/signed-note';
import { LedgerTree } from '../tree/ledger-tree';
import { packLines } from './pack-writer';
import { verifyPack } from './pack-verifier';
import { testEvent } from '@peil/testing';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const event = (n: number): NewEvent => testEvent(n, 'pack-spec', { n, name: `enc:v1:${n}` });

const signer = parseSignerKey(generateSignerKey('peil-ledger/pack-test'));
const key = signer.verifier;

async function ledger(events = 40) {
  const dir = mkdtempSync(join(tmpdir(), 'peil-pack-'));
  dirs.push(dir);
  const store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
  for (let i = 0; i < events; i++) await store.append(`s-${i % 5}`, [event(i)], 'any');
  const tree = new LedgerTree(store, new SqliteTreeStore(join(dir, 'tree.sqlite')));
  const source = { store, tree, origin: signer.name, signer };
  const pack = async (size?: number) => {
    const text: string[] = [];
    for await (const chunk of packLines(source, size)) text.push(chunk);
    return text.join('').split('\n').filter((l) => l !== '');
  };
  const checkpointAt = async (size: number) => {
    await tree.catchUp();
    return signCheckpoint({ origin: signer.name, size, root: tree.root(size) }, signer);
  };
  return { store, tree, pack, checkpointAt };
}

async function* over(lines: string[]) {
  yield* lines;
}

describe('audit pack: export and offline verification', () => {
  it('a fresh pack verifies with the trusted key and earlier trusted checkpoints', async () => {
    const { pack, checkpointAt, store } = await ledger();
    const old = await checkpointAt(25);
    await store.append('s-1', [event(100)], 'any');
    const lines = await pack();
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'peil-ledger-pack/1', origin: signer.name, size: 41, verifierKey: key.text });
    const result = await verifyPack(over(lines), { key, trusted: [old, await checkpointAt(0), await checkpointAt(41)] });
    expect(result).toMatchObject({ ok: true, checkedEvents: 41, size: 41, signatureChecked: true });
    expect(result.trusted.map((t) => t.ok)).toEqual([true, true, true]);
  });

  it('without a trusted key the signature is not checked and the pack is not ok', async () => {
    const { pack } = await ledger(5);
    const result = await verifyPack(over(await pack()));
    expect(result).toMatchObject({ ok: false, signatureChecked: false, firstFailure: { reason: 'signature_not_checked' } });
  });

  it('one changed byte in an event names that event; a dropped last line is missing events', async () => {
    const { pack } = await ledger();
    const lines = await pack();
    const changed = [...lines];
    changed[18] = changed[18]!.replace('enc:v1:17', 'enc:v1:18');
    expect((await verifyPack(over(changed), { key })).firstFailure).toMatchObject({ index: 17, reason: 'hash_mismatch', position: 18 });
    const broken = [...lines];
    broken[9] = broken[9]!.replace('{', '[');
    expect((await verifyPack(over(broken), { key })).firstFailure).toMatchObject({ index: 8, reason: 'unreadable' });
    expect((await verifyPack(over(lines.slice(0, -1)), { key })).firstFailure).toMatchObject({ index: 39, reason: 'missing_events' });
  });

  it('a pack of a smaller size proves smaller trusted checkpoints and refuses a larger one', async () => {
    const { pack, checkpointAt } = await ledger();
    const lines = await pack(30);
    expect((await verifyPack(over(lines), { key, trusted: [await checkpointAt(12), await checkpointAt(30)] })).ok).toBe(true);
    const larger = await verifyPack(over(lines), { key, trusted: [await checkpointAt(12), await checkpointAt(35)] });
    expect(larger.ok).toBe(false);
    expect(larger.trusted).toEqual([{ size: 12, ok: true }, { size: 35, ok: false, reason: 'trusted_checkpoint_beyond_pack' }]);
  });

  it('a pack signed by another key, or a trusted checkpoint of another history, fails', async () => {
    const { pack } = await ledger(12);
    const other = await ledger(12);
    const lines = await pack();
    const impostor = parseSignerKey(generateSignerKey(signer.name));
    expect((await verifyPack(over(lines), { key: impostor.verifier })).firstFailure).toMatchObject({ reason: 'bad_signature' });
    // The same origin and key over a different history of the same size: what a rewrite looks like.
    const result = await verifyPack(over(lines), { key, trusted: [await other.checkpointAt(10)] });
    expect(result.trusted).toEqual([{ size: 10, ok: false, reason: 'trusted_checkpoint_inconsistent' }]);
  });
});
