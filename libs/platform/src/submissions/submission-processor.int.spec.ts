import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import { z } from 'zod';
import type { Principal } from '../auth/roles.guard';
import { ManualClock } from '../clock/clock';
import { SubmissionProcessor, type SubmissionHandler } from './submission-processor';

const principal: Principal = { role: 'ngo', name: 'spec', requestId: '' } as Principal;
const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
const Counted = z.object({ counter: z.string(), expect: z.number() });

/** Accepts `expect` only when it is the counter's next value: later events must see earlier ones. */
const counted: SubmissionHandler<z.infer<typeof Counted>> = {
  schema: Counted,
  decide: async () => ({ kind: 'reject', error: { code: 'unused', message: '' } }),
};

function processorOn(store: SqliteEventStore, options: ConstructorParameters<typeof SubmissionProcessor>[4] = {}) {
  counted.decide = async (s) => {
    const events = await store.readStream(`counter-${s.data.counter}`);
    if (s.data.expect !== events.length) return { kind: 'reject', error: { code: 'out_of_order', message: `next is ${events.length}` } };
    return {
      kind: 'append',
      streamId: `counter-${s.data.counter}`,
      expectedRevision: events.length === 0 ? 'no_stream' : events.length - 1,
      events: [{ eventId: s.eventId, type: s.type, occurredAt: s.occurredAt, data: s.data }],
    };
  };
  return new SubmissionProcessor(store, { Counted: counted }, Buffer.alloc(32, 1), clock, { groupCommit: true, ...options });
}

const submit = (counter: string, expect: number) => ({ eventId: randomUUID(), type: 'Counted', occurredAt: '2026-03-01T09:00:00Z', data: { counter, expect } });

describe('SubmissionProcessor with group commit', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peil-processor-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decides each event on the ones before it in the batch; a rejected one writes nothing', async () => {
    const batch = [submit('a', 0), submit('a', 5), submit('a', 1), submit('a', 2)];
    const results = await processorOn(store).processBatch([...batch, batch[0]], principal);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted', 'accepted', 'duplicate']);
    expect(results.map((r) => r.position)).toEqual([1, undefined, 2, 3, 1]);
    expect((await store.readStream('counter-a')).map((e) => e.eventId)).toEqual([batch[0]!.eventId, batch[2]!.eventId, batch[3]!.eventId]);
  });

  it('writes nothing of a unit whose inner unit fails, and says so to onUnitAborted', async () => {
    const aborted = jest.fn();
    const failing = async <T>(work: () => Promise<T>): Promise<T> => {
      await work();
      throw new Error('key store unavailable');
    };
    const processor = processorOn(store, { innerUnits: [failing], onUnitAborted: aborted });
    await expect(processor.processBatch([submit('b', 0), submit('b', 1)], principal)).rejects.toThrow('key store unavailable');
    expect(aborted).toHaveBeenCalledTimes(1);
    expect(await store.readStream('counter-b')).toEqual([]);
    expect(await store.headPosition()).toBeNull();
  });

  it('checks the roles of each event type, on top of the route: a forbidden type is rejected before its data is read, and writes nothing', async () => {
    processorOn(store); // points counted.decide at this test's store
    const decide = jest.fn(counted.decide);
    const guarded = new SubmissionProcessor(store, { Counted: { ...counted, decide, roles: ['supervisor', 'admin'] } }, Buffer.alloc(32, 1), clock, { groupCommit: true });
    const [asNgo] = await guarded.processBatch([{ ...submit('c', 0), data: { counter: 'c' } }], principal);
    expect(asNgo).toMatchObject({ status: 'rejected', error: { code: 'forbidden', path: 'type', message: expect.stringContaining('supervisor, admin') } });
    expect(decide).not.toHaveBeenCalled();
    expect(await store.headPosition()).toBeNull();
    const [asSupervisor] = await guarded.processBatch([submit('c', 0)], { ...principal, role: 'supervisor' });
    expect(asSupervisor).toMatchObject({ status: 'accepted' });
  });
});
