import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ManualClock } from '../clock/clock';
import { HouseholdKeyDestroyedError, HouseholdKeyStore, KEYSTORE_FILE, KeystoreError } from './key-store';
import { loadMasterKey, MASTER_KEY_FILE } from './master-key';

const REPO = resolve(__dirname, '../../../..');
const DIST_INDEX = join(REPO, 'dist/libs/platform/src/privacy/index.js');
const A = '0b9f6a3e-6b1e-4d4e-9a53-0d3f1c2b7a01';
const B = '5c2d8e71-2f4a-4c8b-b1d6-7e9a0f3c4d52';

let dir: string;
const open: HouseholdKeyStore[] = [];
function openStore(masterKey: Buffer, dataDir = dir): HouseholdKeyStore {
  const store = new HouseholdKeyStore(dataDir, masterKey, { clock: new ManualClock(new Date('2025-03-01T08:00:00Z')) });
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
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('master key file', () => {
  it('is created on first use with mode 0600 and read back on the next', () => {
    const key = loadMasterKey({}, dir);
    const file = join(dir, MASTER_KEY_FILE);
    expect(key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(key)).toBe(true);
    expect(loadMasterKey({ PEIL_MASTER_KEY: '' }, dir).equals(key)).toBe(true);
    expect(readdirSync(dir)).toEqual([MASTER_KEY_FILE]); // no temporary file left behind
  });

  it('is ignored when PEIL_MASTER_KEY is set', () => {
    const fileKey = loadMasterKey({}, dir);
    const envKey = randomBytes(32);
    expect(loadMasterKey({ PEIL_MASTER_KEY: envKey.toString('base64') }, dir).equals(envKey)).toBe(true);
    expect(loadMasterKey({}, dir).equals(fileKey)).toBe(true);
  });

  it('is refused when corrupt, with a message naming the file and PEIL_MASTER_KEY', () => {
    writeFileSync(join(dir, MASTER_KEY_FILE), 'c2hvcnQ=\n', { mode: 0o600 });
    const err = errorOf(() => loadMasterKey({}, dir));
    expect(err.message).toContain(MASTER_KEY_FILE);
    expect(err.message).toContain('PEIL_MASTER_KEY');
    expect(err.message).not.toContain('c2hvcnQ');
  });
});

describe('HouseholdKeyStore', () => {
  const master = randomBytes(32);

  it('creates one 32-byte key per household and keeps it across reopen', () => {
    const store = openStore(master);
    const a = store.getOrCreateKey(A);
    const b = store.getOrCreateKey(B);
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
    expect(store.getOrCreateKey(A).equals(a)).toBe(true);
    store.close();

    const reopened = openStore(master);
    expect(reopened.getKey(A)?.equals(a)).toBe(true);
    expect(reopened.getOrCreateKey(B).equals(b)).toBe(true);
    expect(reopened.getKey('never-seen')).toBeNull();
    expect(reopened.lookupKey('never-seen')).toEqual({ status: 'unknown' });
  });

  it('stores only wrapped keys: neither a raw data key nor the master key occurs in the file bytes', () => {
    const store = openStore(master);
    const raw = Array.from({ length: 20 }, (_, i) => store.getOrCreateKey(`household-${i}`));
    const whileOpen = keystoreBytes();
    store.close();
    for (const bytes of [whileOpen, keystoreBytes()]) {
      expect(bytes.length).toBeGreaterThan(0);
      for (const key of raw) expect(bytes.indexOf(key)).toBe(-1);
      expect(bytes.indexOf(master)).toBe(-1);
      expect(bytes.indexOf(Buffer.from(master.toString('base64')))).toBe(-1);
    }
  });

  it('creates the keystore file owner-only (0600)', () => {
    openStore(master).getOrCreateKey(A);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
  });

  it('refuses another master key at open, with a clear message and no key material', () => {
    openStore(master).getOrCreateKey(A);
    const wrong = randomBytes(32);
    const err = errorOf(() => openStore(wrong));
    expect(err).toBeInstanceOf(KeystoreError);
    expect(err.message).toMatch(/different master key/);
    for (const k of [master, wrong]) {
      expect(err.message).not.toContain(k.toString('base64'));
      expect(err.message).not.toContain(k.toString('hex'));
    }
  });

  it('fails to unwrap, clearly, when a wrapped key was copied to another household row', () => {
    const store = openStore(master);
    store.getOrCreateKey(A);
    store.getOrCreateKey(B);
    const raw = new Database(join(dir, KEYSTORE_FILE));
    raw.pragma('busy_timeout = 5000');
    raw
      .prepare('UPDATE household_keys SET wrapped_key = (SELECT wrapped_key FROM household_keys WHERE household_id = ?) WHERE household_id = ?')
      .run(A, B);
    raw.close();
    const err = errorOf(() => store.getKey(B));
    expect(err).toBeInstanceOf(KeystoreError);
    expect(err.message).toMatch(/cannot unwrap the data key \(wrong master key, or the keystore row was altered\)/);
  });

  it('destroyKey crypto-shreds: getKey is null, the row stays, the key never comes back', () => {
    const store = openStore(master);
    store.getOrCreateKey(A);
    const wrapped = new Database(join(dir, KEYSTORE_FILE), { readonly: true });
    const before = wrapped.prepare<[string], { wrapped_key: Buffer }>('SELECT wrapped_key FROM household_keys WHERE household_id = ?').get(A);
    wrapped.close();
    expect(before?.wrapped_key).toHaveLength(60);

    expect(store.destroyKey(A, '2025-06-01T10:00:00.000Z')).toEqual({ destroyedAt: '2025-06-01T10:00:00.000Z', alreadyDestroyed: false });
    expect(store.getKey(A)).toBeNull();
    expect(store.lookupKey(A)).toEqual({ status: 'destroyed', destroyedAt: '2025-06-01T10:00:00.000Z' });
    expect(() => store.getOrCreateKey(A)).toThrow(HouseholdKeyDestroyedError);
    expect(store.destroyKey(A, '2025-07-01T00:00:00.000Z')).toEqual({ destroyedAt: '2025-06-01T10:00:00.000Z', alreadyDestroyed: true });
    // secure_delete and the WAL checkpoint leave no copy of the wrapped key on disk.
    expect(keystoreBytes().indexOf(before!.wrapped_key)).toBe(-1);

    store.close();
    const reopened = openStore(master);
    expect(reopened.getKey(A)).toBeNull();
    const db = new Database(join(dir, KEYSTORE_FILE), { readonly: true });
    const row = db.prepare('SELECT household_id, wrapped_key, created_at, destroyed_at FROM household_keys WHERE household_id = ?').get(A);
    db.close();
    expect(row).toEqual({ household_id: A, wrapped_key: null, created_at: '2025-03-01T08:00:00.000Z', destroyed_at: '2025-06-01T10:00:00.000Z' });
  });

  it('destroyKey on a never-seen household leaves a tombstone, so it cannot get a key later', () => {
    const store = openStore(master);
    expect(store.destroyKey(B, '2025-06-01T10:00:00.000Z').alreadyDestroyed).toBe(false);
    expect(() => store.getOrCreateKey(B)).toThrow(/was destroyed at 2025-06-01T10:00:00.000Z/);
    expect(() => store.destroyKey(A, 'yesterday')).toThrow(/ISO timestamp/);
  });

  it('digestKey is derived from the master key: equal across instances, different per master key', () => {
    const one = openStore(master).digestKey();
    const other = mkdtempSync(join(tmpdir(), 'peil-keystore-'));
    try {
      expect(openStore(master, other).digestKey().equals(one)).toBe(true);
      const third = mkdtempSync(join(tmpdir(), 'peil-keystore-'));
      expect(openStore(randomBytes(32), third).digestKey().equals(one)).toBe(false);
      rmSync(third, { recursive: true, force: true });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    expect(one).toHaveLength(32);
    expect(one.equals(master)).toBe(false);
  });
});

describe('several processes starting at once', () => {
  interface WorkerResult {
    keys: Record<string, string>;
    digest: string;
  }

  // The workers run the compiled library (npm run build → dist/), exercising HouseholdKeyStore itself.
  const WORKER = `
const { HouseholdKeyStore } = require(process.argv[2]);
const [dataDir, householdsJson] = process.argv.slice(3);
const households = JSON.parse(householdsJson);
process.on('message', (msg) => {
  if (msg !== 'go') return;
  const store = HouseholdKeyStore.open(process.env, dataDir);
  const keys = {};
  for (const h of households) keys[h] = store.getOrCreateKey(h).toString('hex');
  const digest = store.digestKey().toString('hex');
  store.close();
  process.send({ keys, digest }, () => process.exit(0));
});
process.send('ready');
`;

  function assertBuilt(): void {
    if (!existsSync(DIST_INDEX)) throw new Error(`${DIST_INDEX} is missing: run npm run build first`);
    for (const f of readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
      const built = join(REPO, 'dist/libs/platform/src/privacy', f.replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(__dirname, f)).mtimeMs) {
        throw new Error(`${built} is missing or older than its source: run npm run build first`);
      }
    }
  }

  /** Starts n workers, waits until all are ready, then releases them together. */
  async function race(n: number, households: string[]): Promise<WorkerResult[]> {
    const script = join(dir, 'keystore-worker.js');
    writeFileSync(script, WORKER);
    const dataDir = join(dir, 'data');
    const env = { ...process.env };
    delete env.PEIL_MASTER_KEY; // all must agree on one master.key file too
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
    assertBuilt();
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
    const store = openStore(loadMasterKey({}, dataDir), dataDir);
    for (const h of households) expect(store.getKey(h)?.toString('hex')).toBe(first!.keys[h]);
    const db = new Database(join(dataDir, KEYSTORE_FILE), { readonly: true });
    const rows = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM household_keys').get();
    db.close();
    expect(rows?.n).toBe(households.length);
  }, 60_000);
});

