import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive, removeDir } from '@peil/testing';
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

  /** A process running `source`, then logging `<name> up`; `log(line)` in it appends to the shared log file. */
  const program = (name: string, source: string): ProcessSpec => {
    const file = join(dir, `${name}.js`);
    const log = JSON.stringify(join(dir, 'order.log'));
    writeFileSync(file, `const log = (l) => require('fs').appendFileSync(${log}, l + '\\n');\nsetInterval(() => {}, 1000);\n${source}\nlog('${name} up');`);
    return { name, args: [file], env: {} };
  };
  const order = () => (existsSync(join(dir, 'order.log')) ? readFileSync(join(dir, 'order.log'), 'utf8').trim().split('\n') : []);
  /** Until every named program has installed its SIGTERM handler. */
  const up = (...names: string[]) => until(`${names.join(', ')} up`, () => names.every((n) => order().includes(`${n} up`)));

  const start = (specs: ProcessSpec[], policy: Partial<RestartPolicy> = {}, grace = 5_000) => {
    supervisor = new Supervisor(specs, {
      policy: { limit: 2, windowMs: 60_000, initialDelayMs: 20, maxDelayMs: 100, ...policy },
      now: () => Date.now(),
      log: (line) => lines.push(line),
      essential: new Set(['gateway']),
      configErrorCode: 78,
      stopGraceMs: grace,
      stopFirst: new Set(['gateway']),
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
    expect(processAlive(s.pid('ledger')!)).toBe(true);
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
    expect(processAlive(ledger)).toBe(false);
    const started = lines.filter((l) => l.startsWith('enrolment started')).length;
    // Past the cancelled restart's time: nothing was started again.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(lines.filter((l) => l.startsWith('enrolment started'))).toHaveLength(started);
  });

  it('forwards SIGTERM to the gateway first and to the services only once it has drained and exited', async () => {
    // The gateway takes its time to drain; a service stops at once. Without the ordering the service would be first.
    const s = start([
      program('gateway', "process.on('SIGTERM', () => setTimeout(() => { log('gateway drained'); process.exit(0); }, 300));"),
      program('ledger', "process.on('SIGTERM', () => { log('ledger got SIGTERM'); process.exit(0); });"),
    ]);
    await up('gateway', 'ledger');
    expect(await s.stop(0)).toBe(0);
    expect(order().filter((l) => !l.endsWith(' up'))).toEqual(['gateway drained', 'ledger got SIGTERM']);
  });

  it('ends with 1 when a process does not stop cleanly: one exits 1 past its deadline, one ignores SIGTERM and is killed', async () => {
    const s = start(
      [
        program('ledger', "process.on('SIGTERM', () => process.exit(1));"),
        program('reporting', "process.on('SIGTERM', () => log('reporting ignores SIGTERM'));"),
      ],
      {},
      300,
    );
    await up('ledger', 'reporting');
    const reporting = s.pid('reporting')!;
    expect(await s.stop(0)).toBe(1);
    expect(processAlive(reporting)).toBe(false);
    expect(lines).toEqual(
      expect.arrayContaining([
        'ledger did not stop cleanly (code 1)',
        'reporting still running 300 ms after SIGTERM: killing it',
        'reporting did not stop cleanly (SIGKILL)',
      ]),
    );
  });
});
