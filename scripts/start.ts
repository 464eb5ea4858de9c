import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ensurePrivateDir } from '@peil/ledger';
import { ConfigError, intVar, loadConfig } from '@peil/config';
import { loadPlatformConfig, SERVICES, type PlatformConfig } from '@peil/platform/config';
import { shutdownTimeoutMs } from '@peil/platform/nest';
import type { RestartPolicy } from './supervisor/restart-policy';
import { Supervisor } from './supervisor/supervisor';

/**
 * `npm start`: every service of the embedded profile as its own process, the gateway last, under
 * a supervisor. A service that crashes is restarted with back-off; one that keeps crashing is
 * given up (its routes answer 503) while the others keep serving; giving up on the gateway, or a
 * configuration error in any process, stops them all. One Ctrl-C (SIGINT) or SIGTERM stops them all:
 * the gateway first (it stops accepting and answers what it has in flight, with the services still
 * up), then the services (their projectors finish their batch); each within PEIL_SHUTDOWN_TIMEOUT_MS.
 */
const root = resolve(__dirname, '..');
const processes = [...(Object.keys(SERVICES) as Array<keyof typeof SERVICES>), 'gateway'] as const;
const EX_CONFIG = 78;

const supervisorSchema = z.object({
  // 5 crashes in a minute: a service that boots in ~2 s and dies at once is given up after ~25 s of trying.
  PEIL_RESTART_LIMIT: intVar(5, 0, 1000),
  PEIL_RESTART_WINDOW_MS: intVar(60_000, 1_000, 24 * 3_600_000),
  PEIL_RESTART_DELAY_MS: intVar(500, 10, 60_000),
  // Profiling a running system (decision 0100): each process writes V8 CPU profiles under <dir>/<name>/ when it exits.
  PEIL_CPU_PROFILE_DIR: z.string().min(1).optional(),
});

/** The supervisor's own lines: JSON like every other process's (plain text with PEIL_LOG_FORMAT=pretty). */
function say(level: 'info' | 'warn' | 'error', msg: string): void {
  const pretty = process.env.PEIL_LOG_FORMAT === 'pretty';
  const stream = level === 'info' ? process.stdout : process.stderr;
  stream.write(pretty ? `[start] ${msg}\n` : `${JSON.stringify({ time: new Date().toISOString(), service: 'start', level, msg })}\n`);
}

function main(): void {
  let config: PlatformConfig;
  let policy: RestartPolicy;
  let drainMs: number;
  let profileDir: string | undefined;
  try {
    drainMs = shutdownTimeoutMs();
    config = loadPlatformConfig();
    const own = loadConfig(supervisorSchema, process.env);
    profileDir = own.PEIL_CPU_PROFILE_DIR;
    policy = { limit: own.PEIL_RESTART_LIMIT, windowMs: own.PEIL_RESTART_WINDOW_MS, initialDelayMs: own.PEIL_RESTART_DELAY_MS, maxDelayMs: 30_000 };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EX_CONFIG);
    }
    throw err;
  }
  // 0700 also when the directory already existed (mkdir's mode applies only to a new one, minus the umask).
  ensurePrivateDir(config.dataDir);
  const supervisor = new Supervisor(
    processes.map((name) => ({
      name,
      // One bundle per process (dist/apps, scripts/build-apps.ts): a start reads one file, not ~900.
      args: [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(resolve(profileDir), name)}`] : []), join(root, 'apps', `${name}.js`)],
      env: { ...process.env, PEIL_DATA_DIR: config.dataDir },
    })),
    {
      policy,
      now: () => Date.now(),
      log: (line) => say(/GIVING UP|exited|crash/i.test(line) ? 'warn' : 'info', line),
      essential: new Set(['gateway']),
      configErrorCode: EX_CONFIG,
      // A process past its deadline exits 1 by itself; the margin only catches one that hangs.
      stopGraceMs: drainMs + 5_000,
      stopFirst: new Set(['gateway']),
    },
  );
  let stopping = false;
  // Asked (a signal) or decided by the supervisor (configuration error, gateway given up): leave with its code.
  void supervisor.stopped.then((code) => process.exit(code));
  const stop = () => {
    stopping = true;
    void supervisor.stop(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  supervisor.start();
  void announceWhenHealthy(config, () => stopping || supervisor.abandoned.has('gateway'));
}

async function announceWhenHealthy(config: PlatformConfig, stopped: () => boolean): Promise<void> {
  const url = `http://${config.PEIL_HOST}:${config.PEIL_PORT}/v1/ready`;
  for (let i = 0; i < 600 && !stopped(); i++) {
    try {
      const res = await fetch(url);
      if (res.ok) {
        say('info', `peil-ledger is up: http://${config.PEIL_HOST}:${config.PEIL_PORT}/v1 (data in ${config.dataDir}; first keys in ${join(config.dataDir, 'api-keys.json')} unless configured; manage keys with \`npx peil-ledger keys\`)`);
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Still starting, e.g. services waiting for an unreachable EventStoreDB: say where to look, keep running.
  if (!stopped()) say('warn', `not ready after 60 s; ${url} says which service and component is down`);
}

main();
