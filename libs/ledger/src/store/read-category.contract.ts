import type { EventStore } from './event-store.port';
import { category, event, expectIncreasing } from './contract-events';

/**
 * readCategory, as part of the EventStore contract: every test writes to categories of its own, so
 * other writers of a shared server never show up in what it reads.
 */
export function readCategoryContract(subject: () => EventStore, timeout: number): void {
  describe('readCategory', () => {
    it("reads only the category's streams, in position order, with the envelopes readStream returns", async () => {
      const store = subject();
      const cat = category();
      const [a1, a2, b1, bare, a3] = [event(), event(), event(), event(), event()];
      await store.append(`${cat}-a`, [a1, a2], 'no_stream');
      await store.append(`${category()}-x`, [event()], 'no_stream');
      // Same prefix, other category: `${cat}x-1` belongs to `${cat}x`.
      await store.append(`${cat}x-1`, [event()], 'no_stream');
      await store.append(`${cat}-b-with-dashes`, [b1], 'no_stream');
      // A stream id without '-' is its own category.
      await store.append(cat, [bare], 'no_stream');
      await store.append(`${cat}-a`, [a3], 1);

      const read = await store.readCategory(cat, null, 1_000);
      expect(read.map((e) => e.eventId)).toEqual([a1, a2, b1, bare, a3].map((e) => e.eventId));
      expectIncreasing(read.map((e) => e.position));
      const [streamA, streamB, streamBare] = await Promise.all([`${cat}-a`, `${cat}-b-with-dashes`, cat].map((s) => store.readStream(s)));
      expect(read).toEqual([streamA![0], streamA![1], ...streamB!, ...streamBare!, streamA![2]]);
    }, timeout);

    it('resumes strictly after a position, in pages of `limit`, from any position of the ledger', async () => {
      const store = subject();
      const cat = category();
      for (let i = 0; i < 5; i++) {
        await store.append(`${cat}-${i % 2}`, [event()], i < 2 ? 'no_stream' : 'any');
        await store.append(`${category()}-noise`, [event()], 'no_stream');
      }
      const whole = await store.readCategory(cat, null, 1_000);
      expect(whole).toHaveLength(5);

      const paged = [];
      for (let after: number | null = null; ; ) {
        const page = await store.readCategory(cat, after, 2);
        expect(page.length).toBeLessThanOrEqual(2);
        paged.push(...page);
        if (page.length < 2) break;
        after = page[page.length - 1]!.position;
      }
      expect(paged).toEqual(whole);

      // From a position that is not the category's (an event of another category in between).
      const between = (await store.readAll(whole[1]!.position, 1))[0]!;
      expect(between.streamId).not.toMatch(new RegExp(`^${cat}(-|$)`));
      expect(await store.readCategory(cat, between.position, 1_000)).toEqual(whole.slice(2));
      expect(await store.readCategory(cat, whole[4]!.position, 1_000)).toEqual([]);
      expect(await store.readCategory(cat, null, 0)).toEqual([]);
      expect(await store.readCategory(cat, null, -1)).toEqual([]);
    }, timeout);

    it('an unknown category, or one that no stream id can have, reads as empty', async () => {
      const store = subject();
      await store.append(`${category()}-a`, [event()], 'no_stream');
      expect(await store.readCategory(category(), null, 1_000)).toEqual([]);
      expect(await store.readCategory(`${category()}-with-dash`, null, 1_000)).toEqual([]);
    }, timeout);
  });
}
