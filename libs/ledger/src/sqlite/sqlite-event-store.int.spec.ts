import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { NewEvent } from '../core/envelope';
import { eventStoreContract } from '../store/event-store.contract';
import { chain } from '../core/hash-chain';
import { holdsWriteLock } from '../store/write-lock-scope';
import { verifyLedger } from '../verify/verify-ledger';
import { SqliteEventStore } from './sqlite-event-store';
import { testEvent } from '@peil/testing';

const REPO = resolve(__dirname, '../../../..');
const LEDGER_SRC = resolve(__dirname, '..');
const DIST_LEDGER = join(REPO, 'dist/libs/ledger/src');

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'peil-ledger-'));
  dirs.push(dir);
  return join(dir, 'ledger.sqlite');
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

eventStoreContract('SqliteEventStore', async () => {
  const store = new SqliteEventStore(tempFile(), { pollIntervalMs: 10 });
  return { store, cleanup: () => store.close() };
});

let n = 0;
function event(data?: NewEvent['data']): NewEvent {
  n += 1;
  return testEvent(n, 'sqlite-spec', data ?? { n, amountMinor: 1000 + n });
}

/** A fresh ledger file with 6 events over 3 streams, closed; positions 1..6. */
async function ledgerWithSixEvents(): Promise<string> {
  const file = tempFile();
  const store = new SqliteEventStore(file);
  await store.append('household-A', [event(), event()], 'no_stream');
  await store.append('household-B', [event()], 'no_stream');
  await store.append('grant-G', [event()], 'no_stream');
  await store.append('household-A', [event(), event()], 1);
  await store.close();
  return file;
}

/** Rewrites one event's stored `data` text behind the store's back, as an attacker with file access could. */
function tamper(file: string, position: number, change: (data: string) => string): void {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER events_no_update');
    const row = db.prepare<[number], { data: string }>('SELECT data FROM events WHERE position = ?').get(position);
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(change(row!.data), position);
  } finally {
    db.close();
  }
}

