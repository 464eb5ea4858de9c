import { ApiKeyVerifier, bearerKey } from './api-key.verifier';
import type { ApiKey } from './api-key';

const keys: ApiKey[] = [
  { role: 'ngo', key: 'ngo-key-aaaaaaaaaaaaaaaaaaaaaaaa', id: 'n1', name: 'ngo' },
  { role: 'auditor', key: 'auditor-key-bbbbbbbbbbbbbbbbbbbb', id: 'a1', name: 'auditor-1' },
  { role: 'auditor', key: 'auditor-key-cccccccccccccccccccc', id: 'a2', name: 'auditor-2' },
  { role: 'admin', key: 'admin-key-dddddddddddddddddddddddd', id: 'd1', name: 'admin' },
];

// The module object itself (a namespace import would be a copy under the CommonJS interop), so spies see the verifier's calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const crypto: typeof import('node:crypto') = require('node:crypto');

describe('ApiKeyVerifier', () => {
  const verifier = ApiKeyVerifier.fromKeys(keys);

  afterEach(() => jest.restoreAllMocks());

  it('knows each key by its role and id', () => {
    for (const k of keys) expect(verifier.verify(k.key)).toEqual({ role: k.role, keyId: k.id });
  });

  it('refuses unknown keys, prefixes, extensions and case changes', () => {
    const ngo = keys[0]!.key;
    for (const guess of ['', 'nope', ngo.slice(0, -1), `${ngo}a`, ngo.toUpperCase(), ` ${ngo}`]) {
      expect(verifier.verify(guess)).toBeNull();
    }
  });

  it('hashes what was presented once, whatever its length, and looks the digest up: no raw key is ever compared', () => {
    const spy = jest.spyOn(crypto, 'createHash');
    for (const presented of ['x', 'y'.repeat(5000), keys[1]!.key]) verifier.verify(presented);
    expect(spy.mock.calls).toEqual([['sha256'], ['sha256'], ['sha256']]);
  });

  it('knows nothing once built without keys', () => {
    expect(new ApiKeyVerifier([]).verify(keys[0]!.key)).toBeNull();
  });
});

describe('bearerKey', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer   abc  ', 'abc'],
  ])('reads %j', (header, key) => expect(bearerKey(header)).toBe(key));

  it.each([[undefined], [''], ['Basic abc'], ['Bearer'], ['Bearer a b'], ['abc']])('finds no key in %j', (header) => {
    expect(bearerKey(header)).toBeNull();
  });
});
