import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, distOf, expectOwnerOnly } from '@peil/testing';
import { CONTRACT_CLOCK, keyStoreContract } from './key-store.contract';
import type { HouseholdKeyStore } from './key-store';
import { loadMasterKey, MASTER_KEY_FILE } from './master-key';
import { KEYSTORE_FILE, openSqliteKeyStore } from './sqlite-key-store';

const DIST_INDEX = join(distOf(__dirname), 'index.js');
const A = '0b9f6a3e-6b1e-4d4e-9a53-0d3f1c2b7a01';

keyStoreContract('SQLite key store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peil-keystore-'));
  return {
    open: (masterKey) => openSqliteKeyStore(dir, masterKey, { clock: CONTRACT_CLOCK() }),
    copyWrappedKey: async (from, to) => {
      const raw = new Database(join(dir, KEYSTORE_FILE));
      raw.pragma('busy_timeout = 5000');
      raw.prepare('UPDATE household_keys SET wrapped_key = (SELECT wrapped_key FROM household_keys WHERE household_id = ?) WHERE household_id = ?').run(from, to);
      raw.close();
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

let dir: string;
const open: HouseholdKeyStore[] = [];
async function openStore(masterKey: Buffer, dataDir = dir): Promise<HouseholdKeyStore> {
  const store = await openSqliteKeyStore(dataDir, masterKey, { clock: CONTRACT_CLOCK() });
  open.push(store);
  return store;
}

/** Every byte SQLite has on disk for the keystore: main file, WAL and shared memory. */
function keystoreBytes(): Buffer {
  return Buffer.concat(
    readdirSync(dir)
      .filter((f) => f.startsWith(KEYSTORE_FILE))
      .map((f) => readFileSync(join(dir, f))),
  );
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'peil-keystore-'));
});
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('master key file', () => {
  it('is created on first use with mode 0600 and read back on the next', () => {
    const key = loadMasterKey({}, dir);
    const file = join(dir, MASTER_KEY_FILE);
    expect(key).toHaveLength(32);
    expectOwnerOnly([file]);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(key)).toBe(true);
    expect(loadMasterKey({ PEIL_MASTER_KEY: '' }, dir).equals(key)).toBe(true);
    expect(readdirSync(dir)).toEqual([MASTER_KEY_FILE]); // no temporary file left behind
  });

  it('is ignored when PEIL_MASTER_KEY or PEIL_MASTER_KEY_FILE is set', () => {
    const fileKey = loadMasterKey({}, dir);
    const envKey = randomBytes(32);
    expect(loadMasterKey({ PEIL_MASTER_KEY: envKey.toString('base64') }, dir).equals(envKey)).toBe(true);
    const secret = join(dir, 'mounted-secret');
    writeFileSync(secret, `${envKey.toString('base64')}\n`, { mode: 0o600 });
    expect(loadMasterKey({ PEIL_MASTER_KEY_FILE: secret }, dir).equals(envKey)).toBe(true);
    expect(loadMasterKey({}, dir).equals(fileKey)).toBe(true);
  });

  it('refuses both variables at once, and a missing secret file, naming the variables and never a key', () => {
    const key = randomBytes(32).toString('base64');
    const both = errorOf(() => loadMasterKey({ PEIL_MASTER_KEY: key, PEIL_MASTER_KEY_FILE: join(dir, 'x') }, dir));
    expect(both.message).toMatch(/PEIL_MASTER_KEY, PEIL_MASTER_KEY_FILE: set one of them, not both/);
    expect(both.message).not.toContain(key);
    expect(errorOf(() => loadMasterKey({ PEIL_MASTER_KEY_FILE: join(dir, 'absent') }, dir)).message).toMatch(/PEIL_MASTER_KEY_FILE: cannot read .*absent \(ENOENT\)/);
    expect(readdirSync(dir)).toEqual([]); // no master.key was generated instead
  });

  it('is refused when corrupt, with a message naming the file and PEIL_MASTER_KEY', () => {
    writeFileSync(join(dir, MASTER_KEY_FILE), 'c2hvcnQ=\n', { mode: 0o600 });
    const err = errorOf(() => loadMasterKey({}, dir));
    expect(err.message).toContain(MASTER_KEY_FILE);
    expect(err.message).toContain('PEIL_MASTER_KEY');
    expect(err.message).not.toContain('c2hvcnQ');
  });
});