describe('SqliteEventStore specifics', () => {
  it('numbers positions 1, 2, 3… across streams, with no holes', async () => {
    const store = new SqliteEventStore(tempFile());
    await store.append('a-1', [event(), event()], 'no_stream');
    await store.append('b-1', [event()], 'no_stream');
    await expect(store.append('a-1', [event()], 'no_stream')).rejects.toThrow(/expected revision/);
    await store.append('a-1', [event()], 1);
    expect((await store.readAll(null, 100)).map((e) => e.position)).toEqual([1, 2, 3, 4]);
    expect(await store.headPosition()).toBe(4);
    await store.close();
  });

  it('verifyLedger accepts an intact ledger', async () => {
    const store = new SqliteEventStore(await ledgerWithSixEvents());
    expect(await verifyLedger(store, 4)).toEqual({ ok: true, checkedEvents: 6, headPosition: 6, verifiedThrough: 6 });
    await store.close();
  });

  it('verifyLedger finds one changed byte of data at exactly that position', async () => {
    const file = await ledgerWithSixEvents();
    // Position 4 is grant-G's only event; one digit changes, the JSON stays valid.
    tamper(file, 4, (data) => data.replace(/\d/, (d) => String((Number(d) + 1) % 10)));
    const store = new SqliteEventStore(file);
    const report = await verifyLedger(store);
    expect(report.ok).toBe(false);
    expect(report.firstFailure).toMatchObject({ position: 4, reason: 'hash_mismatch' });
    expect(report.checkedEvents).toBe(3);
    // The head is the ledger's real head; the last good position is reported apart from it.
    expect(report.headPosition).toBe(6);
    expect(report.verifiedThrough).toBe(3);
    await store.close();
  });

  it('verifyLedger reports data that no longer parses as unreadable at its position', async () => {
    const file = await ledgerWithSixEvents();
    tamper(file, 5, (data) => data.slice(0, -1));
    const store = new SqliteEventStore(file);
    expect((await verifyLedger(store)).firstFailure).toMatchObject({ position: 5, reason: 'unreadable' });
    await store.close();
  });

  it('opens a ledger file written before principals were: old events still verify, new ones carry their principal', async () => {
    const file = tempFile();
    const old = new Database(file);
    // The events table as it was before the principal columns, with two events hashed the old way.
    old.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, category TEXT NOT NULL, revision INTEGER NOT NULL,
      event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, schema_version INTEGER NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
      source TEXT NOT NULL, actor TEXT NOT NULL, correlation_id TEXT NOT NULL, causation_id TEXT, data TEXT NOT NULL, prev_hash TEXT,
      hash TEXT NOT NULL, content_digest TEXT NOT NULL, UNIQUE (stream_id, revision))`);
    const insert = old.prepare(`INSERT INTO events (stream_id, category, revision, event_id, type, schema_version, occurred_at, recorded_at, source,
      actor, correlation_id, causation_id, data, prev_hash, hash, content_digest) VALUES (?, 'household', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'd')`);
    for (const e of chain('household-OLD', [event(), event()], undefined)) {
      insert.run(e.streamId, e.revision, e.eventId, e.type, e.schemaVersion, e.occurredAt, e.recordedAt, e.source, e.actor, e.correlationId, e.causationId, e.dataJson, e.prevHash, e.hash);
    }
    old.close();

    const store = new SqliteEventStore(file);
    const principal = { keyId: '0a1b2c3d4e', role: 'ngo', via: 'http' as const };
    await store.append('household-OLD', [{ ...event(), principal }], 1);
    const events = await store.readAll(null, 10);
    expect(events.map((e) => e.principal)).toEqual([undefined, undefined, principal]);
    expect(events[0]).not.toHaveProperty('principal');
    expect(await verifyLedger(store)).toEqual({ ok: true, checkedEvents: 3, headPosition: 3, verifiedThrough: 3 });
    await store.close();
    // Opening it again finds the columns there.
    const again = new SqliteEventStore(file);
    expect(await verifyLedger(again)).toMatchObject({ ok: true, checkedEvents: 3 });
    await again.close();
  });

  it('verifyLedger finds a principal rewritten behind the store, and one added to an old event', async () => {
    const file = tempFile();
    const store = new SqliteEventStore(file);
    await store.append('household-P', [{ ...event(), principal: { keyId: 'k1', role: 'ngo', via: 'http' } }, event()], 'no_stream');
    await store.close();
    const db = new Database(file);
    db.exec('DROP TRIGGER events_no_update');
    db.prepare("UPDATE events SET principal_role = 'admin' WHERE position = 1").run();
    db.close();
    const tampered = new SqliteEventStore(file);
    expect((await verifyLedger(tampered)).firstFailure).toMatchObject({ position: 1, reason: 'hash_mismatch' });
    await tampered.close();

    const file2 = tempFile();
    const store2 = new SqliteEventStore(file2);
    await store2.append('household-Q', [event()], 'no_stream');
    await store2.close();
    const db2 = new Database(file2);
    db2.exec('DROP TRIGGER events_no_update');
    db2.prepare("UPDATE events SET principal_key_id = 'k9', principal_role = 'ngo', principal_via = 'http' WHERE position = 1").run();
    db2.close();
    const forged = new SqliteEventStore(file2);
    expect((await verifyLedger(forged)).firstFailure).toMatchObject({ position: 1, reason: 'hash_mismatch' });
    await forged.close();
  });

  it('reads the same rows with any page size, past the LIMITs it keeps statements for', async () => {
    const store = new SqliteEventStore(tempFile());
    try {
      for (let i = 0; i < 30; i++) await store.append(`page-${i % 3}`, [event()], 'any');
      const all = (await store.readAll(null, 1000)).map((e) => e.position);
      for (let limit = 1; limit <= 40; limit++) {
        expect((await store.readAll(null, limit)).map((e) => e.position)).toEqual(all.slice(0, limit));
        expect((await store.readStream('page-1', { fromRevision: 2, limit })).map((e) => e.revision)).toEqual([2, 3, 4, 5, 6, 7, 8, 9].slice(0, limit));
        expect((await store.readCategory('page', 5, limit)).map((e) => e.position)).toEqual(all.filter((p) => p > 5).slice(0, limit));
      }
    } finally {
      await store.close();
    }
  });

  it('refuses UPDATE and DELETE on stored events', async () => {
    const file = await ledgerWithSixEvents();
    const store = new SqliteEventStore(file);
    const before = await store.readAll(null, 100);
    expect(() => store.database.prepare("UPDATE events SET type = 'Forged' WHERE position = 2").run()).toThrow(/immutable/);
    expect(() => store.database.prepare('DELETE FROM events WHERE position = 6').run()).toThrow(/immutable/);
    expect(await store.readAll(null, 100)).toEqual(before);
    await store.close();
  });
});

describe('SqliteEventStore shared by several processes', () => {
  interface Appended {
    eventId: string;
    status: string;
    position: number;
    streamId: string;
    revision: number;
  }
  interface WorkerResult {
    error?: string;
    appended: Appended[];
    resubmitted: Appended[];
    enrolled: number;
  }

  // The workers run the compiled adapter (npm run build → dist/): the code under test, not a copy.
  const WORKER = `
const { SqliteEventStore, ConcurrencyError } = require(process.argv[2]);
const { randomUUID } = require('node:crypto');
const task = JSON.parse(process.argv[3]);
const store = new SqliteEventStore(task.file, { busyTimeoutMs: 30000 });
const event = (data) => ({
  eventId: randomUUID(), type: 'WorkerWrote', schemaVersion: 1, occurredAt: '2026-01-15T09:30:00.000Z',
  recordedAt: new Date().toISOString(), source: 'worker-' + task.worker, actor: 'worker', correlationId: randomUUID(),
  causationId: null, data, contentDigest: 'd:' + JSON.stringify(data),
});
const pause = () => new Promise((r) => setTimeout(r, Math.random() * 3));

// Decide on fresh state, append, and on a concurrency error re-read and decide again.
async function appendRetrying(streamId, events, condition) {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const last = (await store.readStream(streamId)).at(-1);
    try {
      return await store.append(streamId, events, last ? last.revision : 'no_stream', condition ? { condition: condition() } : {});
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      await pause();
    }
  }
  throw new Error('no progress after 1000 attempts on ' + streamId);
}

async function appendMix() {
  const appended = [];
  let first;
  for (let i = 0; i < task.appends; i++) {
    const streamId = i % 3 === 0 ? task.own : task.shared[i % task.shared.length];
    const events = Array.from({ length: 1 + (i % 3) }, (_, k) => event({ worker: task.worker, i, k }));
    first = first || { streamId, events };
    appended.push(...(await appendRetrying(streamId, events)));
  }
  // A client retry of an acknowledged batch must be answered from the ledger, not stored twice.
  const resubmitted = await store.append(first.streamId, first.events, 'any');
  return { appended, resubmitted, enrolled: 0 };
}

// Enrolment against a capped category: count, decide, append on the condition that nothing moved.
async function enrol() {
  let enrolled = 0;
  for (const household of task.households) {
    for (;;) {
      const inCategory = (await store.readAll(null, 1e6)).filter((e) => e.streamId.startsWith(task.category + '-'));
      if (inCategory.length >= task.cap) break;
      const lastPositionSeen = inCategory.length ? inCategory[inCategory.length - 1].position : null;
      try {
        await store.append(task.category + '-' + household, [event({ household })], 'no_stream', {
          condition: { category: task.category, lastPositionSeen },
        });
        enrolled += 1;
        break;
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
        await pause();
      }
    }
  }
  return { appended: [], resubmitted: [], enrolled };
}

process.on('message', async (msg) => {
  if (msg !== 'go') return;
  let result;
  try {
    result = task.mode === 'enrol' ? await enrol() : await appendMix();
  } catch (err) {
    result = { error: String(err && err.stack || err), appended: [], resubmitted: [], enrolled: 0 };
  }
  await store.close();
  process.send(result, () => process.exit(0));
});
process.send('ready');
`;

  function assertBuilt(): void {
    const index = join(DIST_LEDGER, 'index.js');
    if (!existsSync(index)) throw new Error(`${index} is missing: run \`npm run build\` first (the README test command does)`);
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') && !d.name.endsWith('.spec.ts') ? [join(dir, d.name)] : [],
      );
    for (const source of sources(LEDGER_SRC)) {
      const built = join(DIST_LEDGER, relative(LEDGER_SRC, source)).replace(/\.ts$/, '.js');
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) {
        throw new Error(`${built} is missing or older than its source: run \`npm run build\` first`);
      }
    }
  }

  /** Starts one worker per task, waits until all are ready, then releases them together. */
  async function race(tasks: object[]): Promise<WorkerResult[]> {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'peil-ledger-workers-'));
    dirs.push(dir);
    const script = join(dir, 'append-worker.js');
    writeFileSync(script, WORKER);
    const children = tasks.map((task) =>
      fork(script, [join(DIST_LEDGER, 'index.js'), JSON.stringify(task)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
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
    const answers = await Promise.all(results);
    for (const a of answers) if (a.error) throw new Error(`a worker failed: ${a.error}`);
    return answers;
  }

  it('4 processes appending to shared and own streams lose nothing, fork no chain and leave no hole', async () => {
    const file = tempFile(); // created by the workers, which open it at the same moment
    const shared = [`shared-${randomUUID()}`, `shared-${randomUUID()}`];
    const results = await race(
      [0, 1, 2, 3].map((worker) => ({ mode: 'append', file, worker, appends: 40, own: `own-${worker}-${randomUUID()}`, shared })),
    );

    const acknowledged = results.flatMap((r) => r.appended);
    expect(acknowledged.every((a) => a.status === 'appended')).toBe(true);
    expect(new Set(acknowledged.map((a) => a.eventId)).size).toBe(acknowledged.length);
    expect(new Set(acknowledged.map((a) => a.position)).size).toBe(acknowledged.length);

    const store = new SqliteEventStore(file);
    try {
      const all = await store.readAll(null, 1e6);
      // 40 appends of 1 + (i mod 3) events per worker: 14×1 + 13×2 + 13×3 = 79 events each.
      expect(all).toHaveLength(4 * 79);
      expect(acknowledged).toHaveLength(all.length);
      expect(all.map((e) => e.position)).toEqual(all.map((_, i) => i + 1));
      const byEventId = new Map(all.map((e) => [e.eventId, e]));
      for (const a of acknowledged) expect(byEventId.get(a.eventId)).toMatchObject({ position: a.position, streamId: a.streamId, revision: a.revision });

      for (const streamId of new Set(all.map((e) => e.streamId))) {
        const revisions = all.filter((e) => e.streamId === streamId).map((e) => e.revision);
        expect(revisions).toEqual(revisions.map((_, i) => i));
      }
      expect(await verifyLedger(store)).toEqual({ ok: true, checkedEvents: all.length, headPosition: all.length, verifiedThrough: all.length });

      for (const r of results) {
        expect(r.resubmitted.map((a) => a.status)).toEqual(r.resubmitted.map(() => 'duplicate'));
        expect(r.resubmitted.map((a) => a.position)).toEqual(r.appended.slice(0, r.resubmitted.length).map((a) => a.position));
      }
    } finally {
      await store.close();
    }
  }, 60_000);

  it('4 processes enrolling into a capped category under an append condition stop at exactly the cap', async () => {
    const file = tempFile();
    const category = `capped${randomUUID().replace(/-/g, '')}`;
    const cap = 5;
    const results = await race(
      [0, 1, 2, 3].map((worker) => ({
        mode: 'enrol',
        file,
        worker,
        category,
        cap,
        households: [0, 1, 2, 3].map((h) => `w${worker}h${h}`),
      })),
    );

    const store = new SqliteEventStore(file);
    try {
      const inCategory = (await store.readAll(null, 1e6)).filter((e) => e.streamId.startsWith(`${category}-`));
      expect(inCategory).toHaveLength(cap);
      expect(results.reduce((sum, r) => sum + r.enrolled, 0)).toBe(cap);
      expect((await verifyLedger(store)).ok).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('SqliteEventStore unit of work (group commit)', () => {
  it('marks its inside, and only while the lock is held, as holding the write lock (what InternalClient refuses calls from)', async () => {
    const store = new SqliteEventStore(tempFile());
    try {
      const seen: boolean[] = [holdsWriteLock()];
      let later: Promise<boolean> | undefined;
      await store.unitOfWork(async () => {
        seen.push(holdsWriteLock());
        await store.append('w-1', [event()], 'no_stream');
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(holdsWriteLock());
        // Started inside the unit, run after it committed: the lock is no longer held there.
        later = new Promise((resolve) => setTimeout(() => resolve(holdsWriteLock()), 20));
      });
      seen.push(holdsWriteLock(), await later!);
      expect(seen).toEqual([false, true, true, false, false]);
    } finally {
      await store.close();
    }
  });

  it('writes nothing when the unit throws, and positions stay contiguous', async () => {
    const store = new SqliteEventStore(tempFile());
    try {
      await store.append('t-1', [event()], 'no_stream');
      await expect(
        store.unitOfWork(async () => {
          await store.append('t-2', [event(), event()], 'no_stream');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.readStream('t-2')).toEqual([]);
      const [after] = await store.append('t-3', [event()], 'no_stream');
      expect(after!.position).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('is invisible to reads outside it until it commits, and other appends of the process wait for it', async () => {
    const store = new SqliteEventStore(tempFile());
    try {
      const inside = event();
      const outside = event();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const enteredUnit = new Promise<void>((r) => (entered = r));
      const unit = store.unitOfWork(async () => {
        await store.append('u-1', [inside], 'no_stream');
        entered();
        await gate;
      });
      await enteredUnit;
      // Another request of the same process, while the unit is open.
      expect(await store.findByEventId(inside.eventId)).toBeNull();
      expect(await store.headPosition()).toBeNull();
      const waiting = store.append('u-2', [outside], 'no_stream');
      let appended = false;
      void waiting.then(() => (appended = true));
      await new Promise((r) => setTimeout(r, 20));
      expect(appended).toBe(false);
      release();
      await unit;
      const [second] = await waiting;
      expect(second!.position).toBe(2);
      expect(await store.findByEventId(inside.eventId)).toMatchObject({ position: 1 });
    } finally {
      await store.close();
    }
  });

  it('is durable for another connection once unitOfWork resolves', async () => {
    const file = tempFile();
    const store = new SqliteEventStore(file);
    const other = new SqliteEventStore(file);
    try {
      const e = event();
      await store.unitOfWork(() => store.append('d-1', [e], 'no_stream'));
      expect(await other.findByEventId(e.eventId)).toMatchObject({ eventId: e.eventId });
    } finally {
      await store.close();
      await other.close();
    }
  });

  it("waits for another connection's write lock without blocking the event loop, however long it is held", async () => {
    // Two connections in one process stand for two processes: with SQLite's own busy handler the
    // waiting append would block this thread inside BEGIN, the holder could never finish its unit,
    // and the append would fail SQLITE_BUSY once the (here 2 s) busy timeout passed.
    const file = tempFile();
    const holder = new SqliteEventStore(file, { busyTimeoutMs: 2_000 });
    const waiter = new SqliteEventStore(file, { busyTimeoutMs: 2_000 });
    try {
      let entered!: () => void;
      const enteredUnit = new Promise<void>((r) => (entered = r));
      const ticks: number[] = [];
      const unit = holder.unitOfWork(async () => {
        await holder.append('w-1', [event()], 'no_stream');
        entered();
        // Held well past the busy timeout, released by timers: they fire only if the loop is free.
        for (let i = 0; i < 10; i++) {
          await new Promise((r) => setTimeout(r, 50));
          ticks.push(i);
        }
      });
      await enteredUnit;
      // The longest stretch the loop was not free while the append waited (a blocking wait: ≥ 2 s).
      let last = Date.now();
      let longestStall = 0;
      const monitor = setInterval(() => {
        longestStall = Math.max(longestStall, Date.now() - last);
        last = Date.now();
      }, 5);
      const [waited] = await waiter.append('w-2', [event()], 'no_stream');
      clearInterval(monitor);
      await unit;
      expect(ticks).toHaveLength(10);
      expect(longestStall).toBeLessThan(1_000);
      expect(waited!.position).toBe(2);
    } finally {
      await holder.close();
      await waiter.close();
    }
  });

  it('gives up with SQLITE_BUSY once writeWaitMs has passed, having written nothing', async () => {
    const file = tempFile();
    const holder = new SqliteEventStore(file);
    const waiter = new SqliteEventStore(file, { writeWaitMs: 100 });
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const unit = holder.unitOfWork(async () => {
        await holder.append('g-1', [event()], 'no_stream');
        await gate;
      });
      await new Promise((r) => setTimeout(r, 10));
      await expect(waiter.append('g-2', [event()], 'no_stream')).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      release();
      await unit;
      expect(await waiter.readStream('g-2')).toEqual([]);
      const [after] = await waiter.append('g-2', [event()], 'no_stream');
      expect(after!.position).toBe(2);
    } finally {
      await holder.close();
      await waiter.close();
    }
  });
});
