import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HashedEnvelope, NewEvent } from '../core/envelope';
import { hashEnvelope } from '../core/hash-chain';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { SqliteTreeStore } from '../sqlite/sqlite-tree-store';
import { signCheckpoint } from '../tlog/checkpoint';
import { generateSignerKey, parseSignerKey } from '../tlog/signed-note';
import { LedgerTree } from '../tree/ledger-tree';
import { packLines } from './pack-writer';
import { verifyPack } from './pack-verifier';
import { verifyPackFile } from './verify-pack-file';
import { testEvent } from '@peil/testing';
import fc from 'fast-check';

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

describe('verifyPackFile: the pack checked in byte ranges, joined as one pass', () => {
  // Hundreds of small packs verified twice each: seconds when idle, more on a loaded machine.
  jest.setTimeout(120_000);

  // Each way a pack's lines can differ from what was exported, at a place fast-check picks.
  type Change = (lines: string[], at: number, other: number) => string[];
  const changes: Record<string, Change> = {
    intact: (lines) => lines,
    crlf: (lines) => lines.map((l) => `${l}\r`),
    'empty line': (lines, at) => [...lines.slice(0, at), '', ...lines.slice(at)],
    'data changed': (lines, at) => lines.map((l, i) => (i === at ? l.replace(/enc:v1:(\d+)/, (_, n) => `enc:v1:${Number(n) + 1}`) : l)),
    'lines swapped': (lines, at, other) => lines.map((l, i) => (i === at ? lines[other]! : i === other ? lines[at]! : l)),
    'line dropped': (lines, at) => lines.filter((_, i) => i !== at),
    'line repeated': (lines, at) => [...lines.slice(0, at + 1), ...lines.slice(at)],
    'leaf index changed': (lines, at) => lines.map((l, i) => (i === at ? l.replace(/"leafIndex":(\d+)/, (_, n) => `"leafIndex":${Number(n) + 1}`) : l)),
    // Every event from one on claims the next leaf: consistent within a range, caught only where ranges meet.
    'leaf indexes shifted': (lines, at) => lines.map((l, i) => (i >= at ? l.replace(/"leafIndex":(\d+)/, (_, n) => `"leafIndex":${Number(n) + 1}`) : l)),
    // Positions are not hashed: from one event on, each repeats its predecessor's (one pass: position_order).
    'positions lowered': (lines, at) => lines.map((l, i) => (i >= Math.max(2, at) ? l.replace(/"position":(\d+)/, (_, n) => `"position":${Number(n) - 1}`) : l)),
    // Rewritten with a hash that matches: only the next event of its stream (perhaps in the next range) shows it.
    'event rewritten': (lines, at) => lines.map((l, i) => (i === Math.max(1, at) ? rehashed(l) : l)),
    'lone carriage return': (lines, at) => lines.map((l, i) => (i === at ? l.replace(',', ',\r') : l)),
    'not JSON': (lines, at) => lines.map((l, i) => (i === at ? l.replace('{', '[') : l)),
  };
  function rehashed(line: string): string {
    const event = JSON.parse(line) as HashedEnvelope & { hash: string; data: { n: number } };
    event.data = { ...event.data, n: event.data.n + 1 };
    return JSON.stringify({ ...event, hash: hashEnvelope(event) });
  }
  // Changes a range can vouch for: the pack is still intact, so no one-pass rerun is needed.
  const stillIntact = new Set(['intact', 'crlf', 'empty line']);

  it('reports what one pass reports, for intact and altered packs, any cut into ranges and any trusted checkpoints (fast-check)', async () => {
    const { pack, checkpointAt } = await ledger();
    // A pack of 36 of the 40 events, so that a trusted checkpoint of 40 lies beyond it.
    const lines = await pack(36);
    const dir = mkdtempSync(join(tmpdir(), 'peil-pack-ranges-'));
    dirs.push(dir);
    const onePass = jest.fn();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(changes)),
        fc.nat({ max: lines.length - 1 }),
        fc.nat({ max: lines.length - 1 }),
        fc.integer({ min: 2, max: 6 }),
        fc.subarray([0, 1, 17, 36, 40]),
        fc.boolean(),
        async (change, at, other, ranges, trustedSizes, finalNewline) => {
          const changed = changes[change]!(lines, at, other);
          const file = join(dir, `pack-${run++}.ndjson`);
          writeFileSync(file, changed.join('\n') + (finalNewline ? '\n' : ''));
          const trusted = await Promise.all(trustedSizes.map((n) => checkpointAt(n)));
          const expected = await verifyPackFile(file, { key, trusted, ranges: 1 });
          onePass.mockClear();
          const actual = await verifyPackFile(file, { key, trusted, ranges, inThread: true, onOnePass: onePass });
          expect(actual).toEqual(expected);
          // The header (line 0) is not an event line: changing it is the header's business, not a range's.
          if (stillIntact.has(change)) expect(onePass).not.toHaveBeenCalled();
        },
      ),
      { seed: 1016, numRuns: 120 },
    );
  });

  it('finds, where ranges meet, a chain, a leaf index or a position that each range alone cannot see: every line, every cut', async () => {
    const { pack } = await ledger();
    const lines = await pack(36);
    const dir = mkdtempSync(join(tmpdir(), 'peil-pack-joins-'));
    dirs.push(dir);
    let n = 0;
    for (const change of ['event rewritten', 'leaf indexes shifted', 'positions lowered']) {
      for (let at = 1; at < lines.length; at++) {
        const file = join(dir, `pack-${n++}.ndjson`);
        writeFileSync(file, changes[change]!(lines, at, at).join('\n'));
        const expected = await verifyPackFile(file, { key, ranges: 1 });
        expect(expected.ok).toBe(false);
        for (let ranges = 2; ranges <= 6; ranges++) expect(await verifyPackFile(file, { key, ranges, inThread: true })).toEqual(expected);
      }
    }
  });
});
