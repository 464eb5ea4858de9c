import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { StoredEvent } from '../core/envelope';
import { hashEnvelope } from '../core/hash-chain';
import { category, envelopeOf, event, expectIncreasing, recordedInput, streamId } from './contract-events';
import { readCategoryContract } from './read-category.contract';
import { ConditionFailedError, EventIdConflictError, WrongExpectedRevisionError } from './errors';
import type { AppendedEvent, EventStore } from './event-store.port';

export interface ContractSubject {
  store: EventStore;
  cleanup: () => Promise<void>;
}

/**
 * The behaviour every EventStore adapter must have, as a jest suite: call it from an adapter's
 * *.int.spec.ts. One store serves the whole suite and every test uses fresh stream ids and
 * categories, so the suite also runs against a shared server that other writers use at the same
 * time: no test assumes an empty ledger, and global reads are filtered to the test's own streams.
 * Positions are only assumed increasing, unless the store says they are contiguous.
 */
export function eventStoreContract(name: string, factory: () => Promise<ContractSubject>): void {
  describe(`EventStore contract: ${name}`, () => {
    let subject: ContractSubject | undefined;
    let store: EventStore;
    const T = 20_000;

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    }, 120_000);
    afterAll(async () => {
      await subject?.cleanup();
    });

    describe('append', () => {
      it('records the principal in the hashed envelope and returns it on every read; an event without one reads back without the member', async () => {
        const s = streamId();
        const principal = { keyId: 'a1b2c3d4e5', role: 'ngo', via: 'http' as const };
        const withPrincipal = event({ principal, actor: 'admin:0000000000' });
        const without = event();
        const appended = await store.append(s, [withPrincipal, without], 'no_stream');

        const stored = await store.readStream(s);
        expect(stored[0]!.principal).toEqual(principal);
        expect(stored[0]!.actor).toBe('admin:0000000000');
        expect(stored[1]).not.toHaveProperty('principal');
        stored.forEach((e, i) => expect(e.hash).toBe(appended[i]!.hash));
        stored.forEach((e) => expect(hashEnvelope(e)).toBe(e.hash));
        // The principal is hashed: the same event under another principal would not verify.
        expect(hashEnvelope({ ...stored[0]!, principal: { ...principal, role: 'admin' } })).not.toBe(stored[0]!.hash);
        expect((await store.findByEventId(withPrincipal.eventId))!.principal).toEqual(principal);
        const all = (await store.readAll(appended[0]!.position - 1, 50)).filter((e) => e.streamId === s);
        expect(all.map((e) => e.principal)).toEqual([principal, undefined]);
      }, T);

      it('numbers a new stream from revision 0, chains each event to the previous hash and stores the envelope', async () => {
        const s = streamId();
        const events = [event(), event(), event()];
        const appended = await store.append(s, events, 'no_stream');

        expect(appended.map((a) => [a.status, a.streamId, a.revision, a.eventId])).toEqual(
          events.map((e, i) => ['appended', s, i, e.eventId]),
        );
        expectIncreasing(appended.map((a) => a.position));
        if (store.capabilities.contiguousPositions) {
          expect(appended.map((a) => a.position - appended[0]!.position)).toEqual([0, 1, 2]);
        }

        const stored = await store.readStream(s);
        expect(stored).toHaveLength(3);
        stored.forEach((e, i) => {
          const prevHash = i === 0 ? null : stored[i - 1]!.hash;
          expect(e).toEqual({ ...envelopeOf(events[i]!), streamId: s, revision: i, position: appended[i]!.position, prevHash, hash: appended[i]!.hash });
          expect(e.hash).toBe(hashEnvelope(e));
        });

        const [next] = await store.append(s, [event()], 2);
        expect(next).toMatchObject({ status: 'appended', revision: 3 });
        expect(next!.position).toBeGreaterThan(appended[2]!.position);
        const [fourth] = await store.readStream(s, { fromRevision: 3 });
        expect(fourth!.prevHash).toBe(appended[2]!.hash);
        expect(fourth!.hash).toBe(hashEnvelope(fourth!));
      }, T);

      it('refuses a wrong expected revision and writes nothing', async () => {
        const s = streamId();
        const [a] = await store.append(s, [event()], 'no_stream');

        const refused = [event(), event(), event()];
        await expect(store.append(s, [refused[0]!], 'no_stream')).rejects.toMatchObject(
          wrongRevision({ streamId: s, expected: 'no_stream', actual: 0 }),
        );
        await expect(store.append(s, [refused[1]!], 1)).rejects.toMatchObject(wrongRevision({ expected: 1, actual: 0 }));
        await store.append(s, [event()], 0);
        // Stale: the writer decided on revision 0, someone else wrote revision 1 meanwhile.
        await expect(store.append(s, [refused[2]!], 0)).rejects.toMatchObject(wrongRevision({ expected: 0, actual: 1 }));

        const fresh = streamId();
        await expect(store.append(fresh, [event()], 0)).rejects.toMatchObject(wrongRevision({ streamId: fresh, actual: 'no_stream' }));

        expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0, 1]);
        expect(await store.readStream(fresh)).toEqual([]);
        for (const r of refused) expect(await store.findByEventId(r.eventId)).toBeNull();
        expect(a!.revision).toBe(0);
      }, T);

      it("'any' appends at the end of the stream, whatever its revision, and keeps the chain", async () => {
        const s = streamId();
        const [first] = await store.append(s, [event()], 'any');
        const [second] = await store.append(s, [event()], 'any');
        expect([first!.revision, second!.revision]).toEqual([0, 1]);
        const stored = await store.readStream(s);
        expect(stored.map((e) => e.prevHash)).toEqual([null, first!.hash]);
      }, T);

      it('an empty batch writes nothing', async () => {
        const s = streamId();
        expect(await store.append(s, [], 'no_stream')).toEqual([]);
        expect(await store.readStream(s)).toEqual([]);
      }, T);
    });

    describe('idempotency by eventId', () => {
      it('the same eventId with the same content is a duplicate with the original answer, and nothing new is written', async () => {
        const s = streamId();
        const events = [event(), event()];
        const first = await store.append(s, events, 'no_stream');

        // A resubmission carries new metadata (time of receipt, source) but the same content digest.
        const resubmitted = events.map((e) => ({ ...e, recordedAt: '2026-02-02T00:00:00.000Z', source: 'retry' }));
        const original = (a: AppendedEvent) => ({ ...a, status: 'duplicate' });
        expect(await store.append(s, resubmitted, 'no_stream')).toEqual(first.map(original));
        expect(await store.append(s, resubmitted, 1)).toEqual(first.map(original));
        // Addressed to another stream it is still the event already recorded, in its original stream.
        const other = streamId();
        expect(await store.append(other, [resubmitted[1]!], 'no_stream')).toEqual([original(first[1]!)]);

        expect((await store.readStream(s)).map((e) => [e.eventId, e.recordedAt])).toEqual(
          events.map((e) => [e.eventId, e.recordedAt]),
        );
        expect(await store.readStream(other)).toEqual([]);
        const later = (await store.readAll(first[1]!.position, 10_000)).filter((e) => e.streamId === s || e.streamId === other);
        expect(later).toEqual([]);
      }, T);

      it('concurrent submissions of one event store it once and all answer with its position', async () => {
        const s = streamId();
        const e = event();
        const answers = await Promise.all(
          [1, 2, 3].map((i) => store.append(s, [{ ...e, recordedAt: `2026-03-0${i}T00:00:00.000Z` }], 'no_stream')),
        );
        const [stored] = await store.readStream(s);
        expect(await store.readStream(s)).toHaveLength(1);
        expect(answers.map(([a]) => a!.position)).toEqual([stored!.position, stored!.position, stored!.position]);
        expect(answers.map(([a]) => a!.status).sort()).toEqual(['appended', 'duplicate', 'duplicate']);
      }, T);

      it('the same eventId with other content is a conflict, and nothing is written', async () => {
        const s = streamId();
        const [a] = await store.append(s, [event()], 'no_stream');
        const recorded = await store.findByEventId(a!.eventId);

        const other = streamId();
        const altered = event({ eventId: a!.eventId, data: { n: -1 } });
        const conflict = store.append(other, [altered], 'no_stream');
        await expect(conflict).rejects.toBeInstanceOf(EventIdConflictError);
        await expect(conflict).rejects.toMatchObject({ eventId: a!.eventId, position: a!.position });
        await expect(store.append(s, [altered], 0)).rejects.toBeInstanceOf(EventIdConflictError);

        // A batch mixing an event already recorded with a new one is not a plain retry either.
        const fresh = event();
        await expect(store.append(other, [{ ...recordedInput(recorded!) }, fresh], 'no_stream')).rejects.toBeInstanceOf(
          EventIdConflictError,
        );

        expect(await store.readStream(other)).toEqual([]);
        expect(await store.readStream(s)).toHaveLength(1);
        expect(await store.findByEventId(fresh.eventId)).toBeNull();
      }, T);
    });

    describe('reads', () => {
      it('readStream reads from a revision, up to a limit', async () => {
        const s = streamId();
        await store.append(s, [event(), event(), event(), event(), event()], 'no_stream');
        const revisions = async (options?: { fromRevision?: number; limit?: number }) =>
          (await store.readStream(s, options)).map((e) => e.revision);
        expect(await revisions()).toEqual([0, 1, 2, 3, 4]);
        expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4]);
        expect(await revisions({ fromRevision: 1, limit: 2 })).toEqual([1, 2]);
        expect(await revisions({ limit: 1 })).toEqual([0]);
        expect(await revisions({ fromRevision: 5 })).toEqual([]);
        expect(await store.readStream(streamId())).toEqual([]);
      }, T);

      it('readAll reads every stream strictly after a position, in increasing position order, up to a limit', async () => {
        const before = await store.headPosition();
        const [s1, s2] = [streamId(), streamId()];
        const [a, b] = [event(), event()];
        const [c, d] = [event(), event()];
        await store.append(s1, [a, b], 'no_stream');
        await store.append(s2, [c], 'no_stream');
        await store.append(s1, [d], 1);

        const page = await store.readAll(before, 10_000);
        expectIncreasing(page.map((e) => e.position));
        if (before !== null) expect(page[0]!.position).toBeGreaterThan(before);
        const ours = page.filter((e) => e.streamId === s1 || e.streamId === s2);
        expect(ours.map((e) => e.eventId)).toEqual([a, b, c, d].map((e) => e.eventId));
        expect(ours).toEqual([...(await store.readStream(s1)).slice(0, 2), ...(await store.readStream(s2)), (await store.readStream(s1))[2]]);
        if (store.capabilities.contiguousPositions) {
          expect(page.map((e) => e.position)).toEqual(page.map((_, i) => (before ?? 0) + 1 + i));
        }

        // Limits and continuation: two short pages are the long page's first events, in order.
        const first = await store.readAll(before, 2);
        expect(first).toEqual(page.slice(0, 2));
        const rest = await store.readAll(first[1]!.position, 2);
        expect(rest).toEqual(page.slice(2, 4));
        const fromStart = await store.readAll(null, 1);
        expect(fromStart).toHaveLength(1);
        expect(fromStart[0]!.position).toBeLessThanOrEqual(page[0]!.position);
      }, T);

      it('findByEventId returns the stored event with its content digest, or null', async () => {
        const s = streamId();
        const e = event();
        await store.append(s, [event(), e], 'no_stream');
        const [, stored] = await store.readStream(s);
        expect(await store.findByEventId(e.eventId)).toEqual({ ...stored, contentDigest: e.contentDigest });
        expect(await store.findByEventId(randomUUID())).toBeNull();
      }, T);

      it('headPosition is the position of the newest event', async () => {
        const before = await store.headPosition();
        const appended = await store.append(streamId(), [event(), event()], 'no_stream');
        const head = await store.headPosition();
        if (before !== null) expect(appended[0]!.position).toBeGreaterThan(before);
        // Other writers may have appended since, never anything older.
        expect(head).toBeGreaterThanOrEqual(appended[1]!.position);
        // …and it is the position of a ledger event, not of anything else the store keeps.
        const page = await store.readAll(before, 10_000);
        expect(page.map((e) => e.position)).toContain(head);
      }, T);
    });

    readCategoryContract(() => store, T);

    describe('subscribe', () => {
      it('delivers the events after a position: catch-up first, then live, in order', async () => {
        const s = streamId();
        const before = await store.headPosition();
        const past = [event(), event()];
        await store.append(s, past, 'no_stream');

        const watch = watchStream(store, before, s);
        try {
          await watch.until(2);
          const live = [event(), event()];
          await store.append(s, [live[0]!], 1);
          await store.append(s, [live[1]!], 2);
          await watch.until(4);
          expect(watch.seen.map((e) => e.eventId)).toEqual([...past, ...live].map((e) => e.eventId));
          expect(watch.seen).toEqual(await store.readStream(s));
          expectIncreasing(watch.seen.map((e) => e.position));
        } finally {
          watch.stop();
        }

        // Starting after an event's position delivers only what follows it.
        const [, second] = await store.readStream(s);
        const later = watchStream(store, second!.position, s);
        try {
          await later.until(2);
          expect(later.seen.map((e) => e.revision)).toEqual([2, 3]);
        } finally {
          later.stop();
        }
      }, T);
    });

    describe('unit of work', () => {
      it('shows its appends to reads inside it, keeps them after it resolves, and returns its result', async () => {
        const s = streamId();
        const e1 = event();
        const e2 = event();
        const result = await store.unitOfWork(async () => {
          await store.append(s, [e1], 'no_stream');
          expect((await store.readStream(s)).map((e) => e.eventId)).toEqual([e1.eventId]);
          expect(await store.findByEventId(e1.eventId)).toMatchObject({ eventId: e1.eventId, revision: 0 });
          await store.append(s, [e2], 0);
          return 'done';
        });
        expect(result).toBe('done');
        expect((await store.readStream(s)).map((e) => e.eventId)).toEqual([e1.eventId, e2.eventId]);
      }, T);

      it('undoes only a failing append, and the unit goes on', async () => {
        const s = streamId();
        const kept = [event(), event()];
        await store.unitOfWork(async () => {
          await store.append(s, [kept[0]!], 'no_stream');
          await expect(store.append(s, [event()], 'no_stream')).rejects.toMatchObject(wrongRevision({ streamId: s }));
          await store.append(s, [kept[1]!], 0);
        });
        expect((await store.readStream(s)).map((e) => e.eventId)).toEqual(kept.map((e) => e.eventId));
      }, T);

      it('undoes every append of a unit that throws where units are atomic, and keeps them where they are not', async () => {
        const s = streamId();
        const made = [event(), event()];
        await expect(
          store.unitOfWork(async () => {
            await store.append(s, [made[0]!], 'no_stream');
            await store.append(s, [made[1]!], 0);
            throw new Error('unit fails');
          }),
        ).rejects.toThrow('unit fails');
        const kept = (await store.readStream(s)).map((e) => e.eventId);
        expect(kept).toEqual(store.capabilities.atomicUnits ? [] : made.map((e) => e.eventId));
      }, T);

      it('joins an enclosing unit when nested', async () => {
        const s = streamId();
        await store.unitOfWork(() => store.unitOfWork(() => store.append(s, [event()], 'no_stream')));
        expect(await store.readStream(s)).toHaveLength(1);
      }, T);
    });

    describe('append conditions on a category', () => {
      it('fail when another stream of the category received an event after lastPositionSeen', async () => {
        const cat = category();
        const [seen] = await store.append(`${cat}-a`, [event()], 'no_stream');
        const [newer] = await store.append(`${cat}-b`, [event()], 'no_stream');
        const refused = event();
        await expect(
          store.append(`${cat}-c`, [refused], 'no_stream', { condition: { category: cat, lastPositionSeen: seen!.position } }),
        ).rejects.toMatchObject(conditionFailed({ category: cat, lastPositionSeen: seen!.position, actual: newer!.position }));
        expect(await store.readStream(`${cat}-c`)).toEqual([]);
        expect(await store.findByEventId(refused.eventId)).toBeNull();
      }, T);

      it('pass when no stream of the category moved, whatever other categories did', async () => {
        const cat = category();
        const [seen] = await store.append(`${cat}-a`, [event()], 'no_stream');
        await store.append(`${category()}-x`, [event()], 'no_stream');
        // Same prefix, other category: `${cat}x-1` belongs to `${cat}x`.
        await store.append(`${cat}x-1`, [event()], 'no_stream');
        const [ok] = await store.append(`${cat}-b`, [event()], 'no_stream', {
          condition: { category: cat, lastPositionSeen: seen!.position },
        });
        expect(ok).toMatchObject({ status: 'appended', streamId: `${cat}-b`, revision: 0 });
      }, T);

      it('with lastPositionSeen null, pass while the category is empty and fail once it is not', async () => {
        const cat = category();
        const [first] = await store.append(`${cat}-a`, [event()], 'no_stream', { condition: { category: cat, lastPositionSeen: null } });
        expect(first!.status).toBe('appended');
        await expect(
          store.append(`${cat}-b`, [event()], 'no_stream', { condition: { category: cat, lastPositionSeen: null } }),
        ).rejects.toMatchObject(conditionFailed({ category: cat, actual: first!.position }));
      }, T);

      it('concurrent conditional appends on one decision: exactly one wins where conditions are atomic', async () => {
        const cat = category();
        const [seen] = await store.append(`${cat}-0`, [event()], 'no_stream');
        const outcomes = await Promise.allSettled(
          [1, 2, 3, 4, 5].map((i) =>
            store.append(`${cat}-${i}`, [event()], 'no_stream', { condition: { category: cat, lastPositionSeen: seen!.position } }),
          ),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
        for (const reason of lost) expect(reason).toBeInstanceOf(ConditionFailedError);
        // Without atomic conditions (capabilities.atomicConditions false) racing writers may all pass;
        // the sequential cases above are what such a store guarantees.
        if (store.capabilities.atomicConditions) expect(won).toHaveLength(1);
        else expect(won.length).toBeGreaterThanOrEqual(1);
      }, T);
    });
  });
}