describe('SQLite key store file', () => {
  const master = randomBytes(32);

  it('stores only wrapped keys: neither a raw data key nor the master key occurs in the file bytes', async () => {
    const store = await openStore(master);
    const raw = await Promise.all(Array.from({ length: 20 }, (_, i) => store.getOrCreateKey(`household-${i}`)));
    const whileOpen = keystoreBytes();
    await store.close();
    for (const bytes of [whileOpen, keystoreBytes()]) {
      expect(bytes.length).toBeGreaterThan(0);
      for (const key of raw) expect(bytes.indexOf(key)).toBe(-1);
      expect(bytes.indexOf(master)).toBe(-1);
      expect(bytes.indexOf(Buffer.from(master.toString('base64')))).toBe(-1);
    }
  });

  it('leaves no wrapped key of an erased household in the file, its WAL or free pages', async () => {
    const store = await openStore(master);
    await store.getOrCreateKey(A);
    const db = new Database(join(dir, KEYSTORE_FILE), { readonly: true });
    const wrapped = db.prepare<[string], { wrapped_key: Buffer }>('SELECT wrapped_key FROM household_keys WHERE household_id = ?').get(A)!.wrapped_key;
    db.close();
    await store.destroyKey(A, '2025-06-01T10:00:00.000Z');
    expect(keystoreBytes().indexOf(wrapped)).toBe(-1);
  });

  it('creates the keystore file owner-only (0600)', async () => {
    await (await openStore(master)).getOrCreateKey(A);
    expectOwnerOnly(readdirSync(dir).map((f) => join(dir, f)));
  });
});

describe('several processes starting at once', () => {
  interface WorkerResult {
    keys: Record<string, string>;
    digest: string;
  }

  // The workers run the compiled library (npm run build → dist/), exercising the SQLite key store itself.
  const WORKER = `
const { openSqliteKeyStoreFromEnv } = require(process.argv[2]);
const [dataDir, householdsJson] = process.argv.slice(3);
const households = JSON.parse(householdsJson);
process.on('message', async (msg) => {
  if (msg !== 'go') return;
  const store = await openSqliteKeyStoreFromEnv(process.env, dataDir);
  const keys = {};
  for (const h of households) keys[h] = (await store.getOrCreateKey(h)).toString('hex');
  const digest = store.digestKey().toString('hex');
  await store.close();
  process.send({ keys, digest }, () => process.exit(0));
});
process.send('ready');
`;

  /** Starts n workers, waits until all are ready, then releases them together. */
  async function race(n: number, households: string[]): Promise<WorkerResult[]> {
    const script = join(dir, 'keystore-worker.js');
    writeFileSync(script, WORKER);
    const dataDir = join(dir, 'data');
    const env = { ...process.env };
    delete env.PEIL_MASTER_KEY; // all must agree on one master.key file too
    delete env.PEIL_MASTER_KEY_FILE;
    const children = Array.from({ length: n }, (_, i) => {
      // Each worker walks the households from a different starting point, so inserts collide.
      const order = [...households.slice(i * 7), ...households.slice(0, i * 7)];
      return fork(script, [DIST_INDEX, dataDir, JSON.stringify(order)], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    });
    const ready = children.map((c) => new Promise<void>((ok) => c.once('message', () => ok())));
    const results = children.map(
      (c, i) =>
        new Promise<WorkerResult>((ok, fail) => {
          c.on('message', (msg) => typeof msg === 'object' && ok(msg as WorkerResult));
          c.once('exit', (code) => fail(new Error(`worker ${i} exited with ${code} before answering`)));
        }),
    );
    await Promise.all(ready);
    for (const c of children) c.send('go');
    return Promise.all(results);
  }

  it('4 processes calling getOrCreateKey concurrently all get the same key per household', async () => {
    assertBuilt(__dirname, DIST_INDEX);
    const households = Array.from({ length: 30 }, (_, i) => `hh-${i}`);
    const results = await race(4, households);

    const [first, ...rest] = results;
    expect(Object.keys(first!.keys).sort()).toEqual([...households].sort());
    for (const other of rest) {
      expect(other.keys).toEqual(first!.keys);
      expect(other.digest).toBe(first!.digest);
    }
    expect(new Set(Object.values(first!.keys)).size).toBe(households.length);

    // One master.key, and this process reads the same keys from the file the workers wrote.
    const dataDir = join(dir, 'data');
    expect(readdirSync(dataDir).filter((f) => f.startsWith(MASTER_KEY_FILE))).toEqual([MASTER_KEY_FILE]);
    const store = await openStore(loadMasterKey({}, dataDir), dataDir);
    for (const h of households) expect((await store.getKey(h))?.toString('hex')).toBe(first!.keys[h]);
    const db = new Database(join(dataDir, KEYSTORE_FILE), { readonly: true });
    const rows = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM household_keys').get();
    db.close();
    expect(rows?.n).toBe(households.length);
  }, 60_000);
});
