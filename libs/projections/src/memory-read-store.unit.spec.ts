import { MemoryReadStore } from './memory-read-store';
import { readStoreContract } from './read-store.contract';

readStoreContract('MemoryReadStore', async () => {
  const store = new MemoryReadStore();
  return { store, cleanup: () => store.close() };
});
