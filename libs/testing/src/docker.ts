import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './system';

/**
 * Why no Docker engine can be used for testcontainers, or undefined when one answers. Synchronous,
 * because jest declares suites synchronously and a suite must know whether to `describe.skip`.
 * With nothing configured it answers at once, without loading testcontainers at all.
 */
export function dockerUnreachable(): string | undefined {
  // Where testcontainers looks: env, its properties file, rootful and rootless sockets.
  const sockets = [
    '/var/run/docker.sock',
    process.env.XDG_RUNTIME_DIR && join(process.env.XDG_RUNTIME_DIR, 'docker.sock'),
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.docker', 'desktop', 'docker.sock'),
    join('/run', 'user', String(userInfo().uid), 'docker.sock'),
  ].filter((s): s is string => Boolean(s));
  const configured =
    process.env.DOCKER_HOST !== undefined ||
    existsSync(join(homedir(), '.testcontainers.properties')) ||
    process.platform === 'win32' ||
    sockets.some((s) => existsSync(s));
  if (!configured) return 'no DOCKER_HOST, no ~/.testcontainers.properties, no Docker socket';
  // Something is configured: let testcontainers itself find and ping the engine, in a child process
  // because the answer is needed synchronously.
  const ping = spawnSync(
    process.execPath,
    ['-e', "require('testcontainers').getContainerRuntimeClient().then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); })"],
    { cwd: repoRoot, encoding: 'utf8', timeout: 15_000 },
  );
  if (ping.status === 0) return undefined;
  if (ping.error) return `engine check failed: ${ping.error.message}`;
  return ping.stderr.trim().split('\n')[0] || `engine check exited with ${ping.status}`;
}

