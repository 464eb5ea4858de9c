import { readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerTree, SqliteEventStore, SqliteTreeStore, TreeIntegrityError, verifyLedger } from '@peil/ledger';
import { ConfigError } from '@peil/config';
import { loadPlatformConfig } from '@peil/platform/config';
import { ledgerTreeFile } from '@peil/platform/ledger';
import { healthReason, ledgerFile } from '@peil/platform/nest';
import { deriveDigestKey, loadMasterKey } from '@peil/platform/privacy';
import { MemoryReadStore, MongoReadStore, SqliteReadStore, type ReadStore } from '@peil/projections';
import { householdRefFunction, loadFiscalYearStartMonth, loadIatiPublisher, loadReadStoreConfig, ReportEngine, ReportRefusedError, ReportRequestError, type ReadStoreConfig } from '@peil/reports';
import { DemoError } from './demo/client';
import { demoCommand, DEMO_USAGE } from './demo/demo.command';
import { KEYS_USAGE, keysCommand } from './keys';
import { auditCommand, AUDIT_USAGE } from './tlog/audit.command';
import { parseArgs, single, UsageError } from './tlog/cli-args';
import { exportCommand, EXPORT_USAGE } from './tlog/export.command';
import { treeCommand, TREE_USAGE } from './tlog/tree.command';
import { verifyPackCommand, VERIFY_PACK_USAGE } from './tlog/verify-pack.command';

const REPORT_USAGE = `  report <name> [--as-of <position|size:<tree size>|ISO time>] [--period YYYYQn] [--format json|csv|xml] [--bom false]
                                          compute a report from the ledger (no server needed): with --as-of by
                                          replaying the ledger up to there; without, from the read models
                                          brought up to the ledger's head first
                                          names: grant-statement, ifr (--period, --format json|csv), asset-register,
                                          beneficiaries, indicators, iati
`;

const USAGE = `usage: peil-ledger <command> [options]   (data in PEIL_DATA_DIR, default ./data)
       peil-ledger --version | --help | <command> --help
  Exit codes: 0 ok, 1 integrity failure, 2 usage error, 3 server unreachable.

  verify                                  check every hash, chain and position; exit 0 only when intact
  rebuild                                 with the system stopped: drop the read models, rebuild them from the ledger
${REPORT_USAGE}${KEYS_USAGE}  The read models are those of PEIL_READ_STORE (sqlite: <data dir>/read-models.sqlite; mongo: PEIL_MONGO_URL).

  Transparency log (exit codes: 0 intact, 1 integrity failure, 2 usage error, 3 server unreachable):
${EXPORT_USAGE}
${VERIFY_PACK_USAGE}
${AUDIT_USAGE}
${TREE_USAGE}

  Demo (against the running system, through its HTTP API):
${DEMO_USAGE}`;

/** The configured read store; a CLI run fails (after one server-selection timeout) rather than waiting for MongoDB. */
async function openReadStore(config: ReadStoreConfig): Promise<ReadStore> {
  if (config.kind === 'sqlite') return new SqliteReadStore(config.file);
  try {
    return await MongoReadStore.connect(config.url, { serverSelectionTimeoutMS: 10_000 });
  } catch (err) {
    // Never the URL: it may hold a password.
    throw new Error(`read store (MongoDB at PEIL_MONGO_URL) unreachable: ${healthReason(err)}`);
  }
}

/** What `<command> --help` prints: the command's lines of the usage text. */
const COMMAND_USAGE: Readonly<Record<string, string>> = {
  verify: '  verify                                  check every hash, chain and position; exit 0 only when intact\n',
  rebuild: '  rebuild                                 with the system stopped: drop the read models, rebuild them from the ledger\n',
  report: REPORT_USAGE,
  keys: KEYS_USAGE,
  export: `${EXPORT_USAGE}\n`,
  'verify-pack': `${VERIFY_PACK_USAGE}\n`,
  audit: `${AUDIT_USAGE}\n`,
  tree: `${TREE_USAGE}\n`,
  demo: DEMO_USAGE,
};

