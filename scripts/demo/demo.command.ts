import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiBase } from '../tlog/audit.command';
import { parseArgs, single, UsageError } from '../tlog/cli-args';
import { DemoClient, DemoError, type EventResult } from './client';
import { generatePilot } from './pilot';
import { Progress } from './progress';
import { summaryText, tallyOf, type Tally } from './summary';

export const DEMO_USAGE = `  demo [--url <base URL>] [--households N] [--seed S] [--json]
                                          post a realistic 18-month pilot (the JSDF grant, catalogue, market
                                          assessments, N households, default 1500, at most 1500) to the running
                                          system through its HTTP API, with the keys of PEIL_DATA_DIR/api-keys.json;
                                          deterministic per seed (default peil): a second run changes nothing.
                                          --url defaults to http://PEIL_HOST:PEIL_PORT; --json prints the summary
                                          as JSON. Exit 0 done, 1 an event was rejected, 2 usage, 3 unreachable
`;

const ROLES = ['ngo', 'supervisor', 'finance', 'donor'] as const;

export interface DemoIo {
  out(text: string): void;
  err(text: string): void;
  isTty: boolean;
}

/** `peil-ledger demo`: generate the pilot, post it month by month, then print what the reports say. */
/** Where the system runs, from the same configuration `npm start` reads (PEIL_DATA_DIR, PEIL_HOST, PEIL_PORT). */
export interface DemoTarget {
  dataDir: string;
  host: string;
  port: number;
}

export async function demoCommand(args: readonly string[], target: DemoTarget, io: DemoIo): Promise<number> {
  const parsed = parseArgs(args.filter((a) => a !== '--json'), ['--url', '--households', '--seed']);
  if (parsed.positional.length > 0) throw new UsageError(`demo takes no arguments (got ${parsed.positional.join(' ')})`);
  const households = Number(single(parsed, '--households') ?? '1500');
  if (!/^\d+$/.test(single(parsed, '--households') ?? '1500') || households < 1 || households > 1500) {
    throw new UsageError('--households must be a whole number from 1 to 1500 (the programme capacity)');
  }
  const seed = single(parsed, '--seed') ?? 'peil';
  if (!/^[\w.-]{1,64}$/.test(seed)) throw new UsageError('--seed must be 1–64 letters, digits, . _ or -');
  // A server listening on every interface is reached on loopback.
  const host = target.host === '0.0.0.0' || target.host === '::' ? '127.0.0.1' : target.host.includes(':') ? `[${target.host}]` : target.host;
  const api = apiBase(single(parsed, '--url') ?? `http://${host}:${target.port}`);
  const json = args.includes('--json');
  const client = new DemoClient(api, readKeys(target.dataDir));

  const started = Date.now();
  const pilot = generatePilot({ seed, households });
  const before = await client.report('beneficiaries');
  const progress = new Progress(io, pilot.events, !json);
  const results: Array<{ type: string; result: EventResult }> = [];
  for (const submission of pilot.submissions) {
    const answers = await client.submit(submission);
    answers.forEach((result, i) => results.push({ type: submission.events[i]!.type, result }));
    const rejected = answers.filter((r) => r.status === 'rejected');
    progress.advance(submission, answers);
    if (rejected.length > 0) {
      progress.done();
      for (const r of rejected) {
        const event = submission.events.find((e) => e.eventId === r.eventId);
        io.err(`rejected ${event?.type ?? '?'} ${r.eventId} (${submission.context}, ${submission.month}): ${r.error?.code}: ${r.error?.message}${r.error?.path ? ` at ${r.error.path}` : ''}\n`);
      }
      io.err('peil-ledger demo: the system refused events of the generated pilot: a bug in the generator, unless this ledger already holds a demo run with another --seed or --households (start from an empty PEIL_DATA_DIR); stopped\n');
      return 1;
    }
  }
  progress.done();
  const tally: Tally = tallyOf(results);
  const [grant, assets, beneficiaries] = [await client.report('grant-statement'), await client.report('asset-register'), await client.report('beneficiaries')];
  const summary = {
    seed, households, api, dashboard: `${new URL(api).origin}/`, elapsedMs: Date.now() - started,
    ledger: { before: before.treeSize as number, after: beneficiaries.treeSize as number },
    events: tally,
    reports: {
      households: beneficiaries.households,
      grant: grant.grants.find((g: { grantId: string }) => g.grantId === pilot.grantId)?.totals ?? null,
      grantAmountMinor: pilot.grantAmountMinor,
      assets: assets.totals,
    },
  };
  io.out(json ? `${JSON.stringify(summary, null, 2)}\n` : summaryText(summary));
  return 0;
}

/** The role keys the system generated into its data dir on first start (as `npm start` says). */
function readKeys(dataDir: string): Record<(typeof ROLES)[number], string> {
  const file = join(dataDir, 'api-keys.json');
  if (!existsSync(file)) throw new DemoError(`no API keys at ${file}: start the system first (npm start), with the same PEIL_DATA_DIR`, 2);
  const keys = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const missing = ROLES.filter((r) => typeof keys[r] !== 'string');
  if (missing.length > 0) throw new DemoError(`${file} has no key for ${missing.join(', ')}: the demo submits as ngo, supervisor and finance and reads as donor`, 2);
  return keys as Record<(typeof ROLES)[number], string>;
}
