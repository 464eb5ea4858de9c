import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateSignerKey, LedgerTree, packLines, parseSignerKey, signCheckpoint, SqliteTreeStore, verifyPack, verifyPackFile, type PackVerification } from '@peil/ledger';
import { eventBatch, freshHousehold } from '@peil/testing';
import { type BenchContext, type BenchRow, type BenchSection, msSince, percentile } from './harness';
import { TARGETS } from './targets';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Latencies of `runs` calls of `fn` (sorted, ms). */
async function latencies(runs: number, fn: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    out.push(msSince(start));
  }
  return out.sort((a, b) => a - b);
}

function latencyRow(metric: string, sorted: number[], target: number, note: string): BenchRow {
  return { metric, value: percentile(sorted, 99), unit: 'ms', better: 'lower', target, note: `p50 ${percentile(sorted, 50).toFixed(2)} ms over ${sorted.length} calls; ${note}` };
}

/**
 * The transparency log at 1,000,000 events: catching the persisted tree up, signed checkpoints and
 * proofs (from stored subtree hashes, no recomputation over the leaves), append throughput with the
 * tree kept current after every append versus without, and offline pack verification.
 */
export const tlogBench: BenchSection = {
  name: 'tlog',
  title: 'Transparency log: tree, checkpoints, proofs, packs (1,000,000 events)',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const events = ctx.ensureLedgerEvents(ctx.scale(1_000_000));
    const store = ctx.ledger();
    const signer = parseSignerKey(generateSignerKey('peil-ledger/bench'));
    const tree = new LedgerTree(store, new SqliteTreeStore(join(ctx.dir, 'ledger-tree.sqlite')));
    try {
      const buildStart = process.hrtime.bigint();
      const size = await tree.catchUp();
      const buildMs = msSince(buildStart);
      const rows: BenchRow[] = [
        { metric: 'tree catch-up (build from the ledger)', value: (size / buildMs) * 1000, unit: 'ev/s', relativeTo: { label: 'store append target', value: TARGETS.storeAppendBatched }, note: `${fmt(size)} leaves in ${(buildMs / 1000).toFixed(1)} s` },
      ];

      const checkpoint = await latencies(ctx.quick ? 50 : 300, async () => {
        const n = await tree.catchUp();
        signCheckpoint({ origin: signer.name, size: n, root: tree.root(n) }, signer);
      });
      rows.push(latencyRow('signed checkpoint (catch-up + root + sign)', checkpoint, TARGETS.tlogProofMs, `tree of ${fmt(size)}`));
      const inclusion = await latencies(ctx.quick ? 100 : 1000, (i) => tree.inclusionProof((i * 7919) % size, size));
      rows.push(latencyRow('inclusion proof', inclusion, TARGETS.tlogProofMs, `random leaves of ${fmt(size)}`));
      const consistency = await latencies(ctx.quick ? 100 : 1000, (i) => tree.consistencyProof(1 + ((i * 104_729) % (size - 1)), size));
      rows.push(latencyRow('consistency proof', consistency, TARGETS.tlogProofMs, `random old sizes to ${fmt(size)}`));

      // Append throughput, batches of 1,000, without and then with the tree caught up after every append.
      const appendEvents = ctx.scale(100_000);
      const appendRate = async (withTree: boolean) => {
        let ms = 0;
        for (let done = 0; done < appendEvents; done += 1000) {
          const household = freshHousehold(withTree ? 'tlog-tree' : 'tlog-plain');
          const batch = eventBatch(household, done, 1000);
          const start = process.hrtime.bigint();
          store.appendSync(`household-${household}`, batch, 'no_stream');
          if (withTree) await tree.catchUp();
          ms += msSince(start);
        }
        return (appendEvents / ms) * 1000;
      };
      const plain = await appendRate(false);
      const kept = await appendRate(true);
      rows.push({ metric: 'store append, batch 1,000, without tree', value: plain, unit: 'ev/s', target: TARGETS.storeAppendBatched, note: `${fmt(appendEvents)} ev` });
      rows.push({
        metric: 'store append, batch 1,000, tree kept current',
        value: kept,
        unit: 'ev/s',
        relativeTo: { label: 'without tree', value: plain },
        note: `${fmt(appendEvents)} ev, the tree caught up after every append (target: within 10% of without); ${Math.round((1 - kept / plain) * 100)}% slower`,
      });

      // Offline verification of an audit pack of the whole ledger.
      const packFile = join(ctx.dir, 'pack.ndjson');
      const out = createWriteStream(packFile);
      for await (const chunk of packLines({ store, tree, origin: signer.name, signer })) if (!out.write(chunk)) await once(out, 'drain');
      out.end();
      await once(out, 'finish');
      const timed = async (verify: () => Promise<PackVerification>) => {
        const start = process.hrtime.bigint();
        const result = await verify();
        const ms = msSince(start);
        if (!result.ok) throw new Error(`verify-pack failed on the bench pack: ${JSON.stringify(result.firstFailure)}`);
        return { rate: (result.checkedEvents / ms) * 1000, checked: result.checkedEvents };
      };
      const onePass = await timed(() => verifyPack(createInterface({ input: createReadStream(packFile, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity }), { key: signer.verifier }));
      const inRanges = await timed(() => verifyPackFile(packFile, { key: signer.verifier }));
      rows.push({
        metric: 'verify-pack',
        value: inRanges.rate,
        unit: 'ev/s',
        target: TARGETS.verifyPack,
        relativeTo: { label: 'one pass', value: onePass.rate },
        note: `${fmt(inRanges.checked)} ev (ledger of ${fmt(events)} + appends), lines checked by ${Math.min(4, availableParallelism())} worker threads; one pass ${fmt(onePass.rate)} ev/s`,
      });
      return rows;
    } finally {
      tree.nodes.close();
    }
  },
};
