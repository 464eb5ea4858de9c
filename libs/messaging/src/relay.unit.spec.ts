import { SqliteEventStore } from '@peil/ledger';
import type { OutboundMessage, Publisher } from './publisher.port';
import { OutboundRelay } from './relay';
import { SqliteRelayCheckpointStore } from './sqlite-relay-checkpoint-store';
import { allEvents, appendInterleaved, until } from './testing/ledger-events';

/**
 * The relay's bookkeeping, with the broker replaced by a publisher that fails on demand. The same
 * guarantees against a real broker are in *.int.spec.ts; these pin down the exact retry behaviour.
 */
class ScriptedPublisher implements Publisher {
  readonly attempts: OutboundMessage[][] = [];
  readonly acknowledged: OutboundMessage[] = [];
  failNext = 0;
  async publish(messages: readonly OutboundMessage[]): Promise<void> {
    this.attempts.push([...messages]);
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('broker unavailable');
    }
    this.acknowledged.push(...messages);
  }
  async close(): Promise<void> {}
}

const ids = (messages: readonly OutboundMessage[]) => messages.map((m) => m.headers.eventId);

describe('OutboundRelay', () => {
  let store: SqliteEventStore;
  let checkpoints: SqliteRelayCheckpointStore;
  let publisher: ScriptedPublisher;
  const delays: number[] = [];
  const relays: OutboundRelay[] = [];
  const relay = (batchSize = 4) => {
    const r = new OutboundRelay(store, publisher, checkpoints, {
      batchSize,
      retry: { initialMs: 50, maxMs: 300 },
      sleep: async (ms) => void delays.push(ms),
      pollIntervalMs: 20,
    });
    relays.push(r);
    return r;
  };

  beforeEach(() => {
    store = new SqliteEventStore(':memory:', { pollIntervalMs: 10 });
    checkpoints = new SqliteRelayCheckpointStore(':memory:');
    publisher = new ScriptedPublisher();
    delays.length = 0;
  });
  afterEach(async () => {
    // A failed assertion must not leave a loop running (jest would never exit).
    for (const r of relays.splice(0)) await r.stop();
    await store.close();
    await checkpoints.close();
  });

  it('publishes in position order, batch by batch, saving the checkpoint after each acknowledgement', async () => {
    await appendInterleaved(store, ['household-A', 'grant-G', 'assets-A'], 10);
    const r = relay(4);
    expect(await r.runOnce()).toBe(4);
    expect(await checkpoints.load('outbound')).toBe(4);
    expect(await r.runOnce()).toBe(4);
    expect(await r.runOnce()).toBe(2);
    expect(await r.runOnce()).toBe(0);
    expect(ids(publisher.acknowledged)).toEqual((await allEvents(store)).map((e) => e.eventId));
    expect(publisher.acknowledged.map((m) => Number(m.headers.position))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.status()).toMatchObject({ checkpoint: 10, inFlight: 0, published: 10 });
    expect(await r.lag()).toBe(0);
  });

  it('keeps the checkpoint on a failed publish and retries exactly the same batch', async () => {
    await appendInterleaved(store, ['household-A', 'household-B'], 3);
    const r = relay(4);
    publisher.failNext = 2;
    await expect(r.runOnce()).rejects.toThrow('broker unavailable');
    // Appended during the outage: must not join (or jump ahead of) the batch being retried.
    await appendInterleaved(store, ['household-A', 'household-B'], 3);
    await expect(r.runOnce()).rejects.toThrow('broker unavailable');
    expect(await checkpoints.load('outbound')).toBeNull();
    expect(r.status()).toMatchObject({ checkpoint: null, inFlight: 3 });
    expect(await r.lag()).toBe(6);

    expect(await r.runOnce()).toBe(3);
    expect(await r.runOnce()).toBe(3);
    expect(publisher.attempts.map(ids)).toEqual([
      ids(publisher.attempts[0]!),
      ids(publisher.attempts[0]!),
      ids(publisher.attempts[0]!),
      ids(publisher.attempts[3]!),
    ]);
    expect(ids(publisher.acknowledged)).toEqual((await allEvents(store)).map((e) => e.eventId));
  });

  it('retries only the checkpoint save when the broker already acknowledged', async () => {
    await appendInterleaved(store, ['grant-G'], 2);
    const r = relay(4);
    const save = jest.spyOn(checkpoints, 'save').mockRejectedValueOnce(new Error('disk full'));
    await expect(r.runOnce()).rejects.toThrow('disk full');
    expect(await r.runOnce()).toBe(2);
    expect(publisher.attempts).toHaveLength(1);
    expect(save).toHaveBeenCalledTimes(2);
    expect(await checkpoints.load('outbound')).toBe(2);
  });

  it('resumes after its checkpoint: a new relay publishes only what the old one did not get acknowledged', async () => {
    await appendInterleaved(store, ['household-A'], 6);
    await relay(4).runOnce();
    const fresh = new ScriptedPublisher();
    publisher = fresh;
    const second = relay(4);
    expect(await second.runOnce()).toBe(2);
    expect(fresh.acknowledged.map((m) => m.headers.position)).toEqual(['5', '6']);
    // The chain continues across relays: the first event after the checkpoint links to it.
    expect(fresh.acknowledged.map((m) => m.headers.prevPosition)).toEqual(['4', '5']);
  });

  it('links every message to the event read before it, across batches and retries, empty for the first', async () => {
    await appendInterleaved(store, ['household-A', 'grant-G', 'assets-A'], 7);
    const r = relay(3);
    publisher.failNext = 1;
    await expect(r.runOnce()).rejects.toThrow('broker unavailable');
    while ((await r.runOnce()) > 0);
    const links = (messages: readonly OutboundMessage[]) => messages.map((m) => [m.headers.prevPosition, m.headers.position]);
    expect(links(publisher.attempts[0]!)).toEqual(links(publisher.attempts[1]!));
    expect(links(publisher.acknowledged)).toEqual([['', '1'], ['1', '2'], ['2', '3'], ['3', '4'], ['4', '5'], ['5', '6'], ['6', '7']]);
  });

  it('runs: catches up, follows new appends, backs off exponentially (capped) and never skips', async () => {
    await appendInterleaved(store, ['household-A', 'session-S'], 5);
    publisher.failNext = 5;
    const r = relay(2);
    await r.start();
    await until(() => r.status().checkpoint === 5, 5_000, 'catch-up');
    expect(delays).toEqual([50, 100, 200, 300, 300]);
    expect(r.status()).toMatchObject({ state: expect.stringMatching(/idle|publishing/), failures: 0, lastError: null });

    await appendInterleaved(store, ['household-A', 'session-S'], 3);
    await until(() => r.status().checkpoint === 8, 5_000, 'live events');
    await r.stop();
    expect(r.status().state).toBe('stopped');
    expect(ids(publisher.acknowledged)).toEqual((await allEvents(store)).map((e) => e.eventId));
  });

  it('reports a failing broker in its status while it keeps retrying', async () => {
    await appendInterleaved(store, ['grant-G'], 1);
    publisher.failNext = Number.POSITIVE_INFINITY;
    const errors: number[] = [];
    const r = new OutboundRelay(store, publisher, checkpoints, {
      batchSize: 10,
      retry: { initialMs: 5, maxMs: 10 },
      onError: (_e, failures) => errors.push(failures),
    });
    relays.push(r);
    await r.start();
    await until(() => errors.length >= 3, 5_000, 'three failures');
    expect(r.status()).toMatchObject({ checkpoint: null, inFlight: 1, lastError: 'Error: broker unavailable' });
    expect(r.status().failures).toBeGreaterThanOrEqual(3);
    await r.stop();
  });
});