function version(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** A command that takes no arguments refuses any: a typo must not be silently ignored. */
function noArguments(command: string, args: readonly string[]): void {
  const { positional } = parseArgs(args, []);
  if (positional.length > 0) throw new UsageError(`${command} takes no arguments (got ${positional.join(' ')})`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const out = (text: string) => void writeSync(1, text);
  if (command === '--version' || command === '-V') {
    out(`peil-ledger ${version()}\n`);
    return 0;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out(USAGE);
    return 0;
  }
  if (!Object.hasOwn(COMMAND_USAGE, command)) throw new UsageError(`unknown command ${command}`);
  if (args.includes('--help') || args.includes('-h')) {
    out(`usage: peil-ledger\n${COMMAND_USAGE[command]}`);
    return 0;
  }
  // These need neither a data dir nor a server of ours: dispatched before anything is opened.
  if (command === 'verify-pack') return verifyPackCommand(args, out);
  if (command === 'audit') return auditCommand(args, process.env, out);
  const config = loadPlatformConfig();
  // Before the ledger is opened: key commands touch only the gateway's key registry.
  if (command === 'keys') return keysCommand(args, config.dataDir, { out: (t) => writeSync(1, t), err: (t) => writeSync(2, t) });
  if (command === 'demo') return demoCommand(args, { dataDir: config.dataDir, host: config.PEIL_HOST, port: config.PEIL_PORT }, { out, err: (t) => void writeSync(2, t), isTty: process.stderr.isTTY === true });
  const householdRef = () => householdRefFunction(deriveDigestKey(loadMasterKey(process.env, config.dataDir)));
  const store = new SqliteEventStore(ledgerFile(config.dataDir));
  try {
    switch (command) {
      case 'verify': {
        noArguments('verify', args);
        const report = await verifyLedger(store);
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return report.ok ? 0 : 1;
      }
      case 'rebuild': {
        noArguments('rebuild', args);
        const readStore = await openReadStore(loadReadStoreConfig(config.dataDir));
        try {
          const engine = new ReportEngine(store, readStore, householdRef(), { iatiPublisher: loadIatiPublisher(), fiscalYearStartMonth: loadFiscalYearStartMonth() });
          const started = Date.now();
          const position = await engine.rebuild();
          process.stdout.write(`read models rebuilt from the ledger up to position ${position ?? 0} in ${Date.now() - started} ms\n`);
          return 0;
        } finally {
          await readStore.close();
        }
      }
      case 'report': {
        const parsed = parseArgs(args, ['--as-of', '--period', '--format', '--bom']);
        if (parsed.positional.length !== 1) throw new UsageError('report takes one report name');
        const name = parsed.positional[0]!;
        const asOf = single(parsed, '--as-of');
        const period = single(parsed, '--period');
        const format = single(parsed, '--format');
        const bom = single(parsed, '--bom');
        // As of a position: a replay into memory, the same projections the service runs; the read
        // store is not even opened. At the head: the read models, caught up first, as the service does.
        const readStore = asOf ? new MemoryReadStore() : await openReadStore(loadReadStoreConfig(config.dataDir));
        const tree = new LedgerTree(store, new SqliteTreeStore(ledgerTreeFile(config.dataDir)));
        try {
          const engine = new ReportEngine(store, readStore, householdRef(), { tree, iatiPublisher: loadIatiPublisher(), fiscalYearStartMonth: loadFiscalYearStartMonth() });
          const answer = await engine.report(name, { ...(asOf ? { asOf } : {}), ...(period ? { period } : {}), ...(format ? { format } : {}), ...(bom ? { bom } : {}) });
          writeSync(1, answer.body);
          return 0;
        } finally {
          tree.nodes.close();
          await readStore.close();
        }
      }
      case 'export':
        return await exportCommand(args, store, config.dataDir);
      case 'tree':
        return await treeCommand(args, store, config.dataDir, out);
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`peil-ledger: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    // The tree disagrees with the ledger: an integrity finding, reported as such (see `tree status`).
    if (err instanceof TreeIntegrityError) {
      process.stderr.write(`peil-ledger: ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof DemoError) {
      process.stderr.write(`peil-ledger demo: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    if (err instanceof ConfigError || err instanceof ReportRequestError) {
      process.stderr.write(`peil-ledger: ${err.message}\n`);
      process.exit(2);
    }
    // The read models stand on another ledger than this one: `rebuild` (with the system stopped) or --as-of.
    if (err instanceof ReportRefusedError) {
      process.stderr.write(`peil-ledger: ${err.code}: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`peil-ledger: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
