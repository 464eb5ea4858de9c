import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import { z } from 'zod';
import type { Principal } from '../auth/roles.guard';
import { ManualClock } from '../clock/clock';
import { InternalClient } from '../http/internal-client';
import { GROUP_COMMIT_MAX_MS, SubmissionProcessor, type SubmissionHandler } from './submission-processor';

const principal: Principal = { role: 'ngo', name: 'spec', requestId: '' } as Principal;
const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
const Counted = z.object({ counter: z.string(), expect: z.number() });

/** Accepts `expect` only when it is the counter's next value: later events must see earlier ones. */
const counted: SubmissionHandler<z.infer<typeof Counted>> = {
  schema: Counted,
  decide: async () => ({ kind: 'reject', error: { code: 'unused', message: '' } }),
};

function processorOn(store: SqliteEventStore, options: ConstructorParameters<typeof SubmissionProcessor>[4] = {}, more: Record<string, SubmissionHandler<any>> = {}) {
  counted.decide = async (s) => {
    if (s.data.counter === 'boom') throw new Error('decider bug');
    // Longer than a unit may last (GROUP_COMMIT_MAX_MS): the unit ends after this event.
    if (s.data.counter === 'slow') await new Promise((resolve) => setTimeout(resolve, GROUP_COMMIT_MAX_MS + 50));
    const events = await store.readStream(`counter-${s.data.counter}`);
    if (s.data.expect !== events.length) return { kind: 'reject', error: { code: 'out_of_order', message: `next is ${events.length}` } };
    return {
      kind: 'append',
      streamId: `counter-${s.data.counter}`,
      expectedRevision: events.length === 0 ? 'no_stream' : events.length - 1,
      events: [{ eventId: s.eventId, type: s.type, occurredAt: s.occurredAt, data: s.data }],
    };
  };
  return new SubmissionProcessor(store, { Counted: counted, ...more }, Buffer.alloc(32, 1), clock, { groupCommit: true, ...options });
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

  it('ends a unit early at an event with a follow-up; a later unit that fails leaves the committed ones answered, the rest not_recorded', async () => {
    const followed: SubmissionHandler<z.infer<typeof Counted>> = { schema: Counted, decide: (s, m) => counted.decide(s, m), afterAppend: async () => {} };
    // Each event with a follow-up ends its unit: the first commits before the second fails.
    const processor = processorOn(store, {}, { Followed: followed });
    const first = { ...submit('c', 0), type: 'Followed' };
    const failing = { ...submit('boom', 0), type: 'Followed' };
    const after = submit('c', 1);
    const results = await processor.processBatch([first, failing, after], principal);
    expect(results.map((r) => [r.status, r.error?.code])).toEqual([['accepted', undefined], ['rejected', 'not_recorded'], ['rejected', 'not_recorded']]);
    expect(results.map((r) => r.eventId)).toEqual([first.eventId, failing.eventId, after.eventId]);
    expect((await store.readStream('counter-c')).map((e) => e.eventId)).toEqual([first.eventId]);
    expect(await store.headPosition()).toBe(1);
  });

  it('rolls back the earlier events of the failing unit too, and answers them not_recorded', async () => {
    const batch = [submit('d', 0), submit('d', 1), submit('boom', 0), submit('d', 2)];
    const followed: SubmissionHandler<z.infer<typeof Counted>> = { schema: Counted, decide: (s, m) => counted.decide(s, m), afterAppend: async () => {} };
    const processor = processorOn(store, {}, { Followed: followed });
    batch[0] = { ...batch[0]!, type: 'Followed' };
    const results = await processor.processBatch(batch, principal);
    // Unit 1 = [d0] (ends at its follow-up) committed; unit 2 = [d1, boom] rolled back whole.
    expect(results.map((r) => r.error?.code ?? r.status)).toEqual(['accepted', 'not_recorded', 'not_recorded', 'not_recorded']);
    expect((await store.readStream('counter-d')).map((e) => e.eventId)).toEqual([batch[0]!.eventId]);
  });

  it('without group commit, a failure after committed events answers per event as well', async () => {
    const batch = [submit('e', 0), submit('boom', 0), submit('e', 1)];
    const results = await processorOn(store, { groupCommit: false }).processBatch(batch, principal);
    expect(results.map((r) => r.error?.code ?? r.status)).toEqual(['accepted', 'not_recorded', 'not_recorded']);
    expect((await store.readStream('counter-e')).map((e) => e.eventId)).toEqual([batch[0]!.eventId]);
  });

  it('on a store whose units cannot roll back, answers per event: what was appended before a failure is accepted', async () => {
    // EventStoreDB's units, on this ledger: each append durable on its own (capabilities.atomicUnits false).
    const perAppend = Object.assign(Object.create(store) as SqliteEventStore, {
      capabilities: { ...store.capabilities, atomicUnits: false },
      unitOfWork: <T>(work: () => Promise<T>) => work(),
    });
    const batch = [submit('h', 0), submit('h', 1), submit('boom', 0), submit('h', 2)];
    const results = await processorOn(perAppend).processBatch(batch, principal);
    expect(results.map((r) => r.error?.code ?? r.status)).toEqual(['accepted', 'accepted', 'not_recorded', 'not_recorded']);
    expect((await store.readStream('counter-h')).map((e) => e.eventId)).toEqual([batch[0]!.eventId, batch[1]!.eventId]);
  });

  it('still fails the request when the failure comes before anything was recorded (nothing written)', async () => {
    await expect(processorOn(store).processBatch([submit('boom', 0), submit('f', 0)], principal)).rejects.toThrow('decider bug');
    expect(await store.headPosition()).toBeNull();
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
    'answers type %s as an unknown type, and records the rest of the batch',
    async (type) => {
      const batch = [{ ...submit('g', 0), type }, submit('g', 0)];
      const results = await processorOn(store).processBatch(batch, principal);
      expect(results[0]).toMatchObject({ status: 'rejected', error: { code: 'unknown_event_type', path: 'type' } });
      expect(results[1]).toMatchObject({ status: 'accepted', position: 1 });
    },
  );

  it('rejects an event nested 10,000 deep without recursing into it, and records the others', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const batch = [submit('h', 0), { ...submit('h', 1), data: { counter: 'h', expect: 1, extra: deep } }, submit('h', 1)];
    const results = await processorOn(store).processBatch(batch, principal);
    expect(results.map((r) => r.error?.code ?? r.status)).toEqual(['accepted', 'too_deep', 'accepted']);
    expect(results[1]!.error!.path).toMatch(/^data\.extra(\.a)+$/);
    expect((await store.readStream('counter-h')).map((e) => e.eventId)).toEqual([batch[0]!.eventId, batch[2]!.eventId]);
  });

  it.each([
    ['a lone high surrogate', '\uD800x'],
    ['a lone low surrogate', 'x\uDC00'],
    ['NUL', 'No\u0000rth'],
    ['a C1 control', 'a\u0085b'],
    ['a right-to-left override', 'abc\u202Edef'],
    ['a first-strong isolate', '\u2068abc'],
  ])('rejects %s in any string with its path, writing nothing', async (_label, text) => {
    const results = await processorOn(store).processBatch([submit(text, 0), { ...submit('i', 0), source: text }], principal);
    expect(results[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid_text', path: 'data.counter' } });
    expect(results[1]).toMatchObject({ status: 'rejected', error: { code: 'invalid_text', path: 'source' } });
    expect(await store.headPosition()).toBeNull();
  });

  it('accepts Arabic text with its directional marks (LRM, RLM, ALM) and stores it as submitted', async () => {
    const text = 'طرابلس \u200F12\u200E \u061Cعكار';
    const results = await processorOn(store).processBatch([submit(text, 0)], principal);
    expect(results[0]!.status).toBe('accepted');
    expect((await store.readStream(`counter-${text}`))[0]!.data).toEqual({ counter: text, expect: 0 });
  });

  it('echoes a 10 KB eventId cut to 128 characters and a marker', async () => {
    const results = await processorOn(store).processBatch([{ ...submit('j', 0), eventId: 'x'.repeat(10_000) }], principal);
    expect(results[0]!.eventId).toBe(`${'x'.repeat(128)}…[10000 chars]`);
    expect(results[0]!.error).toMatchObject({ code: 'invalid_field', path: 'eventId' });
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
  it('decides an event that asks another service outside any unit: that service may write to the ledger meanwhile', async () => {
    // The other service (the grant recording an expenditure) writes through its own connection, with
    // a short busy timeout: had this process held the write lock around the decision, it would fail.
    const other = new SqliteEventStore(store.file, { busyTimeoutMs: 200 });
    const asks: SubmissionHandler<{ counter: string }> = {
      schema: z.object({ counter: z.string() }),
      asksOtherServices: true,
      decide: async (s) => {
        await other.append(`other-${s.data.counter}`, [{ eventId: randomUUID(), type: 'Written', occurredAt: s.occurredAt, data: {}, source: 'spec', actor: 'spec', schemaVersion: 1, recordedAt: s.occurredAt, correlationId: s.eventId, causationId: null, contentDigest: '0'.repeat(64) }], 'no_stream');
        return { kind: 'append', streamId: `asks-${s.data.counter}`, expectedRevision: 'no_stream', events: [{ eventId: s.eventId, type: s.type, occurredAt: s.occurredAt, data: s.data }] };
      },
    };
    try {
      const ask = { eventId: randomUUID(), type: 'Asks', occurredAt: '2026-03-01T09:00:00Z', data: { counter: 'x' } };
      const results = await processorOn(store, {}, { Asks: asks }).processBatch([submit('a', 0), ask, submit('a', 1)], principal);
      expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(await store.readStream('other-x')).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('refuses, at once and by name, a call to another service made while deciding inside a unit', async () => {
    // Port 9 (discard) on loopback: had the call been made, it would fail otherwise, not with this message.
    const client = new InternalClient('http://127.0.0.1:9', 'token', 'spec', 1_000);
    const calls: SubmissionHandler<{ counter: string }> = {
      schema: z.object({ counter: z.string() }),
      decide: async () => {
        await client.get('/v1/grant/lines');
        return { kind: 'reject', error: { code: 'unused', message: '' } };
      },
    };
    const event = { eventId: randomUUID(), type: 'Calls', occurredAt: '2026-03-01T09:00:00Z', data: { counter: 'x' } };
    await expect(processorOn(store, {}, { Calls: calls }).processBatch([event], principal)).rejects.toThrow(/inside a unit of work.*asksOtherServices/);
    // Declared, the same handler is decided outside any unit and the call is made.
    const declared = processorOn(store, {}, { Calls: { ...calls, asksOtherServices: true } });
    await expect(declared.processBatch([event], principal)).rejects.not.toThrow(/inside a unit of work/);
    expect(await store.headPosition()).toBeNull();
  });

  describe('units shared by concurrent requests', () => {
    /** Counts the ledger's units of work (one commit each). */
    function countingUnits(): { units: () => number } {
      let units = 0;
      const unitOfWork = store.unitOfWork.bind(store);
      store.unitOfWork = <T>(work: () => Promise<T>) => {
        units += 1;
        return unitOfWork(work);
      };
      return { units: () => units };
    }

    it('records sixteen concurrent single-event requests in fewer commits than requests, each answered after its commit', async () => {
      const { units } = countingUnits();
      const processor = processorOn(store);
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => processor.processBatch([submit(`s${i}`, 0)], principal)));
      expect(results.map(([r]) => r!.status)).toEqual(Array(16).fill('accepted'));
      // The first request opens a unit; the fifteen that arrive while it is open share the next one(s).
      expect(units()).toBeLessThan(16);
      expect(units()).toBeGreaterThan(0);
      expect(await store.headPosition()).toBe(16);
    });

    it('keeps each batch in its own order while interleaving batches, and a small batch is not held back by a large one', async () => {
      const processor = processorOn(store);
      const order: string[] = [];
      const large = processor.processBatch(Array.from({ length: 200 }, (_, i) => submit('large', i)), principal).then((r) => (order.push('large'), r));
      const small = processor.processBatch([submit('small', 0), submit('small', 1)], principal).then((r) => (order.push('small'), r));
      const [largeResults, smallResults] = await Promise.all([large, small]);
      expect(largeResults.map((r) => r.status)).toEqual(Array(200).fill('accepted'));
      expect(smallResults.map((r) => r.status)).toEqual(['accepted', 'accepted']);
      expect(order).toEqual(['small', 'large']);
      expect((await store.readStream('counter-large')).map((e) => e.data)).toEqual(Array.from({ length: 200 }, (_, i) => ({ counter: 'large', expect: i })));
    });

    it('fails every batch with an event in a unit that rolled back, and only those; the others are recorded', async () => {
      let calls = 0;
      const failing = async <T>(work: () => Promise<T>): Promise<T> => {
        const result = await work();
        calls += 1;
        // The second unit fails at its commit, after both waiting batches joined it.
        if (calls === 2) throw new Error('disk full');
        return result;
      };
      const shared = processorOn(store, { innerUnits: [failing] });
      // Unit 1 holds only the slow event (it outlasts a unit); the two others wait for unit 2.
      const first = shared.processBatch([submit('slow', 0)], principal);
      const second = shared.processBatch([submit('q', 0)], principal);
      const third = shared.processBatch([submit('r', 0)], principal);
      const outcomes = await Promise.allSettled([first, second, third]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
      expect((await store.readStream('counter-slow')).length).toBe(1);
      expect((await store.readStream('counter-q')).length + (await store.readStream('counter-r')).length).toBe(0);
      // Later requests get fresh units.
      const [later] = await shared.processBatch([submit('q', 0)], principal);
      expect(later!.status).toBe('accepted');
    });
  });
});
