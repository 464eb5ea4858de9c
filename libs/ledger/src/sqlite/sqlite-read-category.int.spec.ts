import { testEvent, useTempLedger } from '@peil/testing';
import { CATEGORY_READ } from './sqlite-rows';

/** What the contract cannot say about SQLite's readCategory: its cost, and what a unit of work sees. */
describe('SqliteEventStore.readCategory', () => {
  const ledger = useTempLedger('peil-category-');
  let n = 0;
  const event = () => testEvent(++n, 'category-spec', { n });

  it('is a range scan of the (category, position) index, not a scan of the ledger', () => {
    const plan = ledger.store.database
      .prepare<[string, number, number], { detail: string }>(`EXPLAIN QUERY PLAN ${CATEGORY_READ}`)
      .all('household', 0, 10)
      .map((row) => row.detail);
    expect(plan).toEqual([expect.stringMatching(/^SEARCH events USING (COVERING )?INDEX events_by_category \(category=\? AND position>\?\)$/)]);
  });

  it("sees a unit of work's open appends inside it, and only once it commits outside it", async () => {
    const { store } = ledger;
    await store.append('household-A', [event()], 'no_stream');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const enteredUnit = new Promise<void>((r) => (entered = r));
    const unit = store.unitOfWork(async () => {
      await store.append('household-B', [event()], 'no_stream');
      expect((await store.readCategory('household', null, 10)).map((e) => e.streamId)).toEqual(['household-A', 'household-B']);
      entered();
      await gate;
    });
    await enteredUnit;
    expect((await store.readCategory('household', null, 10)).map((e) => e.streamId)).toEqual(['household-A']);
    release();
    await unit;
    expect((await store.readCategory('household', null, 10)).map((e) => e.streamId)).toEqual(['household-A', 'household-B']);
  });
});
