import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, repoRoot } from '@peil/testing';

/** The CLI's command line is strict: a typo is an error with the usage and exit 2, never silently ignored. */
describe('peil-ledger command line', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'peil-cli-'));
  afterAll(() => removeDir(dataDir));
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'peil-ledger.js'), ...args], { env: { ...process.env, PEIL_DATA_DIR: dataDir }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('refuses an unknown flag, naming it, with exit 2 (report grant-statement --asof 10)', () => {
    const r = run('report', 'grant-statement', '--asof', '10');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown option --asof');
    expect(r.err).toContain('usage: peil-ledger');
    expect(r.out).toBe('');
  });

  it.each([
    [['report'], 'report takes one report name'],
    [['report', 'grant-statement', '--as-of'], '--as-of needs a value'],
    [['report', 'grant-statement', '--period', '2025Q1', '--period', '2025Q2'], '--period given more than once'],
    [['verify', 'now'], 'verify takes no arguments'],
    [['rebuild', '--force'], 'unknown option --force'],
    [['frobnicate'], 'unknown command frobnicate'],
  ])('exits 2 for %j', (args, message) => {
    const r = run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('answers --version and --help on every command, with exit 0', () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(run('--version')).toMatchObject({ code: 0, out: `peil-ledger ${version}\n` });
    expect(run('--help').out).toContain('usage: peil-ledger');
    for (const command of ['verify', 'rebuild', 'report', 'keys', 'export', 'verify-pack', 'audit', 'tree']) {
      const r = run(command, '--help');
      expect({ command, code: r.code }).toEqual({ command, code: 0 });
      expect(r.out).toContain(command);
    }
  });

  it('still runs a well-formed command: verify on an empty ledger is intact', () => {
    const r = run('verify');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true });
  });
});
