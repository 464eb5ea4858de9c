import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore, type NewEvent } from '@peil/ledger';
import { MemoryReadStore, Projector, type Projection } from '@peil/projections';
import { LiveProjection } from './live-projection';

/** A read store that is "down" while `down` is set: every commit fails, as a lost MongoDB would. */
class FlakyReadStore extends MemoryReadStore {
  down = false;
  override async commit(...args: Parameters<MemoryReadStore['commit']>): Promise<void> {
    if (this.down) throw new Error('connection closed');
    return super.commit(...args);
  }
}

const counting: Projection = {
  name: 'count',
  version: 1,
  collections: ['count_total'],
  handles: () => true,
  async apply(_e, tx) {
    const total = (await tx.get<{ n: number }>('count_total', 'all'))?.n ?? 0;
    await tx.put('count_total', 'all', { n: total + 1 });
  },
};

const event = (): NewEvent => ({
  eventId: randomUUID(), type: 'Counted', schemaVersion: 1, occurredAt: '2025-10-01T09:00:00.000Z', recordedAt: '2025-10-01T09:00:00.000Z',
  source: 'spec', actor: 'spec', correlationId: 'spec', causationId: null, data: {}, contentDigest: 'spec',
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('LiveProjection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peil-live-'));
  const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollIntervalMs: 5 });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries a start that fails and restarts live mode after a failure, from the checkpoint, counting every event once', async () => {
    const readStore = new FlakyReadStore();
    const warnings: string[] = [];
    let live: LiveProjection | undefined;
    const projector = new Projector(store, readStore, [counting], { liveBufferMs: 1, onError: (err) => live?.failed(err) });
    live = new LiveProjection(projector, { firstDelayMs: 20, maxDelayMs: 40, log: { warn: (m) => warnings.push(m), log: () => undefined } });
    const total = async () => (await readStore.read((tx) => tx.get<{ n: number }>('count_total', 'all')))?.n ?? 0;

    await store.append('count-1', [event(), event()], 'no_stream');
    readStore.down = true;
    live.start();
    await until(async () => warnings.length >= 2, 'two failed starts');
    expect(warnings[0]).toMatch(/could not start \(connection closed\); retrying in 20 ms/);
    expect(warnings[1]).toMatch(/retrying in 40 ms/);
    readStore.down = false;
    await until(async () => (await total()) === 2, 'the catch-up');

    readStore.down = true;
    await store.append('count-2', [event()], 'no_stream');
    await until(async () => warnings.some((w) => /live projection stopped \(connection closed\)/.test(w)), 'the live failure');
    await store.append('count-3', [event(), event()], 'no_stream');
    readStore.down = false;
    await until(async () => (await total()) === 5, 'the restart');
    expect(await readStore.checkpoint('count')).toBe(5);

    await live.stop();
    await store.append('count-4', [event()], 'no_stream');
    await new Promise((r) => setTimeout(r, 50));
    expect(await total()).toBe(5);
  });
});
