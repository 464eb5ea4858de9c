import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive, removeDir, startSystem, type RunningSystem } from './system';

/**
 * One started system shared by the end-to-end specs that only post and read through the public
 * API: starting the nine processes is most of such a spec's time. A spec asks for it with
 *
 *     const system = useSharedSystem();   // at describe level; filled in before the first test
 *
 * and must then
 * - keep to ids of its own (programme.ts `uniq`, fixtures' `enrolment()`), never assume an empty
 *   ledger or that it signed the first grant, and compare positions and totals before/after;
 * - not stop, kill, restart or corrupt it, nor change its keys or files (stop() and kill9() throw).
 * A spec that needs its own environment, an empty ledger, a restart or a broken file calls
 * startSystem() as before.
 *
 * Under jest the e2e project's globalSetup (`sharedSystemSetup`) makes a directory for the run; the
 * first spec of each jest worker that asks starts the worker's system (a worker runs one spec file
 * at a time, so specs never write to it concurrently), later specs attach to it, and globalTeardown
 * stops them all. Without that directory (another runner) a spec gets a system of its own.
 */
export const SHARED_SYSTEM_ENV: Readonly<Record<string, string>> = {
  // No timed background writers (flow recovery, grace releases): every ledger change comes from a
  // request, so a spec can compare the ledger head before and after what it sent.
  PEIL_RECOVERY_INTERVAL_MS: '3600000',
  PEIL_FLOW_GRACE_SECONDS: '86400',
};

const RUN_DIR = 'PEIL_E2E_SHARED_DIR';

interface SharedRecord {
  baseUrl: string;
  dataDir: string;
  pid: number;
  keys: Record<string, string>;
  logFile: string;
}

/** The shared system, filled in by a beforeAll this registers (with its own generous timeout). */
export function useSharedSystem(): RunningSystem {
  const handle = {} as RunningSystem;
  let own: RunningSystem | undefined;
  beforeAll(async () => {
    const runDir = process.env[RUN_DIR];
    if (runDir === undefined || runDir === '') {
      own = await startSystem({ env: { ...SHARED_SYSTEM_ENV }, timeoutMs: 150_000 });
      Object.assign(handle, own);
      return;
    }
    Object.assign(handle, attached(await workerSystem(runDir)));
  }, 180_000);
  afterAll(async () => {
    if (!own) return;
    await own.stop();
    removeDir(own.dataDir);
  });
  return handle;
}

async function workerSystem(runDir: string): Promise<SharedRecord> {
  const file = join(runDir, `worker-${process.env.JEST_WORKER_ID ?? '1'}.json`);
  if (existsSync(file)) {
    const record = JSON.parse(readFileSync(file, 'utf8')) as SharedRecord;
    const ready = await fetch(`${record.baseUrl}/ready`).then((r) => r.ok, () => false);
    // A spec that broke it would otherwise fail every later spec with a confusing message.
    if (!ready) throw new Error(`the shared system is not ready (did a spec stop or break it?); its log:\n${readFileSync(record.logFile, 'utf8').slice(-4_000)}`);
    return record;
  }
  const logFile = `${file}.log`;
  const system = await startSystem({ env: { ...SHARED_SYSTEM_ENV }, timeoutMs: 150_000, logFile });
  const record: SharedRecord = { baseUrl: system.baseUrl, dataDir: system.dataDir, pid: system.pid, keys: system.keys, logFile };
  writeFileSync(file, JSON.stringify(record));
  return record;
}

function attached(record: SharedRecord): RunningSystem {
  const refuse = () => Promise.reject(new Error('the shared system is not for stopping: start a system of your own (startSystem) for that'));
  return { ...record, output: () => readFileSync(record.logFile, 'utf8'), stop: refuse, kill9: refuse };
}

/** jest globalSetup: the run's directory; no system is started until a spec asks for one. */
export function sharedSystemSetup(): void {
  process.env[RUN_DIR] = mkdtempSync(join(tmpdir(), 'peil-e2e-shared-'));
}

/** jest globalTeardown: SIGTERM to every shared system's supervisor, wait for each, remove their data. */
export async function sharedSystemTeardown(): Promise<void> {
  const runDir = process.env[RUN_DIR];
  if (!runDir || !existsSync(runDir)) return;
  const records = readdirSync(runDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(runDir, f), 'utf8')) as SharedRecord);
  await Promise.all(records.map((r) => stopGroup(r.pid)));
  for (const r of records) removeDir(r.dataDir);
  removeDir(runDir);
}

/** SIGTERM, then (only if it hangs past the supervisor's own kill margin) SIGKILL to its whole group. */
async function stopGroup(pid: number): Promise<void> {
  if (!processAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone
  }
}
