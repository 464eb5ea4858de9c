import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEvent } from '@peil/testing';

/**
 * The worker threads run compiled JavaScript, so this spec drives the built ledger (dist/): each
 * byte range of the pack is checked by a real worker reading the file itself.
 */
const DIST_LEDGER = join(__dirname, '../../../../dist/libs/ledger/src/index.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const built = () => require(DIST_LEDGER) as typeof import('../index');

// Generous: on a loaded machine starting workers and writing 3,000 events takes a while; nothing here depends on timing.
jest.setTimeout(180_000);

describe('verifyPackFile with worker threads (built ledger)', () => {
  let dir: string;
  let packFile: string;
  let signer: ReturnType<ReturnType<typeof built>['parseSignerKey']>;

  beforeAll(async () => {
    if (!existsSync(DIST_LEDGER)) throw new Error(`${DIST_LEDGER} is missing: run \`npm run build\` first`);
    const { SqliteEventStore, LedgerTree, SqliteTreeStore, generateSignerKey, parseSignerKey, packLines } = built();
    dir = mkdtempSync(join(tmpdir(), 'peil-pack-workers-'));
    signer = parseSignerKey(generateSignerKey('peil-ledger/pack-workers'));
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    // 3,000 events over 7 streams, 50 at a time: each range starts inside streams begun before it.
    for (let i = 0; i < 60; i++) store.appendSync(`household-${i % 7}`, Array.from({ length: 50 }, (_, k) => testEvent(i * 50 + k, 'e2e')), 'any');
    const tree = new LedgerTree(store, new SqliteTreeStore(join(dir, 'tree.sqlite')));
    packFile = join(dir, 'pack.ndjson');
    const out = createWriteStream(packFile);
    for await (const chunk of packLines({ store, tree, origin: signer.name, signer })) if (!out.write(chunk)) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    tree.nodes.close();
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies an intact pack in three ranges, with the report of one pass and no pass of its own', async () => {
    const { verifyPackFile } = built();
    const onOnePass = jest.fn();
    const inRanges = await verifyPackFile(packFile, { key: signer.verifier, ranges: 3, onOnePass });
    expect(onOnePass).not.toHaveBeenCalled();
    expect(inRanges).toMatchObject({ ok: true, checkedEvents: 3000, size: 3000, signatureChecked: true });
    expect(inRanges).toEqual(await verifyPackFile(packFile, { key: signer.verifier, ranges: 1 }));
  });

  it('names the same first failure as one pass, for an event of the middle range rewritten with a matching hash', async () => {
    const { verifyPackFile, hashEnvelope } = built();
    const lines = readFileSync(packFile, 'utf8').split('\n');
    const event = JSON.parse(lines[1500]!);
    event.data = { ...event.data, n: -1 };
    event.hash = hashEnvelope(event);
    lines[1500] = JSON.stringify(event);
    const tampered = join(dir, 'tampered.ndjson');
    writeFileSync(tampered, lines.join('\n'));
    const onOnePass = jest.fn();
    const inRanges = await verifyPackFile(tampered, { key: signer.verifier, ranges: 3, onOnePass });
    expect(onOnePass).toHaveBeenCalledTimes(1);
    expect(inRanges).toEqual(await verifyPackFile(tampered, { key: signer.verifier, ranges: 1 }));
    // Line 1500 is event 1499, the last of a batch of 50 on household-1; that stream's next event,
    // which no longer chains to it, is event 1800 (seven streams take turns).
    expect(inRanges).toMatchObject({ ok: false, firstFailure: { index: 1800, reason: 'chain_broken' } });
  });
});