function wrongRevision(fields: Partial<Pick<WrongExpectedRevisionError, 'streamId' | 'expected' | 'actual'>>) {
  return expect.objectContaining({ ...fields, constructor: WrongExpectedRevisionError });
}

function conditionFailed(fields: Partial<Pick<ConditionFailedError, 'category' | 'lastPositionSeen' | 'actual'>>) {
  return expect.objectContaining({ ...fields, constructor: ConditionFailedError });
}

/** Subscribes from `after` and keeps the events of one stream, so other writers do not disturb the test. */
function watchStream(store: EventStore, after: number | null, streamId: string) {
  const seen: StoredEvent[] = [];
  let failure: unknown;
  const subscription: Subscription = store.subscribe(after).subscribe({
    next: (e) => {
      if (e.streamId === streamId) seen.push(e);
    },
    error: (err: unknown) => {
      failure = err;
    },
  });
  return {
    seen,
    async until(count: number, ms = 10_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (seen.length < count) {
        if (failure) throw failure;
        if (Date.now() > deadline) throw new Error(`subscription delivered ${seen.length} of ${count} events in ${ms} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      // Give a wrongly repeated or extra event the chance to show up.
      await new Promise((r) => setTimeout(r, 50));
      if (failure) throw failure;
    },
    stop: () => subscription.unsubscribe(),
  };
}
