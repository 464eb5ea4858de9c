import { LedgerTree, SqliteTreeStore, TreeIntegrityError, type EventStore } from '@peil/ledger';
import { ledgerTreeFile } from '@peil/platform/ledger';
import { EXIT, UsageError } from './cli-args';

export const TREE_USAGE = `  tree status                             the Merkle tree over the ledger: size, root, and whether it agrees
                                          with the ledger (exit 1 when not)
  tree rebuild                            with the system stopped: replace the persisted tree by one built from
                                          the ledger as it is now (the only way past a tree integrity fault)`;

export async function treeCommand(args: readonly string[], store: EventStore, dataDir: string, out: (text: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  if (rest.length > 0 || (sub !== 'status' && sub !== 'rebuild')) throw new UsageError('tree takes one of: status, rebuild');
  const tree = new LedgerTree(store, new SqliteTreeStore(ledgerTreeFile(dataDir)));
  try {
    if (sub === 'rebuild') {
      const size = await tree.rebuild();
      out(`${JSON.stringify({ ok: true, rebuilt: true, size, root: tree.root(size).toString('base64') }, null, 2)}\n`);
      return EXIT.intact;
    }
    try {
      await tree.catchUp();
      await tree.verifyAgainstLedger();
    } catch (err) {
      if (!(err instanceof TreeIntegrityError)) throw err;
      out(`${JSON.stringify({ ok: false, size: tree.size(), fault: { index: err.index, position: err.position, reason: err.reason } }, null, 2)}\n`);
      return EXIT.integrity;
    }
    out(`${JSON.stringify({ ok: true, size: tree.size(), root: tree.root().toString('base64') }, null, 2)}\n`);
    return EXIT.intact;
  } finally {
    tree.nodes.close();
  }
}
