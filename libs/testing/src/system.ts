import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root, found from this file whether it runs from sources (jest) or dist/. */
export const repoRoot = (() => {
  let dir = __dirname;
  const isRoot = (d: string) => existsSync(join(d, 'package.json')) && existsSync(join(d, 'nest-cli.json'));
  while (!isRoot(dir)) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
})();

export function requireBuild(): string {
  const start = join(repoRoot, 'dist', 'apps', 'start.js');
  if (!existsSync(start)) throw new Error('dist/ is missing: run `npm run build` first (the README test command does)');
  return start;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A block of consecutive free ports for the internal services (base+1 …). Chosen below Linux's
 * ephemeral range (32768–60999 by default): a port found free there can be taken, between the check
 * and the service's listen, by any outgoing connection (a Kafka client, a fetch) as its local port.
 */
export async function freePortBase(width = 20): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - width));
    const checks = await Promise.all(Array.from({ length: width }, (_, i) => portIsFree(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error('no free port block');
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

export interface RunningSystem {
  baseUrl: string;
  dataDir: string;
  /** The supervisor's pid: its process group holds every service (the bench reads their memory). */
  pid: number;
  keys: Record<string, string>;
  output: () => string;
  /** SIGTERM to the supervisor; resolves when it exited. */
  stop(): Promise<number | null>;
  /** SIGKILL to the whole process group, as a power cut would. */
  kill9(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /**
   * What the start waits for: `ready` (default; /v1/ready, every component up) or `live` (/v1/health,
   * every process answering) — for a system expected to start with a component down, such as a
   * tampered ledger's `integrity`.
   */
  waitFor?: 'ready' | 'live';
  /**
   * The system's stdout and stderr go to this file instead of a pipe, and the system does not keep
   * the test process alive: for a system that outlives the test file that started it (shared-system.ts).
   */
  logFile?: string;
}

/** Starts the whole embedded system exactly as `npm start` does (from dist/), on free ports. */
export async function startSystem(options: StartOptions = {}): Promise<RunningSystem> {
  // Another test worker may still take a port of the block between its check and a service's
  // listen: a start lost to that race (and only to that) is tried again on another block.
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'peil-e2e-'));
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce({ ...options, dataDir });
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error && /system exited during start/.test(err.message) && /EADDRINUSE/.test(err.message))) throw err;
    }
  }
}

async function startOnce(options: StartOptions & { dataDir: string }): Promise<RunningSystem> {
  const start = requireBuild();
  const dataDir = options.dataDir;
  const base = await freePortBase();
  // The gateway takes the block's last port; the services use base+1 … base+8.
  const port = base + 19;
  let log = '';
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [start], {
    cwd: repoRoot,
    // Its own process group, so kill9 can take down the supervisor and every service at once.
    detached: true,
    env: {
      ...process.env, PEIL_DATA_DIR: dataDir, PEIL_PORT: String(port), PEIL_INTERNAL_PORT_BASE: String(base), PEIL_LOG_LEVEL: 'warn',
      // Tests post faster than any field system: rate limits off unless a test sets its own.
      PEIL_RATE_LIMIT_PER_KEY: '0', PEIL_RATE_LIMIT_AUTH_FAILURES: '0',
      ...options.env,
    },
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
  });
  if (logFd !== undefined) {
    closeSync(logFd);
    child.unref();
  }
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const output = () => (options.logFile === undefined ? log : readFileSync(options.logFile, 'utf8'));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  // Generous: a start is a few seconds alone, but CI machines are shared and a start lost to load fails a whole run.
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  const probe = options.waitFor === 'live' ? 'health' : 'ready';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`system exited during start:\n${output()}`);
    try {
      const res = await fetch(`${baseUrl}/${probe}`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
      throw new Error(`system not ${options.waitFor === 'live' ? 'live' : 'ready'} in time:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const keysFile = join(dataDir, 'api-keys.json');
  const keys = existsSync(keysFile) ? (JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, string>) : {};
  return {
    baseUrl,
    dataDir,
    pid: child.pid!,
    keys,
    output,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
      await exited;
      // Services are in the same group; give the kernel a moment to release their ports and locks.
      await new Promise((r) => setTimeout(r, 200));
    },
  };
}

/** Whether a process with this pid still exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** POST a JSON body with a role's key. */
export async function post(system: RunningSystem, path: string, body: unknown, role = 'ngo'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${system.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${system.keys[role]}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? safeJson(text) : null };
}

export async function get(system: RunningSystem, path: string, role = 'auditor'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${system.baseUrl}${path}`, { headers: { authorization: `Bearer ${system.keys[role]}` } });
  const text = await res.text();
  return { status: res.status, body: text ? safeJson(text) : null };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