describe('HouseholdKeyStore unit of work (one transaction per batch)', () => {
  it('keeps new keys to the unit until it resolves, then stores them as they were handed out', async () => {
    const master = randomBytes(32);
    const store = openStore(master);
    const other = openStore(master);
    let handedOut!: Buffer;
    await store.unitOfWork(async () => {
      handedOut = store.getOrCreateKey(A);
      expect(store.getOrCreateKey(A).equals(handedOut)).toBe(true);
      expect(store.lookupKey(A)).toEqual({ status: 'active', key: handedOut });
      // Not written yet: another connection, or this one outside the unit, does not see it.
      expect(other.lookupKey(A)).toEqual({ status: 'unknown' });
    });
    expect(other.getKey(A)?.equals(handedOut)).toBe(true);
  });

  it('fails, storing nothing of the unit, when the key was destroyed meanwhile', async () => {
    const master = randomBytes(32);
    const store = openStore(master);
    const other = openStore(master);
    await expect(
      store.unitOfWork(async () => {
        store.getOrCreateKey(A);
        store.getOrCreateKey(B);
        other.destroyKey(A, '2025-03-01T09:00:00Z');
      }),
    ).rejects.toThrow(KeystoreError);
    expect(other.lookupKey(A)).toMatchObject({ status: 'destroyed' });
    expect(other.lookupKey(B)).toEqual({ status: 'unknown' });
  });

  it('writes nothing when the work throws', async () => {
    const store = openStore(randomBytes(32));
    await expect(
      store.unitOfWork(async () => {
        store.getOrCreateKey(A);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(store.lookupKey(A)).toEqual({ status: 'unknown' });
  });
});
