import { randomUUID } from 'node:crypto';
import { useSuiteSubject, type SuiteSubject } from '@peil/testing';
import { PROJECTIONS_META } from './read-model-names';
import { CheckpointMovedError, type Doc, type ReadStore, type ReadTx } from './read-store.port';

export type ReadStoreSubject = SuiteSubject<ReadStore>;

/**
 * The behaviour every ReadStore adapter must have, as a jest suite: call it from an adapter's spec.
 * One store serves the whole suite and every test uses fresh projection and collection names, so it
 * also runs against a shared server: no test assumes an empty store.
 */
export function readStoreContract(name: string, factory: () => Promise<ReadStoreSubject>): void {
  describe(`ReadStore contract: ${name}`, () => {
    let store: ReadStore;
    const T = 20_000;
    useSuiteSubject(factory, (subject) => (store = subject.store));

    const get = (collection: string, id: string) => store.read((tx) => tx.get(collection, id));
    const ids = async (collection: string) => (await store.read((tx) => tx.all(collection))).map((e) => e.id);

    it('starts with no checkpoint and no documents', async () => {
      const { p, c } = names();
      expect(await store.checkpoint(p)).toBeNull();
      expect(await get(c, 'x')).toBeUndefined();
      expect(await store.read((tx) => tx.all(c))).toEqual([]);
    }, T);

    it('commit writes the documents and sets the checkpoint', async () => {
      const { p, c } = names();
      await store.commit(p, null, 5, async (tx) => {
        await tx.put(c, 'b', { n: 2 });
        await tx.put(c, 'a', { n: 1 });
      });
      expect(await store.checkpoint(p)).toBe(5);
      expect(await get(c, 'a')).toEqual({ n: 1 });
      expect(await store.read((tx) => tx.all(c))).toEqual([
        { id: 'a', doc: { n: 1 } },
        { id: 'b', doc: { n: 2 } },
      ]);

      await store.commit(p, 5, 9, async (tx) => {
        await tx.put(c, 'a', { n: 10 });
        await tx.delete(c, 'b');
      });
      expect(await store.checkpoint(p)).toBe(9);
      expect(await store.read((tx) => tx.all(c))).toEqual([{ id: 'a', doc: { n: 10 } }]);
    }, T);

    it('keeps the hash of the event at the checkpoint with it; a commit without one leaves it null', async () => {
      const { p, c } = names();
      expect(await store.checkpointMark(p)).toBeNull();
      await store.commit(p, null, 3, async (tx) => tx.put(c, 'a', { n: 1 }), 'a'.repeat(64));
      expect(await store.checkpointMark(p)).toEqual({ position: 3, hash: 'a'.repeat(64) });
      await store.commit(p, 3, 4, async () => undefined);
      expect(await store.checkpointMark(p)).toEqual({ position: 4, hash: null });
      // A refused commit changes neither.
      await expect(store.commit(p, 3, 9, async () => undefined, 'b'.repeat(64))).rejects.toBeInstanceOf(CheckpointMovedError);
      expect(await store.checkpointMark(p)).toEqual({ position: 4, hash: null });
    }, T);

    it('reads inside a commit see the batch’s own writes, and nobody else sees them before it lands', async () => {
      const { p, c } = names();
      await store.commit(p, null, 1, async (tx) => {
        await tx.put(c, 'kept', { v: 'old' });
        await tx.put(c, 'dropped', { v: 'old' });
      });
      await store.commit(p, 1, 2, async (tx) => {
        expect(await tx.get(c, 'kept')).toEqual({ v: 'old' });
        await tx.put(c, 'kept', { v: 'new' });
        await tx.put(c, 'added', { v: 'new' });
        await tx.delete(c, 'dropped');
        expect(await tx.get(c, 'kept')).toEqual({ v: 'new' });
        expect(await tx.get(c, 'dropped')).toBeUndefined();
        expect(await tx.all(c)).toEqual([
          { id: 'added', doc: { v: 'new' } },
          { id: 'kept', doc: { v: 'new' } },
        ]);
        await tx.put(c, 'dropped', { v: 'again' });
        await tx.delete(c, 'dropped');
        // Outside the commit, the store still shows the last committed state.
        expect(await get(c, 'kept')).toEqual({ v: 'old' });
        expect(await ids(c)).toEqual(['dropped', 'kept']);
      });
      expect(await ids(c)).toEqual(['added', 'kept']);
      expect(await get(c, 'kept')).toEqual({ v: 'new' });
    }, T);

    it('a commit whose function throws writes nothing and leaves the checkpoint', async () => {
      const { p, c } = names();
      await store.commit(p, null, 3, async (tx) => tx.put(c, 'a', { n: 1 }));
      const boom = new Error('projection failed');
      await expect(
        store.commit(p, 3, 4, async (tx) => {
          await tx.put(c, 'a', { n: 2 });
          await tx.put(c, 'b', { n: 2 });
          await tx.delete(c, 'a');
          throw boom;
        }),
      ).rejects.toBe(boom);
      // A document that is not JSON fails the put, hence the batch.
      await expect(store.commit(p, 3, 4, async (tx) => {
        await tx.put(c, 'b', { n: 2 });
        await tx.put(c, 'c', { n: Number.NaN });
      })).rejects.toThrow(/non-finite/);
      expect(await store.checkpoint(p)).toBe(3);
      expect(await store.read((tx) => tx.all(c))).toEqual([{ id: 'a', doc: { n: 1 } }]);
    }, T);

    it('refuses a commit whose expected checkpoint is not the stored one, without running it', async () => {
      const { p, c } = names();
      await store.commit(p, null, 1, async (tx) => tx.put(c, 'a', { n: 1 }));
      const fn = jest.fn(async (tx: ReadTx) => tx.put(c, 'a', { n: 99 }));
      await expect(store.commit(p, null, 2, fn)).rejects.toEqual(new CheckpointMovedError(p, null, 1));
      await expect(store.commit(p, 7, 8, fn)).rejects.toMatchObject({ projection: p, expected: 7, actual: 1 });
      await expect(store.commit(p, 7, 8, fn)).rejects.toBeInstanceOf(CheckpointMovedError);
      expect(fn).not.toHaveBeenCalled();
      expect(await store.checkpoint(p)).toBe(1);
      expect(await get(c, 'a')).toEqual({ n: 1 });

      const { p: fresh } = names();
      await expect(store.commit(fresh, 1, 2, fn)).rejects.toMatchObject({ projection: fresh, expected: 1, actual: null });
      expect(await store.checkpoint(fresh)).toBeNull();
    }, T);

    it('of two commits racing from one checkpoint, exactly one lands, whole', async () => {
      const { p, c } = names();
      await store.commit(p, null, 10, async (tx) => tx.put(c, 'shared', { by: 'nobody' }));
      const racer = (k: string) =>
        store.commit(p, 10, 20, async (tx) => {
          await tx.put(c, 'shared', { by: k });
          await new Promise((r) => setTimeout(r, 5));
          await tx.put(c, `own-${k}`, { by: k });
        });
      const results = await Promise.allSettled([racer('x'), racer('y')]);
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i === 0 ? 'x' : 'y'] : []));
      expect(won).toHaveLength(1);
      const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(CheckpointMovedError);
      expect(await store.checkpoint(p)).toBe(20);
      expect(await store.read((tx) => tx.all(c))).toEqual([
        { id: `own-${won[0]}`, doc: { by: won[0] } },
        { id: 'shared', doc: { by: won[0] } },
      ]);
    }, T);

    it('keeps one checkpoint per projection', async () => {
      const a = names();
      const b = names();
      await store.commit(a.p, null, 4, async () => undefined);
      expect(await store.checkpoint(a.p)).toBe(4);
      expect(await store.checkpoint(b.p)).toBeNull();
      await store.commit(b.p, null, 2, async () => undefined);
      await store.commit(a.p, 4, 6, async () => undefined);
      expect([await store.checkpoint(a.p), await store.checkpoint(b.p)]).toEqual([6, 2]);
    }, T);

    it('gives documents back as they were put, as fresh copies', async () => {
      const { p, c } = names();
      const doc = {
        text: 'Zahlé — زحلة 😀',
        numbers: [0, 1, -1.5, 1e21, 2 ** 53 - 1, 0.1],
        nested: { deeper: { empty: {}, list: [] as unknown[], nothing: null, yes: true, no: false } },
        'dotted.key': 1,
        $dollar: { $inc: 2 },
        _id: 'not the id',
        doc: 'not the wrapper',
      };
      await store.commit(p, null, 1, async (tx) => tx.put(c, 'd', { ...doc, dropped: undefined }));
      const first = await get(c, 'd');
      expect(first).toEqual(doc);
      (first!.nested as Doc).deeper = 'mutated by a reader';
      expect(await get(c, 'd')).toEqual(doc);
      await store.commit(p, 1, 2, async (tx) => {
        const read = (await tx.get(c, 'd'))!;
        read.text = 'changed, not put';
      });
      expect(await get(c, 'd')).toEqual(doc);
    }, T);

    it('all() orders ids by Unicode code point, i.e. by UTF-8 bytes, inside and outside a commit', async () => {
      const { p, c } = names();
      const ordered = ['', '10', '9', 'B', 'a', 'a b', 'b', 'é', '\uFF01', '😀'];
      const shuffled = ['b', '😀', '9', 'a b', '', 'é', '\uFF01', 'B', '10', 'a'];
      await store.commit(p, null, 1, async (tx) => {
        for (const id of shuffled.slice(0, 5)) await tx.put(c, id, { id });
      });
      await store.commit(p, 1, 2, async (tx) => {
        for (const id of shuffled.slice(5)) await tx.put(c, id, { id });
        expect((await tx.all(c)).map((e) => e.id)).toEqual(ordered);
      });
      expect(await ids(c)).toEqual(ordered);
      expect((await store.read((tx) => tx.all(c))).map((e) => e.doc.id)).toEqual(ordered);
    }, T);

    it('reset drops the named projections’ documents, checkpoints and version stamps, and nothing else', async () => {
      const a = names();
      const b = names();
      const other = `${a.c}_other`;
      for (const { p, c } of [a, b]) {
        await store.commit(p, null, 3, async (tx) => {
          await tx.put(PROJECTIONS_META, p, { version: 1 });
          await tx.put(c, 'x', { n: 1 });
        });
      }
      await store.commit(a.p, 3, 4, async (tx) => tx.put(other, 'y', { n: 2 }));

      await store.reset([a.p], [a.c, other]);
      expect(await store.checkpoint(a.p)).toBeNull();
      expect(await ids(a.c)).toEqual([]);
      expect(await ids(other)).toEqual([]);
      expect(await get(PROJECTIONS_META, a.p)).toBeUndefined();
      expect(await store.checkpoint(b.p)).toBe(3);
      expect(await get(b.c, 'x')).toEqual({ n: 1 });
      expect(await get(PROJECTIONS_META, b.p)).toEqual({ version: 1 });

      // A reset projection starts over from an empty checkpoint.
      await store.commit(a.p, null, 1, async (tx) => tx.put(a.c, 'z', { n: 3 }));
      expect(await ids(a.c)).toEqual(['z']);
    }, T);

    it('read() refuses writes, and a commit’s transaction cannot be used once the commit is over', async () => {
      const { p, c } = names();
      await expect(store.read((tx) => tx.put(c, 'a', { n: 1 }))).rejects.toThrow(/read-only/);
      await expect(store.read((tx) => tx.delete(c, 'a'))).rejects.toThrow(/read-only/);
      let leaked: ReadTx | undefined;
      await store.commit(p, null, 1, async (tx) => {
        leaked = tx;
      });
      await expect(leaked!.put(c, 'a', { n: 1 })).rejects.toThrow(/after its commit/);
      expect(await ids(c)).toEqual([]);
    }, T);

    it('refuses collection names no adapter can hold, and ids that are not well-formed text', async () => {
      const { p, c } = names();
      for (const bad of ['', 'has space', 'rm.dot', 'checkpoints', '$x', 'x'.repeat(65)]) {
        await expect(store.commit(p, null, 1, async (tx) => tx.put(bad, 'a', { n: 1 }))).rejects.toThrow(/collection name/);
      }
      await expect(store.commit(p, null, 1, async (tx) => tx.put(c, 'lone\uD800', { n: 1 }))).rejects.toThrow(/document id/);
      await expect(store.commit(p, null, 1, async (tx) => tx.put(c, 'a', [1] as unknown as Doc))).rejects.toThrow(/plain JSON object/);
      expect(await store.checkpoint(p)).toBeNull();
    }, T);
  });
}

/** Fresh names for one test: nothing another test (or another run on a shared server) uses. */
export function names(): { p: string; c: string } {
  const unique = randomUUID().replace(/-/g, '').slice(0, 16);
  return { p: `projection-${unique}`, c: `c_${unique}` };
}
