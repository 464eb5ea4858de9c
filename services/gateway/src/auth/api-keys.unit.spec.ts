import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@peil/config';
import { ROLES } from '@peil/platform/auth';
import { expectOwnerOnly } from '@peil/testing';
import { loadGatewayConfig, type GatewayConfig } from '../gateway.config';
import { API_KEYS_FILE_NAME, MIN_KEY_LENGTH, keyId, loadApiKeys, validateApiKeys } from './api-keys';
import { KEY_REGISTRY_FILE_NAME, type KeyRegistry } from '@peil/platform/auth';

const longKey = (tag: string) => `${tag}-${'x'.repeat(MIN_KEY_LENGTH)}`;

describe('API keys', () => {
  let dir: string;
  let logs: string[];
  let warnings: string[];
  const opened: KeyRegistry[] = [];
  const logger = { log: (m: string) => logs.push(m), warn: (m: string) => warnings.push(m) };
  const config = (env: Record<string, string> = {}): GatewayConfig => loadGatewayConfig({ PEIL_DATA_DIR: dir, ...env });
  const load = (c: GatewayConfig) => {
    const loaded = loadApiKeys(c, logger);
    opened.push(loaded.registry);
    return loaded;
  };
  /** Every byte SQLite may hold the registry in: the file, its WAL and shared memory. */
  const registryBytes = (dataDir: string) =>
    ['', '-wal', '-shm'].map((suffix) => join(dataDir, `${KEY_REGISTRY_FILE_NAME}${suffix}`)).filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peil-gw-keys-'));
    logs = [];
    warnings = [];
  });
  afterEach(() => {
    for (const registry of opened.splice(0)) registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('with nothing configured', () => {
    it('generates one key per role into <data dir>/api-keys.json, mode 0600, registers their hashes only, and says where in one line without a key', () => {
      const dataDir = join(dir, 'nested', 'data'); // not there yet
      const { registry, source } = load(loadGatewayConfig({ PEIL_DATA_DIR: dataDir }));
      const file = join(dataDir, API_KEYS_FILE_NAME);
      expect(source).toBe(join(dataDir, KEY_REGISTRY_FILE_NAME));
      expectOwnerOnly([file, registry.file]);

      const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      expect(Object.keys(stored).sort()).toEqual([...ROLES].sort());
      for (const role of ROLES) {
        expect(stored[role]).toMatch(new RegExp(`^peil_${role}_[A-Za-z0-9_-]{43}$`));
        expect(registry.verify(stored[role]!)).toEqual({ role, keyId: keyId(stored[role]!) });
      }
      expect(new Set(Object.values(stored)).size).toBe(ROLES.length);
      expect(registry.list().map((k) => [k.name, k.role, k.origin, k.revokedAt])).toEqual(
        expect.arrayContaining(ROLES.map((role) => [role, role, 'generated', null])),
      );

      const bytes = registryBytes(dataDir);
      for (const key of Object.values(stored)) expect(bytes).not.toContain(key);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toContain(file);
      for (const key of Object.values(stored)) expect(logs.join('\n')).not.toContain(key);
    });

    it('sets mode 0600 whatever the umask', () => {
      const previous = process.umask(0o277); // would leave the owner read-only
      try {
        load(config());
      } finally {
        process.umask(previous);
      }
      expectOwnerOnly([join(dir, API_KEYS_FILE_NAME), join(dir, KEY_REGISTRY_FILE_NAME)]);
    });

    it('authenticates from the registry on later starts: api-keys.json is never read again', () => {
      load(config()).registry.close();
      const stored = JSON.parse(readFileSync(join(dir, API_KEYS_FILE_NAME), 'utf8')) as Record<string, string>;
      // Edited into something invalid (or replaced): no longer read, so neither refused nor trusted.
      writeFileSync(join(dir, API_KEYS_FILE_NAME), JSON.stringify({ ngo: longKey('planted') }));
      const { registry } = load(config());
      expect(registry.verify(stored.ngo!)).toMatchObject({ role: 'ngo' });
      expect(registry.verify(longKey('planted'))).toBeNull();
      expect(logs[1]).toMatch(/^API keys from the key registry /);
    });

    it('imports an api-keys.json written before the registry existed, once', () => {
      const file = join(dir, API_KEYS_FILE_NAME);
      writeFileSync(file, JSON.stringify({ ngo: longKey('n'), auditor: { 'audit-firm': longKey('a') } }), { mode: 0o600 });
      const { registry } = load(config());
      expect(registry.verify(longKey('n'))).toEqual({ role: 'ngo', keyId: keyId(longKey('n')) });
      expect(registry.list().map((k) => [k.name, k.origin])).toEqual(expect.arrayContaining([['ngo', API_KEYS_FILE_NAME], ['audit-firm', API_KEYS_FILE_NAME]]));
      expect(logs[0]).toMatch(/imported from/);
    });

    it('refuses an api-keys.json to import that is invalid', () => {
      writeFileSync(join(dir, API_KEYS_FILE_NAME), JSON.stringify({ ngo: 'short' }), { mode: 0o600 });
      expect(() => load(config())).toThrow(/api-keys\.json: ngo must be 24 to 512 characters/);
    });

    it('warns when the file to import is readable by others', () => {
      const file = join(dir, API_KEYS_FILE_NAME);
      writeFileSync(file, JSON.stringify({ ngo: longKey('n') }));
      chmodSync(file, 0o644);
      load(config());
      expect(warnings.join()).toMatch(/readable by other users \(mode 0644\)/);
    });
  });

  describe('from PEIL_API_KEYS', () => {
    it('accepts named keys, one key or a list per role, and writes no api-keys.json', () => {
      const env = { PEIL_API_KEYS: JSON.stringify({ ngo: { 'rmf-mis': longKey('mis'), 'field-7': longKey('f7') }, finance: longKey('f'), auditor: [longKey('a1'), longKey('a2')] }) };
      const { registry, source } = load(config(env));
      expect(source).toBe('PEIL_API_KEYS');
      expect(registry.list().map((k) => `${k.role}:${k.name}`).sort()).toEqual(['auditor:auditor-1', 'auditor:auditor-2', 'finance:finance', 'ngo:field-7', 'ngo:rmf-mis']);
      expect(registry.verify(longKey('f7'))).toEqual({ role: 'ngo', keyId: keyId(longKey('f7')) });
      expect(() => statSync(join(dir, API_KEYS_FILE_NAME))).toThrow();
    });

    it('withdraws a key no longer declared at the next start; a revoked key declared again stays refused', () => {
      load(config({ PEIL_API_KEYS: JSON.stringify({ ngo: { a: longKey('a'), b: longKey('b') } }) })).registry.close();
      const { registry } = load(config({ PEIL_API_KEYS: JSON.stringify({ ngo: { a: longKey('a') } }) }));
      expect(registry.verify(longKey('b'))).toBeNull();
      expect(registry.verify(longKey('a'))).not.toBeNull();
      registry.revoke('a', '2026-03-01T00:00:00.000Z');
      registry.close();
      const again = load(config({ PEIL_API_KEYS: JSON.stringify({ ngo: { a: longKey('a') } }) })).registry;
      expect(again.verify(longKey('a'))).toBeNull();
      expect(warnings.join()).toMatch(/declares key a \([0-9a-f]{10}\), which was revoked/);
    });

    it('withdraws its keys once the variable is no longer set', () => {
      load(config({ PEIL_API_KEYS: JSON.stringify({ ngo: { a: longKey('a') } }) })).registry.close();
      const { registry } = load(config());
      expect(registry.verify(longKey('a'))).toBeNull();
      expect(warnings.join()).toMatch(/PEIL_API_KEYS is no longer set: its 1 key\(s\) were withdrawn/);
    });

    it('names the variable and never echoes the value when the JSON is broken', () => {
      const secret = longKey('secret');
      const env = { PEIL_API_KEYS: `{"ngo": "${secret}"` };
      expect(() => load(config(env))).toThrow(ConfigError);
      try {
        load(config(env));
      } catch (err) {
        expect((err as Error).message).toMatch(/PEIL_API_KEYS: must be a JSON object/);
        expect((err as Error).message).not.toContain(secret);
      }
    });
  });

  describe('from PEIL_API_KEYS_FILE', () => {
    it('reads the file it names', () => {
      const file = join(dir, 'keys.json');
      writeFileSync(file, JSON.stringify({ donor: longKey('d') }), { mode: 0o600 });
      const { registry } = load(config({ PEIL_API_KEYS_FILE: file }));
      expect(registry.list()).toEqual([expect.objectContaining({ role: 'donor', name: 'donor', id: keyId(longKey('d')), origin: 'PEIL_API_KEYS_FILE' })]);
    });

    it('fails when the file does not exist, rather than inventing keys', () => {
      const file = join(dir, 'missing.json');
      expect(() => load(config({ PEIL_API_KEYS_FILE: file }))).toThrow(`PEIL_API_KEYS_FILE (${file}): file does not exist`);
    });

    it('is exclusive with PEIL_API_KEYS', () => {
      expect(() => config({ PEIL_API_KEYS_FILE: 'a.json', PEIL_API_KEYS: '{}' })).toThrow(/either PEIL_API_KEYS or PEIL_API_KEYS_FILE/);
    });
  });

  describe('validation', () => {
    const invalid: Array<[string, unknown, RegExp]> = [
      ['an unknown role', { ngo: longKey('n'), root: longKey('r') }, /unknown role "root"/],
      ['a short key', { ngo: 'x'.repeat(MIN_KEY_LENGTH - 1) }, /ngo must be 24 to 512 characters/],
      ['a short key in a list', { ngo: [longKey('n'), 'short'] }, /ngo\[1\] must be 24 to 512/],
      ['a key shared by two roles', { ngo: longKey('same'), donor: longKey('same') }, /roles ngo and donor share a key/],
      ['a key listed twice', { ngo: [longKey('n'), longKey('n')] }, /ngo\[1\] is listed twice/],
      ['a key with a space', { ngo: `${longKey('n')} x` }, /visible ASCII/],
      ['a non-string key', { ngo: 12345 }, /ngo must be a string/],
      ['an empty list', { ngo: [] }, /empty key list/],
      ['no keys at all', {}, /holds no keys/],
      ['an array', [longKey('n')], /must be a JSON object/],
      ['a name used twice', { ngo: { x: longKey('n') }, donor: { x: longKey('d') } }, /donor\.x: the name x is used twice/],
      ['a name with a space', { ngo: { 'field officer': longKey('n') } }, /ngo\.field officer: key names are/],
      ['a role with no named keys', { ngo: {} }, /empty key list/],
    ];
    it.each(invalid)('refuses %s', (_, value, message) => {
      expect(() => validateApiKeys(value, 'SOURCE')).toThrow(ConfigError);
      expect(() => validateApiKeys(value, 'SOURCE')).toThrow(message);
      expect(() => validateApiKeys(value, 'SOURCE')).toThrow(/SOURCE: /);
    });

    it('gives each key an id that is not the key', () => {
      const [key] = validateApiKeys({ ngo: longKey('n') }, 'SOURCE');
      expect(key!.id).toMatch(/^[0-9a-f]{10}$/);
      expect(longKey('n')).not.toContain(key!.id);
    });
  });
});
