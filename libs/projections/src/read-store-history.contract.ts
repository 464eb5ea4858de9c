import fc from 'fast-check';
import { PROJECTIONS_META } from './read-model-names';
import type { Doc, ReadStore } from './read-store.port';
import { names, type ReadStoreSubject } from './read-store.contract';

/**
 * What a ReadStore that keeps document history (readAt, keepsHistory) must do, as a jest suite:
 * readAt(p) gives the documents exactly as they were once the event at p was applied, whatever the
 * batches were, including states a batch passed through and changed again.
 */
export function readStoreHistoryContract(name: string, factory: () => Promise<ReadStoreSubject>): void {
  describe(`ReadStore history contract: ${name}`, () => {
    let subject: ReadStoreSubject | undefined;
    let store: Required<Pick<ReadStore, 'readAt' | 'keepsHistory'>> & ReadStore;
    const T = 60_000;

    beforeAll(async () => {
      subject = await factory();
      if (!subject.store.readAt || !subject.store.keepsHistory) throw new Error(`${name} keeps no history`);
      store = subject.store as typeof store;
    }, 120_000);
    afterAll(async () => {
      await subject?.cleanup();
    });

    const allAt = (position: number, c: string) => store.readAt(position, (tx) => tx.all(c));
    const getAt = (position: number, c: string, id: string) => store.readAt(position, (tx) => tx.get(c, id));

    it('dates each write by the event it came from, within one batch and across batches', async () => {
      const { p, c } = names();
      await store.commit(p, null, 7, async (tx) => {
        tx.at(2);
        await tx.put(c, 'a', { n: 1 });
        tx.at(4);
        await tx.put(c, 'a', { n: 2 });
        await tx.put(c, 'b', { n: 1 });
        tx.at(7);
        await tx.put(c, 'a', { n: 1 }); // back to an earlier state: still a version of its own
      });
      await store.commit(p, 7, 9, async (tx) => {
        tx.at(9);
        await tx.delete(c, 'b');
      });
      expect(await allAt(1, c)).toEqual([]);
      expect(await allAt(2, c)).toEqual([{ id: 'a', doc: { n: 1 } }]);
      expect(await allAt(3, c)).toEqual([{ id: 'a', doc: { n: 1 } }]);
      expect(await allAt(4, c)).toEqual([{ id: 'a', doc: { n: 2 } }, { id: 'b', doc: { n: 1 } }]);
      expect(await allAt(8, c)).toEqual([{ id: 'a', doc: { n: 1 } }, { id: 'b', doc: { n: 1 } }]);
      expect(await allAt(9, c)).toEqual([{ id: 'a', doc: { n: 1 } }]);
      expect(await getAt(5, c, 'a')).toEqual({ n: 2 });
      expect(await getAt(9, c, 'b')).toBeUndefined();
      expect(await getAt(1, c, 'a')).toBeUndefined();
      expect(await store.read((tx) => tx.all(c))).toEqual(await allAt(9, c));
    }, T);

    it('dates writes made before any at() by the commit position', async () => {
      const { p, c } = names();
      await store.commit(p, null, 5, async (tx) => tx.put(c, 'x', { n: 1 }));
      expect(await getAt(4, c, 'x')).toBeUndefined();
      expect(await getAt(5, c, 'x')).toEqual({ n: 1 });
    }, T);

    it('keeps history from a projection’s first commit, and starts it again after a reset', async () => {
      const { p, c } = names();
      expect(await store.keepsHistory(p)).toBe(false);
      await store.commit(p, null, 3, async (tx) => {
        await tx.put(PROJECTIONS_META, p, { version: 1 });
        await tx.put(c, 'x', { n: 1 });
      });
      expect(await store.keepsHistory(p)).toBe(true);
      await store.reset([p], [c]);
      expect(await store.keepsHistory(p)).toBe(false);
      expect(await allAt(3, c)).toEqual([]);
      await store.commit(p, null, 2, async (tx) => {
        await tx.put(PROJECTIONS_META, p, { version: 2 });
        tx.at(2);
        await tx.put(c, 'y', { n: 2 });
      });
      expect(await store.keepsHistory(p)).toBe(true);
      expect(await allAt(3, c)).toEqual([{ id: 'y', doc: { n: 2 } }]);
    }, T);

    it('readAt(p) is the state after the events up to p, for any writes in any batches (property)', async () => {
      // An event writes documents of a small id space: a put of a small value, or a delete.
      const write = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'é', '😀'), value: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }) });
      const events = fc.array(fc.array(write, { maxLength: 3 }), { minLength: 1, maxLength: 25 });
      await fc.assert(
        fc.asyncProperty(events, fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 25, maxLength: 25 }), async (ledger, cuts) => {
          const { p, c } = names();
          // The expected state after each position (position = index + 1), from a plain fold.
          const states: Array<Map<string, Doc>> = [];
          const state = new Map<string, Doc>();
          for (const writes of ledger) {
            for (const { id, value } of writes) {
              if (value === null) state.delete(id);
              else state.set(id, { value });
            }
            states.push(new Map(state));
          }
          let checkpoint: number | null = null;
          for (let start = 0, cut = 0; start < ledger.length; start += cuts[cut++]!) {
            const end = Math.min(ledger.length, start + cuts[cut]!);
            await store.commit(p, checkpoint, end, async (tx) => {
              for (let i = start; i < end; i++) {
                tx.at(i + 1);
                for (const { id, value } of ledger[i]!) {
                  if (value === null) await tx.delete(c, id);
                  else await tx.put(c, id, { value });
                }
              }
            });
            checkpoint = end;
          }
          for (const [i, expected] of states.entries()) {
            const ids = [...expected.keys()].sort((x, y) => (Buffer.from(x) < Buffer.from(y) ? -1 : 1));
            expect(await allAt(i + 1, c)).toEqual(ids.map((id) => ({ id, doc: expected.get(id) })));
            for (const id of ['a', '😀']) expect(await getAt(i + 1, c, id)).toEqual(expected.get(id));
          }
        }),
        { numRuns: 40, seed: 75 },
      );
    }, T);
  });
}
