import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSignerKey } from '@peil/ledger';
import { loadLedgerIdentity, VERIFIER_KEY_FILE } from './ledger-identity';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'peil-ledger-identity-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ledger identity', () => {
  it('generates the ledger id and signing key once into the data dir and keeps them', () => {
    const first = loadLedgerIdentity({}, dir);
    expect(first.origin).toMatch(/^peil-ledger\/[0-9a-f]{16}$/);
    const again = loadLedgerIdentity({}, dir);
    expect(again.origin).toBe(first.origin);
    expect(again.verifierKey).toBe(first.verifierKey);
    expect(readFileSync(join(dir, VERIFIER_KEY_FILE), 'utf8').trim()).toBe(first.verifierKey);
  });

  it('takes the signing key from PEIL_SIGNING_KEY_FILE (a mounted secret), writing no key file', () => {
    const key = generateSignerKey('peil-ledger/compose');
    const secret = join(dir, 'mounted');
    writeFileSync(secret, `${key}\n`);
    const identity = loadLedgerIdentity({ PEIL_LEDGER_ORIGIN: 'peil-ledger/compose', PEIL_SIGNING_KEY_FILE: secret }, dir);
    expect(identity.origin).toBe('peil-ledger/compose');
    expect(readdirSync(dir).sort()).toEqual([VERIFIER_KEY_FILE, 'mounted'].sort());
  });

  it('refuses a secret key named for another origin, naming the file but not the key', () => {
    const key = generateSignerKey('peil-ledger/other');
    const secret = join(dir, 'mounted');
    writeFileSync(secret, key);
    let message = '';
    try {
      loadLedgerIdentity({ PEIL_LEDGER_ORIGIN: 'peil-ledger/compose', PEIL_SIGNING_KEY_FILE: secret }, dir);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`${secret} (PEIL_SIGNING_KEY_FILE): the key is named "peil-ledger/other"`);
    expect(message).not.toContain(key);
  });
});
