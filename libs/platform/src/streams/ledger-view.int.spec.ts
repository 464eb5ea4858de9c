import { countingReads, testEvent, useTempLedger, type ReadCounter } from '@peil/testing';
import { LedgerView } from './ledger-view';
import type { StreamFold } from './stream-fold';

/** `stream#revision` of every event folded, in order: shows exactly which events went in. */
const folded: StreamFold<string[]> = {
  initialState: () => [],
  evolve: (state, event) => [...state, `${event.streamId}#${event.revision}`],
};

describe('LedgerView of one category', () => {
  const ledger = useTempLedger('peil-category-view-');
  let reads: ReadCounter;
  let n = 0;
  const append = (streamId: string, count = 1) =>
    ledger.store.append(streamId, Array.from({ length: count }, () => testEvent(++n, 'view-spec')), 'any');
  beforeEach(() => {
    reads = countingReads(ledger.store);
  });

  it("folds the category's events only, reading none of the others, and is caught up by new events only", async () => {
    const view = new LedgerView(reads.store, folded, { category: 'household', pageSize: 3 });
    await append('grant-G', 500);
    await append('household-A', 2);
    await append('assets-A', 300);
    await append('household', 1);
    const [last] = await append('household-B', 2);
    await append('grant-G', 200);

    const first = await view.current();
    expect(first.state).toEqual(['household-A#0', 'household-A#1', 'household#0', 'household-B#0', 'household-B#1']);
    // lastPositionSeen is the category's newest event, not the ledger's head (1,005).
    expect(first.lastPositionSeen).toBe(last!.position + 1);
    expect(reads.allEvents).toBe(0);
    expect(reads.categoryEvents).toBe(5);

    reads.reset();
    await append('grant-G', 100);
    const [next] = await append('household-A');
    await append('assets-B', 100);
    const second = await view.current();
    expect(second.state.slice(5)).toEqual(['household-A#2']);
    expect(second.lastPositionSeen).toBe(next!.position);
    // The event last folded (re-read to check it is still there) and the new one.
    expect(reads.categoryEvents).toBe(2);
    expect(reads.allEvents).toBe(0);
  });

  it('folds again when a rolled-back unit of work had been seen and its position went to another category', async () => {
    const view = new LedgerView(reads.store, folded, { category: 'household' });
    const [kept] = await append('household-A');
    await expect(
      ledger.store.unitOfWork(async () => {
        await append('household-B');
        expect((await view.current()).state).toEqual(['household-A#0', 'household-B#0']);
        throw new Error('unit fails');
      }),
    ).rejects.toThrow('unit fails');
    const [taken] = await append('grant-G');
    expect(taken!.position).toBe(kept!.position + 1);
    const [later] = await append('household-C');
    expect(await view.current()).toEqual({ state: ['household-A#0', 'household-C#0'], lastPositionSeen: later!.position });
  });

  it('with no event of the category, is the initial state and has seen no position', async () => {
    await append('grant-G', 10);
    const view = new LedgerView(reads.store, folded, { category: 'household' });
    expect(await view.current()).toEqual({ state: [], lastPositionSeen: null });
  });
});
