import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ROLES } from '@peil/platform';
import { loadGatewayConfig, type GatewayConfig } from '../gateway.config';
import { API_KEYS_FILE_NAME, MIN_KEY_LENGTH, keyId, loadApiKeys, validateApiKeys } from './api-keys';

const longKey = (tag: string) => `${tag}-${'x'.repeat(MIN_KEY_LENGTH)}`;

describe('API keys', () => {
  let dir: string;
  let logs: string[];
  let warnings: string[];
  const logger = { log: (m: string) => logs.push(m), warn: (m: string) => warnings.push(m) };
  const config = (env: Record<string, string> = {}): GatewayConfig => loadGatewayConfig({ PEIL_DATA_DIR: dir, ...env });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peil-gw-keys-'));
    logs = [];
    warnings = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('with nothing configured', () => {
    it('generates one key per role into <data dir>/api-keys.json, mode 0600, and says where in one line without a key', () => {
      const dataDir = join(dir, 'nested', 'data'); // not there yet
      const { keys, source } = loadApiKeys(loadGatewayConfig({ PEIL_DATA_DIR: dataDir }), logger);
      const file = join(dataDir, API_KEYS_FILE_NAME);
      expect(source).toBe(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);

      const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      expect(Object.keys(stored).sort()).toEqual([...ROLES].sort());
      for (const role of ROLES) {
        expect(stored[role]).toMatch(new RegExp(`^peil_${role}_[A-Za-z0-9_-]{43}$`));
      }
      expect(new Set(Object.values(stored)).size).toBe(ROLES.length);
      expect(keys.map((k) => k.role).sort()).toEqual([...ROLES].sort());

      expect(logs).toHaveLength(1);
      expect(logs[0]).toContain(file);
      for (const key of Object.values(stored)) expect(logs.join('\n')).not.toContain(key);
    });

    it('sets mode 0600 whatever the umask', () => {
      const previous = process.umask(0o277); // would leave the owner read-only
      try {
        loadApiKeys(config(), logger);
      } finally {
        process.umask(previous);
      }
      expect(statSync(join(dir, API_KEYS_FILE_NAME)).mode & 0o777).toBe(0o600);
    });

    it('reuses the file on the next start', () => {
      const first = loadApiKeys(config(), logger).keys;
      const before = readFileSync(join(dir, API_KEYS_FILE_NAME), 'utf8');
      const second = loadApiKeys(config(), logger).keys;
      expect(second).toEqual(first);
      expect(readFileSync(join(dir, API_KEYS_FILE_NAME), 'utf8')).toBe(before);
      expect(logs[1]).toMatch(/^API keys from /);
    });

    it('refuses an existing file that was edited into something invalid', () => {
      writeFileSync(join(dir, API_KEYS_FILE_NAME), JSON.stringify({ ngo: 'short' }), { mode: 0o600 });
      expect(() => loadApiKeys(config(), logger)).toThrow(/api-keys\.json: ngo must be 24 to 512 characters/);
    });

    it('warns when the existing file is readable by others', () => {
      const file = join(dir, API_KEYS_FILE_NAME);
      writeFileSync(file, JSON.stringify({ ngo: longKey('n') }));
      chmodSync(file, 0o644);
      loadApiKeys(config(), logger);
      expect(warnings.join()).toMatch(/readable by other users \(mode 0644\)/);
    });
  });

  describe('from PEIL_API_KEYS', () => {
    it('accepts one key or a list per role, and writes no file', () => {
      const env = { PEIL_API_KEYS: JSON.stringify({ ngo: longKey('ngo'), auditor: [longKey('a1'), longKey('a2')] }) };
      const { keys, source } = loadApiKeys(config(env), logger);
      expect(source).toBe('PEIL_API_KEYS');
      expect(keys.map((k) => `${k.role}:${k.key}`)).toEqual([`ngo:${longKey('ngo')}`, `auditor:${longKey('a1')}`, `auditor:${longKey('a2')}`]);
      expect(() => statSync(join(dir, API_KEYS_FILE_NAME))).toThrow();
    });

    it('names the variable and never echoes the value when the JSON is broken', () => {
      const secret = longKey('secret');
      const env = { PEIL_API_KEYS: `{"ngo": "${secret}"` };
      expect(() => loadApiKeys(config(env), logger)).toThrow(ConfigError);
      try {
        loadApiKeys(config(env), logger);
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
      const { keys } = loadApiKeys(config({ PEIL_API_KEYS_FILE: file }), logger);
      expect(keys).toEqual([{ role: 'donor', key: longKey('d'), id: keyId(longKey('d')) }]);
    });

    it('fails when the file does not exist, rather than inventing keys', () => {
      const file = join(dir, 'missing.json');
      expect(() => loadApiKeys(config({ PEIL_API_KEYS_FILE: file }), logger)).toThrow(`PEIL_API_KEYS_FILE (${file}): file does not exist`);
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
