import { MemoryReadStore } from './memory-read-store';
import { readStoreContract } from './read-store.contract';

readStoreContract('MemoryReadStore', async () => {
  const store = new MemoryReadStore();
  return { store, cleanup: () => store.close() };
});

describe('MemoryReadStore.clone', () => {
  const contents = (store: MemoryReadStore) =>
    store.read(async (tx) => ({ a: await tx.all('a'), b: await tx.all('b') }));

  it('copies documents and checkpoints, and neither store sees the other’s later writes', async () => {
    const original = new MemoryReadStore();
    await original.commit('p', null, 3, async (tx) => {
      await tx.put('a', '1', { n: 1 });
      await tx.put('a', '2', { n: 2 });
      await tx.put('b', 'x', { list: [1, 2] });
    });
    const before = await contents(original);
    const copy = original.clone();
    expect(await copy.checkpoint('p')).toBe(3);
    expect(await contents(copy)).toEqual(before);

    await copy.commit('p', 3, 5, async (tx) => {
      await tx.put('a', '1', { n: 10 });
      await tx.delete('a', '2');
      await tx.put('a', '3', { n: 3 });
      await tx.put('c', 'new', { n: 0 });
    });
    expect(await original.checkpoint('p')).toBe(3);
    expect(await contents(original)).toEqual(before);
    expect(await original.read((tx) => tx.all('c'))).toEqual([]);

    await original.commit('p', 3, 4, async (tx) => tx.put('b', 'y', { n: 4 }));
    expect(await copy.checkpoint('p')).toBe(5);
    expect(await copy.read((tx) => tx.all('b'))).toEqual([{ id: 'x', doc: { list: [1, 2] } }]);
    expect(await copy.read((tx) => tx.all('a'))).toEqual([
      { id: '1', doc: { n: 10 } },
      { id: '3', doc: { n: 3 } },
    ]);
  });
});
