import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { LedgerTree, packLines, SqliteTreeStore, type EventStore } from '@peil/ledger';
import { ledgerTreeFile, loadLedgerIdentity } from '@peil/platform/ledger';
import { EXIT, parseArgs, single, sizeOption, UsageError } from './cli-args';

export const EXPORT_USAGE = `  export [--size n] [--out file]         write the audit pack (NDJSON: signed checkpoint, then the first n events,
                                          default all) from the data dir, no server needed; stdout without --out`;

/** `export`: the same pack GET /v1/ledger/export streams, written from the data dir. */
export async function exportCommand(args: readonly string[], store: EventStore, dataDir: string): Promise<number> {
  const parsed = parseArgs(args, ['--size', '--out']);
  if (parsed.positional.length > 0) throw new UsageError(`unexpected argument ${parsed.positional[0]}`);
  const size = sizeOption(parsed, '--size');
  const outFile = single(parsed, '--out');
  const { origin, signer } = loadLedgerIdentity(process.env, dataDir);
  const tree = new LedgerTree(store, new SqliteTreeStore(ledgerTreeFile(dataDir)));
  try {
    const current = await tree.catchUp();
    if (size !== undefined && size > current) throw new UsageError(`--size ${size} is beyond the tree (size ${current})`);
    const out = outFile ? createWriteStream(outFile, { mode: 0o600 }) : process.stdout;
    for await (const chunk of packLines({ store, tree, origin, signer }, size)) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (outFile) {
      out.end();
      await once(out, 'finish');
      process.stderr.write(`audit pack of ${size ?? current} events written to ${outFile}\n`);
    }
    return EXIT.intact;
  } finally {
    tree.nodes.close();
  }
}
