import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ensurePrivateDir } from '@peil/ledger';
import { ConfigError, loadPlatformConfig, SERVICES, type PlatformConfig } from '@peil/platform';

/**
 * `npm start`: every service of the embedded profile as its own process, the gateway last.
 * One Ctrl-C (SIGINT) or SIGTERM stops them all; if one dies, the others are stopped too, so a
 * half-running system never pretends to be healthy.
 */
const root = resolve(__dirname, '..');
const processes = [...(Object.keys(SERVICES) as Array<keyof typeof SERVICES>), 'gateway'] as const;

/** The supervisor's own lines: JSON like every other process's (plain text with PEIL_LOG_FORMAT=pretty). */
function say(level: 'info' | 'warn' | 'error', msg: string): void {
  const pretty = process.env.PEIL_LOG_FORMAT === 'pretty';
  const stream = level === 'info' ? process.stdout : process.stderr;
  stream.write(pretty ? `[start] ${msg}\n` : `${JSON.stringify({ time: new Date().toISOString(), service: 'start', level, msg })}\n`);
}

function main(): void {
  let config: PlatformConfig;
  try {
    config = loadPlatformConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  // 0700 also when the directory already existed (mkdir's mode applies only to a new one, minus the umask).
  ensurePrivateDir(config.dataDir);
  const children = new Map<string, ChildProcess>();
  let stopping = false;

  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children.values()) child.kill('SIGTERM');
    const deadline = setTimeout(() => {
      for (const child of children.values()) child.kill('SIGKILL');
    }, 10_000);
    deadline.unref();
    const wait = setInterval(() => {
      if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null)) {
        clearInterval(wait);
        process.exit(code);
      }
    }, 50);
  };

  for (const name of processes) {
    const child = spawn(process.execPath, [join(root, 'services', name, 'src', 'main.js')], {
      env: { ...process.env, PEIL_DATA_DIR: config.dataDir },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.set(name, child);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      say('error', `${name} exited (${signal ?? `code ${code}`}); stopping the system`);
      stopAll(code === 78 ? 78 : 1);
    });
  }

  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
  void announceWhenHealthy(config, () => stopping);
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
