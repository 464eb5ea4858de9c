import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteFile } from './open-sqlite-file';
import { createFileOnce, ensurePrivateDir, ensurePrivateFile } from './private-files';

const mode = (path: string) => statSync(path).mode & 0o777;

let root: string;
let umask: number;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'peil-modes-'));
  // The most permissive umask: whatever mode comes out was set by the code, not trimmed by the umask.
  umask = process.umask(0);
});
afterEach(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

describe('owner-only data files', () => {
  it('creates a missing data dir 0700 and makes an existing 0755 one 0700', () => {
    const fresh = join(root, 'a', 'data');
    ensurePrivateDir(fresh);
    expect(mode(fresh)).toBe(0o700);
    const existing = join(root, 'existing');
    mkdirSync(existing, { mode: 0o755 });
    expect(mode(existing)).toBe(0o755);
    ensurePrivateDir(existing);
    expect(mode(existing)).toBe(0o700);
  });

  it('creates a file 0600 under umask 0 and tightens one left 0644 by an older version', () => {
    const file = join(root, 'x.sqlite');
    ensurePrivateFile(file);
    expect(mode(file)).toBe(0o600);
    const old = join(root, 'old.sqlite');
    writeFileSync(old, '', { mode: 0o644 });
    chmodSync(old, 0o644);
    ensurePrivateFile(old);
    expect(mode(old)).toBe(0o600);
  });

  it('openSqliteFile leaves the file, its -wal and -shm 0600 and the directory 0700, also in an existing 0755 dir', () => {
    const dir = join(root, 'data');
    mkdirSync(dir, { mode: 0o755 });
    const file = join(dir, 'ledger.sqlite');
    const db = openSqliteFile(file, { schema: 'CREATE TABLE IF NOT EXISTS t (x INTEGER)' });
    db.prepare('INSERT INTO t (x) VALUES (1)').run();
    const files = readdirSync(dir);
    expect(files.sort()).toEqual(['ledger.sqlite', 'ledger.sqlite-shm', 'ledger.sqlite-wal']);
    for (const f of files) expect({ f, mode: mode(join(dir, f)) }).toEqual({ f, mode: 0o600 });
    expect(mode(dir)).toBe(0o700);
    db.close();
  });

  it('openSqliteFile tightens the sidecars of a database an older version left 0644', () => {
    const file = join(root, 'read-models.sqlite');
    openSqliteFile(file, { schema: 'CREATE TABLE IF NOT EXISTS t (x INTEGER)' }).close();
    const holder = openSqliteFile(file, { schema: '' }); // keeps -wal/-shm present
    for (const f of [file, `${file}-wal`, `${file}-shm`]) chmodSync(f, 0o644);
    const db = openSqliteFile(file, { schema: '' });
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect({ f, mode: mode(f) }).toEqual({ f, mode: 0o600 });
    db.close();
    holder.close();
  });
});

describe('createFileOnce', () => {
  it('creates the file complete and 0600, and later callers read the first content, leaving no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peil-once-'));
    try {
      const file = join(dir, 'internal.token');
      expect(createFileOnce(file, 'first')).toBe('first');
      expect(createFileOnce(file, 'second')).toBe('first');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir)).toEqual(['internal.token']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
