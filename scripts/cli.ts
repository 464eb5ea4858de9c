import { writeSync } from 'node:fs';
import { SqliteEventStore, verifyLedger } from '@peil/ledger';
import { ConfigError, deriveDigestKey, ledgerFile, loadMasterKey, loadPlatformConfig } from '@peil/platform';
import { MemoryReadStore, SqliteReadStore } from '@peil/projections';
import { householdRefFunction } from '../services/reporting/src/application/household-ref';
import { ReportEngine } from '../services/reporting/src/application/report-engine';
import { readModelsFile } from '../services/reporting/src/reporting.module';
import { ReportRequestError } from '../services/reporting/src/reports/catalogue';

const USAGE = `usage: peil-ledger <command>   (data in PEIL_DATA_DIR, default ./data)

  verify                                  check every hash, chain and position; exit 0 only when intact
  rebuild                                 with the system stopped: drop the read models, rebuild them from the ledger
  report <name> [--as-of <position|ISO time>] [--period YYYYQn] [--format json|csv|xml]
                                          compute a report straight from the ledger (no server needed)
                                          names: grant-statement, asset-register, beneficiaries, indicators, iati
`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const config = loadPlatformConfig();
  const store = new SqliteEventStore(ledgerFile(config.dataDir));
  try {
    switch (command) {
      case 'verify': {
        const report = await verifyLedger(store);
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return report.ok ? 0 : 1;
      }
      case 'rebuild': {
        const readStore = new SqliteReadStore(readModelsFile(config.dataDir));
        try {
          const engine = new ReportEngine(store, readStore, householdRefFunction(deriveDigestKey(loadMasterKey(process.env, config.dataDir))));
          const started = Date.now();
          const position = await engine.rebuild();
          process.stdout.write(`read models rebuilt from the ledger up to position ${position ?? 0} in ${Date.now() - started} ms\n`);
          return 0;
        } finally {
          await readStore.close();
        }
      }
      case 'report': {
        const name = args[0];
        if (!name || name.startsWith('--')) {
          process.stderr.write(USAGE);
          return 2;
        }
        // Straight from the ledger: replay into memory, the same projections the service runs.
        const engine = new ReportEngine(store, new MemoryReadStore(), householdRefFunction(deriveDigestKey(loadMasterKey(process.env, config.dataDir))));
        const asOf = option(args, '--as-of');
        const period = option(args, '--period');
        const format = option(args, '--format');
        const answer = await engine.report(name, { ...(asOf ? { asOf } : {}), ...(period ? { period } : {}), ...(format ? { format } : {}) });
        writeSync(1, answer.body);
        return 0;
      }
      default:
        process.stderr.write(USAGE);
        return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
    }
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof ReportRequestError) {
      process.stderr.write(`peil-ledger: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`peil-ledger: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
