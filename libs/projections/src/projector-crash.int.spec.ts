import { SqliteEventStore, type StoredEvent } from '@peil/ledger';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, distOf } from '@peil/testing';
import { SqliteReadStore } from './sqlite-read-store';
import { readCounts, testEvent } from './testing/counting.projection';

// The workers run the compiled projector (npm run build → dist/): the code under test, not a copy.
const WORKER = join(distOf(__dirname), 'testing/crash-worker.js');

const TYPES = ['Alpha', 'Beta', 'Gamma', 'Ignored'] as const;
const dirs: string[] = [];
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Each catch-up page of 50 events waits PACE_MS before it is read, and live events are appended 50
 * at a time PACE_MS apart: a run that is killed once it is a fifth of the way still has hundreds of
 * milliseconds of work left, so the kill lands part-way even when this process is slow to notice
 * (a loaded machine); without the pace a fast projector could finish first and fail the run.
 */
const PACE_MS = 20;

function startWorker(ledgerFile: string, readStoreFile: string, mode: 'catch-up' | 'live', pageDelayMs = PACE_MS) {
  const child = spawn(process.execPath, [WORKER, ledgerFile, readStoreFile, mode, '50', String(pageDelayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const said = (line: string) =>
    new Promise<void>((ok, fail) => {
      const check = () => out.split('\n').includes(line) && ok();
      check();
      child.stdout!.on('data', check);
      child.once('exit', (code, signal) => fail(new Error(`worker exited (${code ?? signal}) before saying "${line}"`)));
    });
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, said, exited };
}

/** Lets the worker run until the read store's checkpoint reaches `atLeast`, then kill -9. Returns the checkpoint after the kill. */
async function killWhenPast(worker: ReturnType<typeof startWorker>, probe: SqliteReadStore, atLeast: number): Promise<number | null> {
  const deadline = Date.now() + 15_000;
  while (((await probe.checkpoint('counting')) ?? 0) < atLeast) {
    if (worker.child.exitCode !== null) throw new Error(`worker finished before reaching ${atLeast}`);
    if (Date.now() > deadline) throw new Error(`worker did not reach ${atLeast}`);
    await new Promise((r) => setTimeout(r, 1));
  }
  worker.child.kill('SIGKILL');
  await worker.exited;
  return probe.checkpoint('counting');
}

async function appendEvents(store: SqliteEventStore, from: number, to: number, pauseMs = 0): Promise<void> {
  for (let n = from; n <= to; n += 50) {
    const ns = Array.from({ length: Math.min(50, to - n + 1) }, (_, i) => n + i);
    await store.append(`crash-${n}`, ns.map((k) => testEvent(TYPES[k % TYPES.length]!, k)), 'no_stream');
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** What the counting projection must hold for exactly these ledger events. */
function expectedFrom(events: readonly StoredEvent[]) {
  const handled = events.filter((e) => e.type !== 'Ignored');
  const byType: Record<string, number> = {};
  for (const e of handled) byType[e.type] = (byType[e.type] ?? 0) + 1;
  return {
    byType,
    totals: {
      events: handled.length,
      sumN: handled.reduce((s, e) => s + (e.data.n as number), 0),
      lastPosition: handled[handled.length - 1]!.position,
      outOfOrder: 0,
    },
  };
}

describe('Projector under kill -9', () => {
  it('projects every ledger event exactly once across repeated crashes, in catch-up and live mode', async () => {
    assertBuilt(__dirname, WORKER);
    const dir = mkdtempSync(join(tmpdir(), 'peil-projector-crash-'));
    dirs.push(dir);
    const ledgerFile = join(dir, 'ledger.sqlite');
    const readStoreFile = join(dir, 'read-models.sqlite');
    const store = new SqliteEventStore(ledgerFile);
    const probe = new SqliteReadStore(readStoreFile);
    const N = 4000;
    const LIVE = 2000;
    await appendEvents(store, 1, N);

    // Three crashes while catching up, each further along than the last.
    const afterKills: Array<number | null> = [];
    for (const fraction of [0.2, 0.45, 0.7]) {
      afterKills.push(await killWhenPast(startWorker(ledgerFile, readStoreFile, 'catch-up'), probe, fraction * N));
    }
    // A crash while following the ledger live, with events arriving.
    const live = startWorker(ledgerFile, readStoreFile, 'live');
    await live.said('live');
    expect(await probe.checkpoint('counting')).toBe(N);
    const appending = appendEvents(store, N + 1, N + LIVE, PACE_MS);
    afterKills.push(await killWhenPast(live, probe, N + LIVE / 4));
    await appending;

    // Every kill landed mid-way: progress was made, and work was left.
    expect(afterKills.every((c, i) => c !== null && c < (i < 3 ? N : N + LIVE) && (i === 0 || c > afterKills[i - 1]!))).toBe(true);

    const last = startWorker(ledgerFile, readStoreFile, 'catch-up', 0);
    await last.said('done');
    expect(await last.exited).toBe(0);

    const events = await store.readAll(null, 1e6);
    expect(events).toHaveLength(N + LIVE);
    const expected = expectedFrom(events);
    expect(await probe.checkpoint('counting')).toBe(N + LIVE);
    expect(await readCounts((fn) => probe.read(fn))).toEqual(expected);
    const seen = await probe.read((tx) => tx.all('counting_seen'));
    expect(seen.map((s) => Number(s.id))).toEqual(events.filter((e) => e.type !== 'Ignored').map((e) => e.position));
    await probe.close();
    await store.close();
  }, 60_000);
});
