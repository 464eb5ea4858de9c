import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from '@peil/testing';
import type { RestartPolicy } from './restart-policy';
import { Supervisor, type ProcessSpec } from './supervisor';

jest.setTimeout(30_000);

/**
 * The supervisor with real child processes: small Node scripts that stay up, crash on cue or
 * exit with a configuration error. Waits poll for states; deadlines only bound a failure.
 */
describe('Supervisor', () => {
  let dir: string;
  let lines: string[];
  let supervisor: Supervisor | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peil-supervisor-'));
    lines = [];
  });

  afterEach(async () => {
    await supervisor?.stop();
    supervisor = undefined;
    removeDir(dir);
  });

  /** A process that stays up until killed, or exits at once with `exitCode` when given one. */
  const script = (name: string, exitCode?: number): ProcessSpec => {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, exitCode === undefined ? 'setInterval(() => {}, 1000);' : `process.exit(${exitCode});`);
    return { name, args: [file], env: {} };
  };

  const start = (specs: ProcessSpec[], policy: Partial<RestartPolicy> = {}) => {
    supervisor = new Supervisor(specs, {
      policy: { limit: 2, windowMs: 60_000, initialDelayMs: 20, maxDelayMs: 100, ...policy },
      now: () => Date.now(),
      log: (line) => lines.push(line),
      essential: new Set(['gateway']),
      configErrorCode: 78,
      stopGraceMs: 5_000,
    });
    supervisor.start();
    return supervisor;
  };

  async function until(what: string, condition: () => boolean): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what}; log:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('restarts a killed process with a new pid and leaves the others alone', async () => {
    const s = start([script('enrolment'), script('ledger')]);
    await until('both started', () => s.pid('enrolment') !== undefined && s.pid('ledger') !== undefined);
    const [enrolment, ledger] = [s.pid('enrolment')!, s.pid('ledger')!];
    process.kill(enrolment, 'SIGKILL');
    await until('enrolment restarted', () => s.pid('enrolment') !== undefined && s.pid('enrolment') !== enrolment);
    expect(s.pid('ledger')).toBe(ledger);
    expect(lines).toContainEqual(expect.stringMatching(/^enrolment exited \(SIGKILL\); restarting in 20 ms \(crash 1 of 2 allowed within 60 s\)$/));
  });

  it('gives up on a crash loop past the limit, keeps the others, and says so', async () => {
    const s = start([script('enrolment', 1), script('ledger')]);
    await until('enrolment given up', () => s.abandoned.has('enrolment'));
    expect(lines.filter((l) => l.startsWith('enrolment exited (code 1); restarting'))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/^enrolment exited \(code 1\) and crashed 3 times within 60 s: GIVING UP on enrolment\./);
    expect(s.pid('enrolment')).toBeUndefined();
    expect(alive(s.pid('ledger')!)).toBe(true);
  });

  it('stops everything when it gives up on the gateway, or a process reports a configuration error', async () => {
    const looping = start([script('gateway', 1), script('ledger')]);
    expect(await looping.stopped).toBe(1);
    expect(lines.at(-1)).toMatch(/GIVING UP; without it nothing is reachable, stopping the system/);

    const misconfigured = start([script('enrolment', 78), script('ledger')]);
    expect(await misconfigured.stopped).toBe(78);
    expect(misconfigured.pid('ledger')).toBeUndefined();
  });

  it('stop() ends every process and cancels a pending restart', async () => {
    const s = start([script('enrolment'), script('ledger')], { initialDelayMs: 2_000, maxDelayMs: 2_000 });
    await until('both started', () => s.pid('enrolment') !== undefined && s.pid('ledger') !== undefined);
    const ledger = s.pid('ledger')!;
    process.kill(s.pid('enrolment')!, 'SIGKILL');
    await until('restart scheduled', () => lines.some((l) => l.startsWith('enrolment exited (SIGKILL); restarting in 2000 ms')));
    expect(await s.stop(0)).toBe(0);
    expect(alive(ledger)).toBe(false);
    const started = lines.filter((l) => l.startsWith('enrolment started')).length;
    // Past the cancelled restart's time: nothing was started again.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(lines.filter((l) => l.startsWith('enrolment started'))).toHaveLength(started);
  });
});
