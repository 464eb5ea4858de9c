import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@peil/platform/clock';
import { KeyRegistry, KEY_REGISTRY_FILE_NAME } from '@peil/platform/auth';
import { keysCommand } from './keys';

describe('peil-ledger keys (in process, on a data dir)', () => {
  let dir: string;
  const clock = new ManualClock(new Date('2026-03-01T10:00:00.000Z'));
  const run = (...args: string[]) => {
    let out = '';
    let err = '';
    const code = keysCommand(args, dir, { out: (t) => (out += t), err: (t) => (err += t) }, clock);
    return { code, out, err };
  };

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'peil-keys-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a key, printing it once; lists id, name, role, created and revoked, never a key; revokes by name or id', () => {
    const added = run('add', '--role', 'ngo', '--name', 'field-7');
    expect(added.code).toBe(0);
    const key = /key {3}(\S+)/.exec(added.out)![1]!;
    const id = /id {4}(\S+)/.exec(added.out)![1]!;
    expect(key).toMatch(/^peil_ngo_[A-Za-z0-9_-]{43}$/);
    expect(added.err).toMatch(/shown this once/);

    const registry = KeyRegistry.inDataDir(dir);
    expect(registry.verify(key)).toEqual({ role: 'ngo', keyId: id });
    registry.close();
    expect(readFileSync(join(dir, KEY_REGISTRY_FILE_NAME)).toString('latin1')).not.toContain(key);

    const listed = run('list', '--json');
    expect(JSON.parse(listed.out)).toEqual([{ id, name: 'field-7', role: 'ngo', origin: 'cli', created: '2026-03-01T10:00:00.000Z', revoked: null }]);
    expect(run('list').out).toMatch(new RegExp(`^ID +NAME +ROLE +ORIGIN +CREATED +REVOKED\\n${id} +field-7 +ngo +cli +2026-03-01T10:00:00.000Z +-\\n$`));

    clock.advance(60_000);
    expect(run('revoke', 'field-7')).toEqual({ code: 0, out: `revoked ${id} (field-7, ngo) at 2026-03-01T10:01:00.000Z\n`, err: '' });
    expect(JSON.parse(run('list', '--json').out)[0].revoked).toBe('2026-03-01T10:01:00.000Z');
    // The name is free again for a new key; the old one keeps its name in the list.
    expect(run('add', '--role', 'ngo', '--name', 'field-7').code).toBe(0);
    const second = run('add', '--role', 'finance', '--name', 'erp');
    const secondId = /id {4}(\S+)/.exec(second.out)![1]!;
    expect(run('revoke', secondId).code).toBe(0);
  });

  it('keeps revocations final and keys forever, even against a direct write to the registry file', () => {
    run('add', '--role', 'ngo', '--name', 'gone');
    run('revoke', 'gone');
    const db = new Database(join(dir, KEY_REGISTRY_FILE_NAME));
    try {
      expect(() => db.prepare('UPDATE api_keys SET revoked_at = NULL').run()).toThrow(/can only be revoked, once/);
      expect(() => db.prepare("UPDATE api_keys SET role = 'admin'").run()).toThrow(/can only be revoked, once/);
      expect(() => db.prepare('DELETE FROM api_keys').run()).toThrow(/revoked, never deleted/);
    } finally {
      db.close();
    }
    expect(JSON.parse(run('list', '--json').out)).toEqual([expect.objectContaining({ name: 'gone', role: 'ngo', revoked: expect.any(String) })]);
  });

  it.each([
    [['nothing'], /unknown keys command nothing/],
    [[], /which keys command/],
    [['add', '--role', 'ngo'], /add needs --role <role> and --name <name>/],
    [['add', '--role', 'root', '--name', 'x'], /unknown role root/],
    [['add', '--role', 'ngo', '--name', 'a name'], /key names are/],
    [['add', '--role', 'ngo', '--name'], /--name needs a value/],
    [['list', 'extra'], /list takes only --json/],
    [['revoke'], /revoke needs one key id or name/],
  ])('answers %j with exit 2, the usage, and creates nothing', (args, message) => {
    const { code, err, out } = run(...args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toMatch(/usage:/);
    expect(out).toBe('');
    expect(existsSync(join(dir, KEY_REGISTRY_FILE_NAME))).toBe(false);
  });

  it('answers exit 2 to an unknown key, a key already revoked and a live name taken', () => {
    run('add', '--role', 'ngo', '--name', 'taken');
    expect(run('revoke', 'nobody')).toMatchObject({ code: 2, err: expect.stringMatching(/no key with id or name nobody/) });
    expect(run('add', '--role', 'donor', '--name', 'taken')).toMatchObject({ code: 2, err: expect.stringMatching(/already named taken/) });
    const id = JSON.parse(run('list', '--json').out)[0].id as string;
    run('revoke', id);
    expect(run('revoke', id)).toMatchObject({ code: 2, err: expect.stringMatching(/already revoked/) });
  });
});
